"""SQLAlchemy models of the Conduit schema.

Foreign keys cascade in the database (``PRAGMA foreign_keys=ON`` on SQLite,
always on in PostgreSQL), so deleting an article removes its comments,
favorites and tag links in one statement. The same models make both schemas:
``Integer`` primary keys are SERIAL on PostgreSQL (a sequence: ids never
reused), ``DateTime`` is ``timestamp without time zone`` (UTC, microseconds
kept, so :func:`utcnow` truncates to the API's millisecond).
"""
import re
import secrets
from datetime import datetime, timedelta, timezone

from sqlalchemy import Column, DateTime, ForeignKey, Index, Integer, String, Table
from sqlalchemy.orm import relationship

from .database import Base

follows = Table(
    "follows",
    Base.metadata,
    Column("follower_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("followed_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

favorites = Table(
    "favorites",
    Base.metadata,
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_favorites_article_id", "article_id"),
)

article_tags = Table(
    "article_tags",
    Base.metadata,
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", Integer, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_article_tags_tag_id", "tag_id"),
)


def utcnow() -> datetime:
    """Now in UTC (naive), truncated to the millisecond the API shows."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    username = Column(String, unique=True, nullable=False)
    email = Column(String, unique=True, nullable=False)
    password_hash = Column(String, nullable=False)
    bio = Column(String)
    image = Column(String)


class Tag(Base):
    __tablename__ = "tags"

    id = Column(Integer, primary_key=True)
    name = Column(String, unique=True, nullable=False)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_created", "created_at", "id"),)

    id = Column(Integer, primary_key=True)
    slug = Column(String, unique=True, nullable=False)
    title = Column(String, nullable=False)
    description = Column(String, nullable=False)
    body = Column(String, nullable=False)
    author_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)

    author = relationship(User, lazy="joined", innerjoin=True)
    tags = relationship(Tag, secondary=article_tags, lazy="selectin")

    @property
    def tag_list(self):
        return sorted(tag.name for tag in self.tags)

    def touch(self) -> None:
        """Bump updated_at, strictly later than before even within one millisecond."""
        now = utcnow()
        # parity-ruling: begin 7 updatedAt strictly later within one millisecond
        if self.updated_at is not None and now <= self.updated_at:
            now = self.updated_at + timedelta(milliseconds=1)
        # parity-ruling: end
        self.updated_at = now

    @staticmethod
    def make_slug(title: str) -> str:
        # bytes.lower() folds ASCII only; every other byte (UTF-8 included) is "-".
        base = re.sub(rb"[^a-z0-9]+", b"-", title.encode("utf-8").lower()).strip(b"-").decode("ascii")
        suffix = secrets.token_hex(4)
        return f"{base}-{suffix}" if base else suffix


class Comment(Base):
    __tablename__ = "comments"
    # AUTOINCREMENT: a deleted comment's id is never given again (ruling 11).
    __table_args__ = {"sqlite_autoincrement": True}

    id = Column(Integer, primary_key=True)
    body = Column(String, nullable=False)
    article_id = Column(Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at = Column(DateTime, nullable=False)

    author = relationship(User, lazy="joined", innerjoin=True)


class WebSession(Base):
    """A signed-in browser session of the web app (app/web/sessions.py).

    The session cookie is Starlette's signed, client-side one; it names a row
    here by a random id. Signing out deletes the row, so the cookie someone
    held before the logout signs nobody in (a signed cookie alone stays valid
    until it expires)."""

    __tablename__ = "web_sessions"

    id = Column(String, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = Column(DateTime, nullable=False, index=True)  # expired rows are pruned at sign-in
