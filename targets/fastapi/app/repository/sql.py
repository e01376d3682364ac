"""The hand-written SQL data layer (target ``fastapi-raw``).

The same schema as the ORM (``models.py`` creates it), reached with plain SQL
through SQLAlchemy Core: ``text()`` statements on a pooled ``Connection``,
rows read as tuples. What the ORM does in Python, SQL does here:

- one statement per article read: author joined, ``favoritesCount``,
  ``favorited``, ``following`` and the sorted ``tagList``
  (``json_group_array`` over an ordered subquery; SQLite 3.40 has no
  ``ORDER BY`` inside aggregates) as columns;
- timestamps stay the strings SQLAlchemy's ``DateTime`` stores
  (``2026-11-23 18:32:05.123000``) and are cut into the API's shape;
- a list is two statements (count, page) whatever its length.

On PostgreSQL (``DATABASE_URL``) the statements differ where the dialects do:
the tag list is ``ARRAY(SELECT ... ORDER BY name COLLATE "C")`` (a Python list
from psycopg2), new ids come from ``RETURNING id`` (psycopg2 has no
``lastrowid``), timestamps are ``timestamp`` values (datetimes both ways),
``lock()`` is SQLite's alone and a handle read to be written locks its row
(``FOR NO KEY UPDATE``). Parameters stay ``:name`` (SQLAlchemy translates them
to psycopg2's ``%(name)s``); ``ON CONFLICT DO NOTHING`` is the same in both.
"""
import json
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..database import IS_POSTGRES, commit_in_thread, engine
from ..models import utcnow
from ..views import article_view, comment_view, profile_view, timestamp

_STORED = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's DateTime format on SQLite

if IS_POSTGRES:
    _api_time = timestamp  # psycopg2 reads timestamp columns as datetimes

    def _db_time(value: datetime) -> datetime:
        return value

    def _read_time(value: datetime) -> datetime:
        return value

else:

    def _api_time(stored: str) -> str:
        """'2026-11-23 18:32:05.123000' -> '2026-11-23T18:32:05.123Z'."""
        return f"{stored[:10]}T{stored[11:23]}Z"

    def _db_time(value: datetime) -> str:
        return value.strftime(_STORED)

    def _read_time(value: str) -> datetime:
        return datetime.strptime(value, _STORED)


# New ids: RETURNING on PostgreSQL, the cursor's lastrowid on SQLite.
_RETURNING_ID = " RETURNING id" if IS_POSTGRES else ""


def _new_id(result) -> int:
    return result.scalar_one() if IS_POSTGRES else result.lastrowid


class UserRecord(NamedTuple):
    id: int
    username: str
    email: str
    password_hash: str
    bio: Optional[str]
    image: Optional[str]


class ArticleHandle(NamedTuple):
    id: int
    author_id: int
    updated_at: object  # as stored: str on SQLite, datetime on PostgreSQL


_USER = "SELECT id, username, email, password_hash, bio, image FROM users WHERE "
_USER_BY_ID = text(_USER + "id = :id")
_USER_BY_EMAIL = text(_USER + "email = :value")
_USER_BY_USERNAME = text(_USER + "username = :value")
_USER_BY_WEB_SESSION = text(
    "SELECT u.id, u.username, u.email, u.password_hash, u.bio, u.image"
    " FROM web_sessions s JOIN users u ON u.id = s.user_id WHERE s.id = :id AND s.created_at >= :not_before"
)
_USER_COLUMNS = ("username", "email", "password_hash", "bio", "image")

# The article columns; {body} is "a.body" or "NULL" (lists leave it out).
_ARTICLE = """
SELECT a.slug, a.title, a.description, {body}, a.created_at, a.updated_at,
       u.username, u.bio, u.image,
       (SELECT count(*) FROM favorites f WHERE f.article_id = a.id),
       EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = :viewer),
       EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = :viewer AND w.followed_id = a.author_id),
       {tags}
FROM articles a JOIN users u ON u.id = a.author_id
"""
_TAG_NAMES = "SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE x.article_id = a.id"
if IS_POSTGRES:
    # "C": bytewise order, as SQLite's BINARY, whatever the database's collation.
    _ARTICLE = _ARTICLE.replace("{tags}", f'ARRAY({_TAG_NAMES} ORDER BY t.name COLLATE "C")')
    _ORDER_BY_NAME = 'ORDER BY name COLLATE "C"'
    _LOCK_ROW = " FOR NO KEY UPDATE"
else:
    _ARTICLE = _ARTICLE.replace("{tags}", f"(SELECT json_group_array(name) FROM ({_TAG_NAMES} ORDER BY t.name))")
    _ORDER_BY_NAME = "ORDER BY name"
    _LOCK_ROW = ""
