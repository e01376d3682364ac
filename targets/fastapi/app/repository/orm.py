"""The SQLAlchemy ORM data layer (target ``fastapi``).

Every article answer comes from :func:`article_select`: one SELECT returns the
articles with their author (joined), favorites count, and the viewer's
``favorited`` / ``following`` flags as correlated subqueries; tags arrive in
one more SELECT ... IN (selectin). A list of 20 articles therefore costs three
queries (count, page, tags) whatever its length.

The same code runs on PostgreSQL: ``INSERT ... ON CONFLICT DO NOTHING`` comes
from the engine's dialect, ``lock()`` is SQLite's alone, and a handle read
to be written (``article_handle(slug, lock=True)``) locks its row instead.
"""
from contextlib import contextmanager
from datetime import datetime
from typing import Dict, Iterator, List, Optional, Sequence

from sqlalchemy import delete, exists, false, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from ..database import IS_POSTGRES, SessionLocal, commit_in_thread
from ..models import Article, Comment, Tag, User, WebSession, favorites, follows, utcnow
from ..views import article_view, comment_view, profile_view, timestamp

# SQLite allows 32766 bound parameters per statement; tag lists are written in slices.
_SQL_BATCH = 500

# INSERT with ON CONFLICT, spelled by each dialect's own construct.
insert = postgresql.insert if IS_POSTGRES else sqlite.insert


def _following(viewer_id: Optional[int], author_id_column):
    if viewer_id is None:
        return false()
    return exists().where(follows.c.follower_id == viewer_id, follows.c.followed_id == author_id_column)


def article_select(viewer_id: Optional[int]):
    """SELECT (Article, favorites_count, favorited, following) for the viewer."""
    favorites_count = select(func.count()).where(favorites.c.article_id == Article.id).scalar_subquery()
    if viewer_id is None:
        favorited = false()
    else:
        favorited = exists().where(favorites.c.article_id == Article.id, favorites.c.user_id == viewer_id)
    return select(
        Article,
        favorites_count.label("favorites_count"),
        favorited.label("favorited"),
        _following(viewer_id, Article.author_id).label("following"),
    )


def _article_json(row, with_body: bool = True) -> dict:
    article, favorites_count, favorited, following = row
    author = article.author
    return article_view(
        article.slug,
        article.title,
        article.description,
        article.body if with_body else None,
        article.tag_list,
        timestamp(article.created_at),
        timestamp(article.updated_at),
        bool(favorited),
        favorites_count,
        profile_view(author.username, author.bio, author.image, following),
    )


