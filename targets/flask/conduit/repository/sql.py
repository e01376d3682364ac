"""The hand-written SQL data layer (target ``flask-raw``).

The same schema as the ORM (``models.py`` creates it), reached with plain SQL
through SQLAlchemy Core: ``text()`` statements on the connection of the
request's Flask-SQLAlchemy session (which pools it and ends the transaction),
rows read as tuples. What the ORM does in Python, SQL does here:

- one statement per article read: author joined, ``favoritesCount``,
  ``favorited``, ``following`` and the sorted ``tagList`` as columns;
- timestamps are written as the strings SQLAlchemy's ``DateTime`` stores on
  SQLite (``2026-11-23 18:32:05.123000``; PostgreSQL casts them to its
  ``timestamp``) and read back as those strings (SQLite) or datetimes
  (psycopg2), cut into the API's shape;
- a list is two statements (count, page) whatever its length.

One SQL text serves both backends (``:name`` parameters, ``RETURNING id``,
``ON CONFLICT DO NOTHING``, ``EXISTS``), except two expressions chosen per
backend when the repository is built: the tag list (``_TAG_LIST``) and the row
lock of an article about to be written (``FOR UPDATE``, PostgreSQL only:
SQLite's BEGIN IMMEDIATE already holds the whole file).
"""
import json
import secrets
from datetime import datetime, timedelta
from typing import Dict, List, NamedTuple, Optional, Sequence

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import utcnow
from ..serializers import article_view, comment_view, profile_view, timestamp

_STORED = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's DateTime format on SQLite


def _api_time(stored) -> str:
    """'2026-11-23 18:32:05.123000' (SQLite) or a datetime (PostgreSQL)
    -> '2026-11-23T18:32:05.123Z'."""
    if isinstance(stored, datetime):
        return timestamp(stored)
    return f"{stored[:10]}T{stored[11:23]}Z"


def _datetime(stored) -> datetime:
    return stored if isinstance(stored, datetime) else datetime.strptime(stored, _STORED)


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
    updated_at: object  # str (SQLite) or datetime (PostgreSQL)


_USER = "SELECT id, username, email, password_hash, bio, image FROM users WHERE "
_USER_BY_ID = text(_USER + "id = :id")
_USER_BY_EMAIL = text(_USER + "email = :value")
_USER_BY_USERNAME = text(_USER + "username = :value")
_USER_BY_SESSION_TOKEN = text(_USER + "session_token = :value")
_SESSION_TOKEN = text("SELECT session_token FROM users WHERE id = :id")
_USER_COLUMNS = ("username", "email", "password_hash", "bio", "image")

# The sorted tag names of article a, per backend. SQLite 3.40 has no ORDER BY
# inside aggregates: json_group_array over an ordered subquery, a JSON text.
# PostgreSQL: an ARRAY subquery, a text[] that psycopg2 reads as a list
# ('{}' when there is no tag). Both sort bytewise (BINARY / the C collation).
_TAG_LIST = {
    "sqlite": """(SELECT json_group_array(name) FROM
          (SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id
           WHERE x.article_id = a.id ORDER BY t.name))""",
    "postgresql": """ARRAY(SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id
           WHERE x.article_id = a.id ORDER BY t.name)""",
}

# The article columns; {body} is "a.body" or "NULL" (lists leave it out), {tags} a _TAG_LIST.
_ARTICLE = """
SELECT a.slug, a.title, a.description, {body}, a.created_at, a.updated_at,
       u.username, u.bio, u.image,
       (SELECT count(*) FROM favorites f WHERE f.article_id = a.id),
       EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = :viewer),
       EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = :viewer AND w.followed_id = a.author_id),
       {tags}
FROM articles a JOIN users u ON u.id = a.author_id
"""

# List filters; a filter that is given filters, even with "".
_FILTERS = {
    "tag": "a.id IN (SELECT x.article_id FROM article_tags x JOIN tags t ON t.id = x.tag_id WHERE t.name = :tag)",
    "author": "a.author_id IN (SELECT id FROM users WHERE username = :author)",
    "favorited": "a.id IN (SELECT f.article_id FROM favorites f JOIN users fu ON fu.id = f.user_id"
    " WHERE fu.username = :favorited)",
    "feed_of": "a.author_id IN (SELECT followed_id FROM follows WHERE follower_id = :feed_of)",
}