_ARTICLE_BY_SLUG = text(_ARTICLE.format(body="a.body") + "WHERE a.slug = :slug")
_ARTICLE_BY_ID = text(_ARTICLE.format(body="a.body") + "WHERE a.id = :id")

# List filters; a filter that is given filters, even with "".
_FILTERS = {
    "tag": "a.id IN (SELECT x.article_id FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE t.name = :tag)",
    "author": "a.author_id IN (SELECT id FROM users WHERE username = :author)",
    "favorited": "a.id IN (SELECT f.article_id FROM favorites f JOIN users fu ON fu.id = f.user_id"
    " WHERE fu.username = :favorited)",
    "feed_of": "a.author_id IN (SELECT followed_id FROM follows WHERE follower_id = :feed_of)",
}
_list_statements: Dict[tuple, tuple] = {}  # filter names -> (count, page), built once each


def _list_statement(names: tuple):
    statements = _list_statements.get(names)
    if statements is None:
        where = (" WHERE " + " AND ".join(_FILTERS[name] for name in names)) if names else ""
        count = text("SELECT count(*) FROM articles a" + where)
        page = text(
            _ARTICLE.format(body="NULL") + where + " ORDER BY a.created_at DESC, a.id DESC LIMIT :limit OFFSET :offset"
        )
        statements = _list_statements[names] = (count, page)
    return statements


def _article_json(row) -> dict:
    (slug, title, description, body, created, updated, username, bio, image, count, favorited, following, tags) = row
    return article_view(
        slug,
        title,
        description,
        body,
        tags if IS_POSTGRES else json.loads(tags),
        _api_time(created),
        _api_time(updated),
        bool(favorited),
        count,
        profile_view(username, bio, image, following),
    )


_COMMENTS = text(
    """
SELECT c.id, c.created_at, c.body, u.username, u.bio, u.image,
       EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = :viewer AND w.followed_id = c.author_id)
FROM comments c JOIN users u ON u.id = c.author_id
WHERE c.article_id = :article ORDER BY c.created_at, c.id
"""
)
_TAGS = text(
    "SELECT name FROM tags t WHERE EXISTS (SELECT 1 FROM article_tags x WHERE x.tag_id = t.id) " + _ORDER_BY_NAME
)
_LATEST = text(
    "SELECT a.slug, a.title, u.username, a.created_at FROM articles a JOIN users u ON u.id = a.author_id"
    " ORDER BY a.created_at DESC, a.id DESC LIMIT :limit"
)
_HANDLE = text("SELECT id, author_id, updated_at FROM articles WHERE slug = :slug")
_HANDLE_LOCKED = text("SELECT id, author_id, updated_at FROM articles WHERE slug = :slug" + _LOCK_ROW)
_INSERT_TAG = text("INSERT INTO tags (name) VALUES (:name) ON CONFLICT DO NOTHING")
_LINK_TAG = text("INSERT INTO article_tags (article_id, tag_id) SELECT :article, id FROM tags WHERE name = :name")


