"""The Flask-SQLAlchemy ORM data layer (target ``flask``).

Every article answer comes from :func:`article_select`: one SELECT returns the
articles with their author (joined), favorites count, and the viewer's
``favorited`` / ``following`` flags as correlated subqueries; tags arrive in
one more SELECT ... IN (selectin). A list of 20 articles therefore costs three
queries (count, page, tags) whatever its length.
"""
from typing import Dict, List, Optional, Sequence

import secrets

from sqlalchemy import delete, exists, false, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from ..extensions import db
from ..models import Article, Comment, Tag, User, favorites, follows, utcnow
from ..serializers import article_view, comment_view, profile_view, timestamp

# SQLite allows 32766 bound parameters per statement (PostgreSQL 65535); tag lists are written in slices.
_SQL_BATCH = 500


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
    """One per app; every method works in the request's session."""

    def __init__(self, backend: str = "sqlite"):
        self.backend = backend
        # INSERT ... ON CONFLICT DO NOTHING: both dialects have the construct.
        self.insert = postgresql.insert if backend == "postgresql" else sqlite.insert

    @property
    def session(self) -> Session:
        return db.session

    # transactions ------------------------------------------------------------

    def lock(self) -> None:
        """Take SQLite's write lock now (BEGIN IMMEDIATE): what is read next
        cannot change before this request's writes commit. PostgreSQL has no
        database-wide write lock and needs none: the article to write is read
        FOR UPDATE (``article_handle``) and unique indexes settle duplicate
        names (``conduit.users.commit_user``)."""
        if self.backend == "sqlite":
            self.session.execute(text("BEGIN IMMEDIATE"))

    def commit(self) -> None:
        self.session.commit()

    def rollback(self) -> None:
        """End the transaction without writing (and release the write lock)."""
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

    # web sessions (Flask-Login's alternative token) --------------------------

    def user_by_session_token(self, token: str) -> Optional[User]:
        return self.session.execute(select(User).where(User.session_token == token)).scalar_one_or_none()

    def session_token(self, user_id: int) -> str:
        """The user's session token, created (and committed) if they have none.
        Two concurrent sign-ins agree: only the first UPDATE finds NULL."""
        token = self.session.scalar(select(User.session_token).where(User.id == user_id))
        if token is None:
            self.session.execute(
                update(User)
                .where(User.id == user_id, User.session_token.is_(None))
                .values(session_token=secrets.token_urlsafe(32))
                .execution_options(synchronize_session=False)
            )
            self.session.commit()
            token = self.session.scalar(select(User.session_token).where(User.id == user_id))
        return token

    def revoke_sessions(self, user_id: int) -> None:
        """Forget the session token: every session cookie of the user stops
        loading them. Committed by the caller."""
        self.session.execute(
            update(User)
            .where(User.id == user_id)
            .values(session_token=None)
            .execution_options(synchronize_session=False)
        )

    # profiles ----------------------------------------------------------------

    def is_following(self, viewer_id: Optional[int], user_id: int) -> bool:
        if viewer_id is None:
            return False
        return bool(self.session.scalar(select(_following(viewer_id, user_id))))

    def follow(self, viewer_id: int, user_id: int) -> None:
        self.session.execute(
            self.insert(follows).values(follower_id=viewer_id, followed_id=user_id).on_conflict_do_nothing()
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

    def article_handle(self, slug: str, for_update: bool = False) -> Optional[Article]:
        """The article to write to (``id``, ``author_id``), or None. ``for_update``
        locks its row until the commit (PostgreSQL; SQLite's BEGIN IMMEDIATE
        already holds the whole file, and SQLAlchemy leaves FOR UPDATE out there):
        a concurrent writer of the same article waits, then sees it changed or gone."""
        query = select(Article).where(Article.slug == slug)
        if for_update:
            query = query.with_for_update(of=Article)  # not its author's row
        return self.session.execute(query).scalar_one_or_none()

    def slug_taken(self, slug: str) -> bool:
        return bool(self.session.scalar(select(exists().where(Article.slug == slug))))

    def _tags_named(self, names: Sequence[str]) -> List[Tag]:
        """Tag rows for ``names``, creating the missing ones (safe under concurrency)."""
        tags: List[Tag] = []
        for start in range(0, len(names), _SQL_BATCH):
            batch = list(names[start : start + _SQL_BATCH])
            self.session.execute(self.insert(Tag).values([{"name": name} for name in batch]).on_conflict_do_nothing())
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
                self.insert(favorites).values(user_id=user_id, article_id=article.id).on_conflict_do_nothing()
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

    def add_comment(self, slug: str, author: User, body: str) -> Optional[dict]:
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
            self.session.commit()
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
        return list(self.session.scalars(select(Tag.name).where(used).order_by(Tag.name)))

    def latest_titles(self, limit: int = 20):
        """(slug, title, username, createdAt) of the newest articles, for the home page."""
        rows = self.session.execute(
            select(Article.slug, Article.title, User.username, Article.created_at)
            .join(Article.author)
            .order_by(Article.created_at.desc(), Article.id.desc())
            .limit(limit)
        )
        return [(slug, title, username, timestamp(created)) for slug, title, username, created in rows]