def _article_json(row) -> dict:
    (slug, title, description, body, created, updated, username, bio, image, count, favorited, following, tags) = row
    return article_view(
        slug,
        title,
        description,
        body,
        json.loads(tags) if isinstance(tags, str) else tags,
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
_TAGS = text("SELECT name FROM tags t WHERE EXISTS (SELECT 1 FROM article_tags x WHERE x.tag_id = t.id) ORDER BY name")
_LATEST = text(
    "SELECT a.slug, a.title, u.username, a.created_at FROM articles a JOIN users u ON u.id = a.author_id"
    " ORDER BY a.created_at DESC, a.id DESC LIMIT :limit"
)
_INSERT_TAG = text("INSERT INTO tags (name) VALUES (:name) ON CONFLICT DO NOTHING")
_LINK_TAG = text("INSERT INTO article_tags (article_id, tag_id) SELECT :article, id FROM tags WHERE name = :name")


class SqlRepository:
    """See ``orm.OrmRepository`` for what each method promises. One per app,
    built for its backend; every method works on the request session's connection."""

    def __init__(self, backend: str = "sqlite"):
        if backend not in _TAG_LIST:
            raise RuntimeError(f"DATA_LAYER=sql: no SQL for the {backend!r} backend")
        self.backend = backend
        self._article = _ARTICLE.replace("{tags}", _TAG_LIST[backend])
        self._article_by_slug = text(self._article.format(body="a.body") + "WHERE a.slug = :slug")
        self._article_by_id = text(self._article.format(body="a.body") + "WHERE a.id = :id")
        handle = "SELECT id, author_id, updated_at FROM articles WHERE slug = :slug"
        self._handle = text(handle)
        self._handle_for_update = text(handle + (" FOR UPDATE" if backend == "postgresql" else ""))
        self._list_statements: Dict[tuple, tuple] = {}  # filter names -> (count, page), built once each

    def _list_statement(self, names: tuple):
        statements = self._list_statements.get(names)
        if statements is None:
            where = (" WHERE " + " AND ".join(_FILTERS[name] for name in names)) if names else ""
            count = text("SELECT count(*) FROM articles a" + where)
            page = text(
                self._article.format(body="NULL")
                + where
                + " ORDER BY a.created_at DESC, a.id DESC LIMIT :limit OFFSET :offset"
            )
            statements = self._list_statements[names] = (count, page)
        return statements

    @property
    def db(self) -> Connection:
        return db.session.connection()

    def _one(self, statement, **params):
        return self.db.execute(statement, params).first()

    def _scalar(self, statement, **params):
        return self.db.execute(statement, params).scalar()

    # transactions ------------------------------------------------------------

    def lock(self) -> None:
        if self.backend == "sqlite":  # PostgreSQL: row locks (article_handle) and unique indexes
            self.db.execute(text("BEGIN IMMEDIATE"))

    def commit(self) -> None:
        db.session.commit()

    def rollback(self) -> None:
        """End the transaction without writing (and release the write lock)."""
        db.session.rollback()

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
        user_id = self.db.execute(
            text("INSERT INTO users (username, email, password_hash) VALUES (:username, :email, :hash) RETURNING id"),
            {"username": username, "email": email, "hash": password_hash},
        ).scalar_one()
        return UserRecord(user_id, username, email, password_hash, None, None)

    def update_user(self, user: UserRecord, changes: Dict[str, Optional[str]]) -> UserRecord:
        columns = [name for name in _USER_COLUMNS if name in changes]  # never a caller's string in SQL
        if columns:
            assignments = ", ".join(f"{name} = :{name}" for name in columns)
            self.db.execute(text(f"UPDATE users SET {assignments} WHERE id = :id"), dict(changes, id=user.id))
        return user._replace(**{name: changes[name] for name in columns})

    # web sessions (Flask-Login's alternative token) --------------------------

    def user_by_session_token(self, token: str) -> Optional[UserRecord]:
        return self._user(_USER_BY_SESSION_TOKEN, value=token)

    def session_token(self, user_id: int) -> str:
        token = self._scalar(_SESSION_TOKEN, id=user_id)
        if token is None:
            self.db.execute(
                text("UPDATE users SET session_token = :token WHERE id = :id AND session_token IS NULL"),
                {"token": secrets.token_urlsafe(32), "id": user_id},
            )
            db.session.commit()
            token = self._scalar(_SESSION_TOKEN, id=user_id)
        return token

    def revoke_sessions(self, user_id: int) -> None:
        self.db.execute(text("UPDATE users SET session_token = NULL WHERE id = :id"), {"id": user_id})

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
        count_statement, page_statement = self._list_statement(tuple(params))
        count = self.db.execute(count_statement, params).scalar()
        rows = self.db.execute(page_statement, dict(params, viewer=viewer_id, limit=limit, offset=offset))
        return [_article_json(row) for row in rows], count

    def article_by_slug(self, slug: str, viewer_id: Optional[int]) -> Optional[dict]:
        row = self._one(self._article_by_slug, slug=slug, viewer=viewer_id)
        return _article_json(row) if row is not None else None

    def article_by_id(self, article_id: int, viewer_id: Optional[int]) -> Optional[dict]:
        row = self._one(self._article_by_id, id=article_id, viewer=viewer_id)
        return _article_json(row) if row is not None else None

    def article_handle(self, slug: str, for_update: bool = False) -> Optional[ArticleHandle]:
        row = self._one(self._handle_for_update if for_update else self._handle, slug=slug)
        return ArticleHandle(*row) if row is not None else None

    def slug_taken(self, slug: str) -> bool:
        return bool(self._scalar(text("SELECT EXISTS (SELECT 1 FROM articles WHERE slug = :slug)"), slug=slug))

    def _link_tags(self, article_id: int, names: Sequence[str]) -> None:
        if names:
            self.db.execute(_INSERT_TAG, [{"name": name} for name in names])
            self.db.execute(_LINK_TAG, [{"article": article_id, "name": name} for name in names])

    def create_article(self, author_id: int, slug: str, title: str, description: str, body: str, tags) -> int:
        now = utcnow().strftime(_STORED)
        article_id = self.db.execute(
            text(
                "INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)"
                " VALUES (:slug, :title, :description, :body, :author, :now, :now) RETURNING id"
            ),
            {"slug": slug, "title": title, "description": description, "body": body, "author": author_id, "now": now},
        ).scalar_one()
        self._link_tags(article_id, tags)
        return article_id

    def update_article(self, article: ArticleHandle, changes: Dict[str, str], tags: Optional[Sequence[str]]) -> None:
        # updated_at moves strictly forward, even within one millisecond.
        now, previous = utcnow(), _datetime(article.updated_at)
        # parity-ruling: begin 7 updatedAt strictly later within one millisecond
        if now <= previous:
            now = previous + timedelta(milliseconds=1)
        # parity-ruling: end
        columns = [name for name in ("title", "description", "body") if name in changes]
        assignments = "".join(f"{name} = :{name}, " for name in columns)
        self.db.execute(
            text(f"UPDATE articles SET {assignments}updated_at = :now WHERE id = :id"),
            dict({name: changes[name] for name in columns}, now=now.strftime(_STORED), id=article.id),
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
            db.session.rollback()
            return False
        return True

    def unfavorite(self, user_id: int, article: ArticleHandle) -> None:
        statement = text("DELETE FROM favorites WHERE user_id = :user AND article_id = :article")
        self.db.execute(statement, {"user": user_id, "article": article.id})

    # comments ----------------------------------------------------------------

    def add_comment(self, slug: str, author: UserRecord, body: str) -> Optional[dict]:
        """One INSERT ... SELECT: the article's existence and the insert are
        one atomic statement, holding the write lock for itself and its commit.
        On PostgreSQL an article deleted by a transaction that commits while
        the INSERT waits for its row breaks the foreign key: a 404 too."""
        now = utcnow().strftime(_STORED)
        try:
            comment_id = self.db.execute(
                text(
                    "INSERT INTO comments (body, article_id, author_id, created_at)"
                    " SELECT :body, id, :author, :now FROM articles WHERE slug = :slug RETURNING id"
                ),
                {"body": body, "author": author.id, "now": now, "slug": slug},
            ).scalar()
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            return None
        if comment_id is None:
            return None
        # Following yourself is allowed, so even your own comment may say true.
        following = self.is_following(author.id, author.id)
        profile = profile_view(author.username, author.bio, author.image, following)
        return comment_view(comment_id, _api_time(now), body, profile)

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