class SqlRepository:
    """See ``orm.OrmRepository`` for what each method promises."""

    def __init__(self, connection: Connection):
        self.db = connection

    @classmethod
    @contextmanager
    def open(cls) -> Iterator["SqlRepository"]:
        with engine.connect() as connection:
            yield cls(connection)

    def _one(self, statement, **params):
        return self.db.execute(statement, params).first()

    def _scalar(self, statement, **params):
        return self.db.execute(statement, params).scalar()

    # transactions ------------------------------------------------------------

    def lock(self) -> None:
        if not IS_POSTGRES:
            self.db.execute(text("BEGIN IMMEDIATE"))

    async def commit(self) -> None:
        """See ``OrmRepository.commit``."""
        if IS_POSTGRES:
            await commit_in_thread(self.db.commit)
        else:
            self.db.commit()

    def rollback(self) -> None:
        """Release the write lock without writing (an answer decided under it)."""
        self.db.rollback()

    # users -------------------------------------------------------------------

    def _user(self, statement, **params) -> Optional[UserRecord]:
        row = self._one(statement, **params)
        return UserRecord(*row) if row is not None else None

    def user_by_id(self, user_id: int) -> Optional[UserRecord]:
        return self._user(_USER_BY_ID, id=user_id)

    def user_by_email(self, email: str) -> Optional[UserRecord]:
        return self._user(_USER_BY_EMAIL, value=email)

    def user_by_username(self, username: str) -> Optional[UserRecord]:
        return self._user(_USER_BY_USERNAME, value=username)

    def taken_names(self, username: Optional[str], email: Optional[str], exclude_id: Optional[int] = None):
        if username is None and email is None:
            return []
        statement = text(
            "SELECT username, email FROM users WHERE (username = :username OR email = :email)"
            " AND (:exclude IS NULL OR id != :exclude)"
        )
        return self.db.execute(statement, {"username": username, "email": email, "exclude": exclude_id}).all()

    def create_user(self, username: str, email: str, password_hash: str) -> UserRecord:
        result = self.db.execute(
            text(
                "INSERT INTO users (username, email, password_hash) VALUES (:username, :email, :hash)" + _RETURNING_ID
            ),
            {"username": username, "email": email, "hash": password_hash},
        )
        return UserRecord(_new_id(result), username, email, password_hash, None, None)

    def update_user(self, user: UserRecord, changes: Dict[str, Optional[str]]) -> UserRecord:
        columns = [name for name in _USER_COLUMNS if name in changes]  # never a caller's string in SQL
        if columns:
            assignments = ", ".join(f"{name} = :{name}" for name in columns)
            self.db.execute(text(f"UPDATE users SET {assignments} WHERE id = :id"), dict(changes, id=user.id))
        return user._replace(**{name: changes[name] for name in columns})

    # profiles ----------------------------------------------------------------

    def is_following(self, viewer_id: Optional[int], user_id: int) -> bool:
        if viewer_id is None:
            return False
        statement = text("SELECT EXISTS (SELECT 1 FROM follows WHERE follower_id = :viewer AND followed_id = :user)")
        return bool(self._scalar(statement, viewer=viewer_id, user=user_id))

    def follow(self, viewer_id: int, user_id: int) -> None:
        statement = text(
            "INSERT INTO follows (follower_id, followed_id) VALUES (:viewer, :user) ON CONFLICT DO NOTHING"
        )
        self.db.execute(statement, {"viewer": viewer_id, "user": user_id})

    def unfollow(self, viewer_id: int, user_id: int) -> None:
        statement = text("DELETE FROM follows WHERE follower_id = :viewer AND followed_id = :user")
        self.db.execute(statement, {"viewer": viewer_id, "user": user_id})

    # articles ----------------------------------------------------------------

    def list_articles(self, viewer_id, limit, offset, tag=None, author=None, favorited=None, feed_of=None):
        given = {"tag": tag, "author": author, "favorited": favorited, "feed_of": feed_of}
        params = {name: value for name, value in given.items() if value is not None}
        count_statement, page_statement = _list_statement(tuple(params))
        count = self.db.execute(count_statement, params).scalar()
        rows = self.db.execute(page_statement, dict(params, viewer=viewer_id, limit=limit, offset=offset))
        return [_article_json(row) for row in rows], count

    def article_by_slug(self, slug: str, viewer_id: Optional[int]) -> Optional[dict]:
        row = self._one(_ARTICLE_BY_SLUG, slug=slug, viewer=viewer_id)
        return _article_json(row) if row is not None else None

    def article_by_id(self, article_id: int, viewer_id: Optional[int]) -> Optional[dict]:
        row = self._one(_ARTICLE_BY_ID, id=article_id, viewer=viewer_id)
        return _article_json(row) if row is not None else None

    def article_handle(self, slug: str, lock: bool = False) -> Optional[ArticleHandle]:
        statement = _HANDLE_LOCKED if lock else _HANDLE
        row = self._one(statement, slug=slug)
        return ArticleHandle(*row) if row is not None else None

    def slug_taken(self, slug: str) -> bool:
        return bool(self._scalar(text("SELECT EXISTS (SELECT 1 FROM articles WHERE slug = :slug)"), slug=slug))

    def _link_tags(self, article_id: int, names: Sequence[str]) -> None:
        if names:
            self.db.execute(_INSERT_TAG, [{"name": name} for name in names])
            self.db.execute(_LINK_TAG, [{"article": article_id, "name": name} for name in names])

    def create_article(self, author_id: int, slug: str, title: str, description: str, body: str, tags) -> int:
        now = _db_time(utcnow())
        result = self.db.execute(
            text(
                "INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)"
                " VALUES (:slug, :title, :description, :body, :author, :now, :now)" + _RETURNING_ID
            ),
            {"slug": slug, "title": title, "description": description, "body": body, "author": author_id, "now": now},
        )
        article_id = _new_id(result)
        self._link_tags(article_id, tags)
        return article_id

    def update_article(self, article: ArticleHandle, changes: Dict[str, str], tags: Optional[Sequence[str]]) -> None:
        # updated_at moves strictly forward, even within one millisecond.
        now, previous = utcnow(), _read_time(article.updated_at)
        # parity-ruling: begin 7 updatedAt strictly later within one millisecond
        if now <= previous:
            now = previous + timedelta(milliseconds=1)
        # parity-ruling: end
        columns = [name for name in ("title", "description", "body") if name in changes]
        assignments = "".join(f"{name} = :{name}, " for name in columns)
        self.db.execute(
            text(f"UPDATE articles SET {assignments}updated_at = :now WHERE id = :id"),
            dict({name: changes[name] for name in columns}, now=_db_time(now), id=article.id),
        )
        if tags is not None:
            self.db.execute(text("DELETE FROM article_tags WHERE article_id = :id"), {"id": article.id})
            self._link_tags(article.id, tags)

    def delete_article(self, article: ArticleHandle) -> None:
        # Comments, favorites and tag links go with it (ON DELETE CASCADE).
        self.db.execute(text("DELETE FROM articles WHERE id = :id"), {"id": article.id})

    def favorite(self, user_id: int, article: ArticleHandle) -> bool:
        statement = text("INSERT INTO favorites (user_id, article_id) VALUES (:user, :article) ON CONFLICT DO NOTHING")
        try:
            self.db.execute(statement, {"user": user_id, "article": article.id})
        except IntegrityError:  # the article was deleted since the handle was read
            self.db.rollback()
            return False
        return True

    def unfavorite(self, user_id: int, article: ArticleHandle) -> None:
        statement = text("DELETE FROM favorites WHERE user_id = :user AND article_id = :article")
        self.db.execute(statement, {"user": user_id, "article": article.id})

    # comments ----------------------------------------------------------------

    async def add_comment(self, slug: str, author: UserRecord, body: str) -> Optional[dict]:
        """One INSERT ... SELECT: the article's existence and the insert are
        one atomic statement, holding the write lock for itself and its commit."""
        now = utcnow()
        try:
            result = self.db.execute(
                text(
                    "INSERT INTO comments (body, article_id, author_id, created_at)"
                    " SELECT :body, id, :author, :now FROM articles WHERE slug = :slug" + _RETURNING_ID
                ),
                {"body": body, "author": author.id, "now": _db_time(now), "slug": slug},
            )
            if IS_POSTGRES:
                row = result.first()  # read before the commit; None: no such article
                comment_id = row[0] if row is not None else None
            else:
                comment_id = result.lastrowid if result.rowcount == 1 else None
            await self.commit()
        except IntegrityError:  # the article was deleted by a transaction that committed meanwhile
            self.db.rollback()
            return None
        if comment_id is None:
            return None
        # Following yourself is allowed, so even your own comment may say true.
        following = self.is_following(author.id, author.id)
        profile = profile_view(author.username, author.bio, author.image, following)
        return comment_view(comment_id, timestamp(now), body, profile)

    def list_comments(self, article: ArticleHandle, viewer_id: Optional[int]) -> List[dict]:
        rows = self.db.execute(_COMMENTS, {"viewer": viewer_id, "article": article.id})
        return [
            comment_view(comment_id, _api_time(created), body, profile_view(username, bio, image, following))
            for comment_id, created, body, username, bio, image, following in rows
        ]

    def comment_author(self, article: ArticleHandle, comment_id: int) -> Optional[int]:
        statement = text("SELECT author_id FROM comments WHERE id = :id AND article_id = :article")
        return self._scalar(statement, id=comment_id, article=article.id)

    def delete_comment(self, comment_id: int) -> None:
        self.db.execute(text("DELETE FROM comments WHERE id = :id"), {"id": comment_id})

    # tags and the page -------------------------------------------------------

    def tag_names(self) -> List[str]:
        return list(self.db.execute(_TAGS).scalars())

    def latest_titles(self, limit: int = 20):
        rows = self.db.execute(_LATEST, {"limit": limit})
        return [(slug, title, username, _api_time(created)) for slug, title, username, created in rows]

    # web sessions ------------------------------------------------------------

    def add_web_session(self, session_id: str, user_id: int) -> None:
        statement = text("INSERT INTO web_sessions (id, user_id, created_at) VALUES (:id, :user, :now)")
        self.db.execute(statement, {"id": session_id, "user": user_id, "now": _db_time(utcnow())})

    def user_by_web_session(self, session_id: str, not_before: datetime) -> Optional[UserRecord]:
        return self._user(_USER_BY_WEB_SESSION, id=session_id, not_before=_db_time(not_before))

    def delete_web_session(self, session_id: str) -> None:
        self.db.execute(text("DELETE FROM web_sessions WHERE id = :id"), {"id": session_id})

    def prune_web_sessions(self, before: datetime) -> None:
        self.db.execute(text("DELETE FROM web_sessions WHERE created_at < :before"), {"before": _db_time(before)})