class OrmRepository:
    def __init__(self, session: Session):
        self.session = session

    @classmethod
    @contextmanager
    def open(cls) -> Iterator["OrmRepository"]:
        with SessionLocal() as session:
            yield cls(session)

    # transactions ------------------------------------------------------------

    def lock(self) -> None:
        """Take SQLite's write lock now (BEGIN IMMEDIATE): what is read next
        cannot change before this request's writes commit. PostgreSQL has no
        such lock: rows read to be changed are locked one by one, and the
        unique constraints settle the rest (routers catch IntegrityError)."""
        if not IS_POSTGRES:
            self.session.execute(text("BEGIN IMMEDIATE"))

    async def commit(self) -> None:
        """Commit: at once on SQLite (no fsync with WAL and synchronous=NORMAL,
        and the loop must not serve anyone while the write lock is held); in a
        thread on PostgreSQL (database.commit_in_thread)."""
        if IS_POSTGRES:
            await commit_in_thread(self.session.commit)
        else:
            self.session.commit()

    def rollback(self) -> None:
        """Release the write lock without writing (an answer decided under it)."""
        self.session.rollback()

    # users -------------------------------------------------------------------

    def user_by_id(self, user_id: int) -> Optional[User]:
        return self.session.get(User, user_id)

    def user_by_email(self, email: str) -> Optional[User]:
        return self.session.execute(select(User).where(User.email == email)).scalar_one_or_none()

    def user_by_username(self, username: str) -> Optional[User]:
        return self.session.execute(select(User).where(User.username == username)).scalar_one_or_none()

    def taken_names(self, username: Optional[str], email: Optional[str], exclude_id: Optional[int] = None):
        """(username, email) of the users holding either value, other than ``exclude_id``."""
        conditions = []
        if username is not None:
            conditions.append(User.username == username)
        if email is not None:
            conditions.append(User.email == email)
        if not conditions:
            return []
        query = select(User.username, User.email).where(or_(*conditions))
        if exclude_id is not None:
            query = query.where(User.id != exclude_id)
        return self.session.execute(query).all()

    def create_user(self, username: str, email: str, password_hash: str) -> User:
        user = User(username=username, email=email, password_hash=password_hash)
        self.session.add(user)
        self.session.flush()
        return user

    def update_user(self, user: User, changes: Dict[str, Optional[str]]) -> User:
        for name, value in changes.items():
            setattr(user, name, value)
        self.session.flush()
        return user

    # profiles ----------------------------------------------------------------

    def is_following(self, viewer_id: Optional[int], user_id: int) -> bool:
        if viewer_id is None:
            return False
        return bool(self.session.scalar(select(_following(viewer_id, user_id))))

    def follow(self, viewer_id: int, user_id: int) -> None:
        self.session.execute(
            insert(follows).values(follower_id=viewer_id, followed_id=user_id).on_conflict_do_nothing()
        )

    def unfollow(self, viewer_id: int, user_id: int) -> None:
        self.session.execute(
            delete(follows).where(follows.c.follower_id == viewer_id, follows.c.followed_id == user_id)
        )

    # articles ----------------------------------------------------------------

    def _filters(self, tag, author, favorited, feed_of) -> list:
        """SQL conditions; a filter that is not None filters, even when empty."""
        filters = []
        if tag is not None:
            filters.append(Article.tags.any(Tag.name == tag))
        if author is not None:
            filters.append(Article.author.has(User.username == author))
        if favorited is not None:
            fans = select(favorites.c.article_id).join(User, User.id == favorites.c.user_id)
            filters.append(Article.id.in_(fans.where(User.username == favorited)))
        if feed_of is not None:
            followed = select(follows.c.followed_id).where(follows.c.follower_id == feed_of)
            filters.append(Article.author_id.in_(followed))
        return filters

    def list_articles(self, viewer_id, limit, offset, tag=None, author=None, favorited=None, feed_of=None):
        """(articles without their body, total count) for one page, newest first."""
        filters = self._filters(tag, author, favorited, feed_of)
        count = self.session.scalar(select(func.count(Article.id)).where(*filters))
        rows = self.session.execute(
            article_select(viewer_id)
            .options(defer(Article.body))  # lists leave the body out
            .where(*filters)
            .order_by(Article.created_at.desc(), Article.id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return [_article_json(row, with_body=False) for row in rows], count

    def article_by_slug(self, slug: str, viewer_id: Optional[int]) -> Optional[dict]:
        row = self.session.execute(article_select(viewer_id).where(Article.slug == slug)).one_or_none()
        return _article_json(row) if row is not None else None

    def article_by_id(self, article_id: int, viewer_id: Optional[int]) -> Optional[dict]:
        row = self.session.execute(article_select(viewer_id).where(Article.id == article_id)).one_or_none()
        return _article_json(row) if row is not None else None

    def article_handle(self, slug: str, lock: bool = False) -> Optional[Article]:
        """The article to write to (``id``, ``author_id``), or None. ``lock``:
        on PostgreSQL, lock its row until the commit (FOR NO KEY UPDATE: a
        concurrent edit or delete waits, new comments and favorites do not; a
        row deleted meanwhile is not returned). SQLite's lock() covers it."""
        query = select(Article).where(Article.slug == slug)
        if lock and IS_POSTGRES:
            query = query.with_for_update(key_share=True, of=Article)
        return self.session.execute(query).scalar_one_or_none()

    def slug_taken(self, slug: str) -> bool:
        return bool(self.session.scalar(select(exists().where(Article.slug == slug))))

    def _tags_named(self, names: Sequence[str]) -> List[Tag]:
        """Tag rows for ``names``, creating the missing ones (safe under concurrency)."""
        tags: List[Tag] = []
        for start in range(0, len(names), _SQL_BATCH):
            batch = list(names[start : start + _SQL_BATCH])
            self.session.execute(insert(Tag).values([{"name": name} for name in batch]).on_conflict_do_nothing())
            tags.extend(self.session.scalars(select(Tag).where(Tag.name.in_(batch))))
        return tags

    def create_article(self, author_id: int, slug: str, title: str, description: str, body: str, tags) -> int:
        now = utcnow()
        article = Article(
            slug=slug,
            title=title,
            description=description,
            body=body,
            author_id=author_id,
            created_at=now,
            updated_at=now,
            tags=self._tags_named(tags),
        )
        self.session.add(article)
        self.session.flush()
        return article.id

    def update_article(self, article: Article, changes: Dict[str, str], tags: Optional[Sequence[str]]) -> None:
        for name, value in changes.items():
            setattr(article, name, value)
        if tags is not None:
            article.tags = self._tags_named(tags)
        article.touch()
        self.session.flush()

    def delete_article(self, article: Article) -> None:
        # Comments, favorites and tag links go with it (ON DELETE CASCADE).
        self.session.execute(delete(Article).where(Article.id == article.id))

    def favorite(self, user_id: int, article: Article) -> bool:
        """False (rolled back) when the article was deleted since the handle was read: its
        foreign key fails. Idempotent: favoriting twice is no error."""
        try:
            self.session.execute(
                insert(favorites).values(user_id=user_id, article_id=article.id).on_conflict_do_nothing()
            )
        except IntegrityError:
            self.session.rollback()
            return False
        return True

    def unfavorite(self, user_id: int, article: Article) -> None:
        self.session.execute(
            delete(favorites).where(favorites.c.user_id == user_id, favorites.c.article_id == article.id)
        )

    # comments ----------------------------------------------------------------

    async def add_comment(self, slug: str, author: User, body: str) -> Optional[dict]:
        """Insert and commit a comment on the article ``slug``; None if there is none.

        No BEGIN IMMEDIATE: the article is read outside any transaction, and
        the INSERT takes the write lock only for itself and its commit. An
        article deleted in between makes the INSERT break its foreign key:
        rolled back, it is a 404 like any missing article."""
        article_id = self.session.scalar(select(Article.id).where(Article.slug == slug))
        if article_id is None:
            return None
        comment = Comment(body=body, article_id=article_id, author=author, created_at=utcnow())
        self.session.add(comment)
        try:
            await self.commit()
        except IntegrityError:
            self.session.rollback()
            return None
        # Following yourself is allowed, so even your own comment may say true.
        return self._comment_json(comment, self.is_following(author.id, author.id))

    @staticmethod
    def _comment_json(comment: Comment, following) -> dict:
        author = comment.author
        return comment_view(
            comment.id,
            timestamp(comment.created_at),
            comment.body,
            profile_view(author.username, author.bio, author.image, following),
        )

    def list_comments(self, article: Article, viewer_id: Optional[int]) -> List[dict]:
        rows = self.session.execute(
            select(Comment, _following(viewer_id, Comment.author_id).label("following"))
            .where(Comment.article_id == article.id)
            .order_by(Comment.created_at, Comment.id)
        )
        return [self._comment_json(comment, following) for comment, following in rows]

    def comment_author(self, article: Article, comment_id: int) -> Optional[int]:
        """The author id of comment ``comment_id`` on ``article``, or None."""
        return self.session.scalar(
            select(Comment.author_id).where(Comment.id == comment_id, Comment.article_id == article.id)
        )

    def delete_comment(self, comment_id: int) -> None:
        self.session.execute(delete(Comment).where(Comment.id == comment_id))

    # tags and the page -------------------------------------------------------

    def tag_names(self) -> List[str]:
        # SQLite's BINARY collation compares UTF-8 bytes, i.e. bytewise order.
        used = exists().where(Article.tags.property.secondary.c.tag_id == Tag.id)
        # PostgreSQL: the "C" collation is bytewise whatever the database's default.
        name = Tag.name.collate("C") if IS_POSTGRES else Tag.name
        return list(self.session.scalars(select(Tag.name).where(used).order_by(name)))

    def latest_titles(self, limit: int = 20):
        """(slug, title, username, createdAt) of the newest articles, for the home page."""
        rows = self.session.execute(
            select(Article.slug, Article.title, User.username, Article.created_at)
            .join(Article.author)
            .order_by(Article.created_at.desc(), Article.id.desc())
            .limit(limit)
        )
        return [(slug, title, username, timestamp(created)) for slug, title, username, created in rows]

    # web sessions ------------------------------------------------------------

    def add_web_session(self, session_id: str, user_id: int) -> None:
        """Record a signed-in browser session (committed by the caller)."""
        self.session.add(WebSession(id=session_id, user_id=user_id, created_at=utcnow()))
        self.session.flush()

    def user_by_web_session(self, session_id: str, not_before: datetime) -> Optional[User]:
        """The user of a live session created at or after ``not_before``, or None."""
        return self.session.execute(
            select(User)
            .join(WebSession, WebSession.user_id == User.id)
            .where(WebSession.id == session_id, WebSession.created_at >= not_before)
        ).scalar_one_or_none()

    def delete_web_session(self, session_id: str) -> None:
        self.session.execute(delete(WebSession).where(WebSession.id == session_id))

    def prune_web_sessions(self, before: datetime) -> None:
        """Forget sessions whose cookie has expired anyway."""
        self.session.execute(delete(WebSession).where(WebSession.created_at < before))
