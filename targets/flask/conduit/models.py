"""Flask-SQLAlchemy models of the Conduit schema.

Foreign keys cascade in the database (``PRAGMA foreign_keys=ON``), so deleting
an article removes its comments, favorites and tag links in one statement.
"""
import re
import secrets
from datetime import datetime, timedelta, timezone

import bcrypt
from flask import current_app

from .extensions import db

follows = db.Table(
    "follows",
    db.Column("follower_id", db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    db.Column("followed_id", db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

favorites = db.Table(
    "favorites",
    db.Column("user_id", db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    db.Column("article_id", db.Integer, db.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    db.Index("ix_favorites_article_id", "article_id"),
)

article_tags = db.Table(
    "article_tags",
    db.Column("article_id", db.Integer, db.ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True),
    db.Column("tag_id", db.Integer, db.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    db.Index("ix_article_tags_tag_id", "tag_id"),
)


def utcnow():
    """Now in UTC, truncated to the millisecond the API shows."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


class User(db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String, unique=True, nullable=False)
    email = db.Column(db.String, unique=True, nullable=False)
    password_hash = db.Column(db.String, nullable=False)
    bio = db.Column(db.String)
    image = db.Column(db.String)
    # Flask-Login's "alternative token": the web session cookie holds this
    # random value, not the user id, and signing out sets it back to NULL, so
    # a cookie copied before then loads nobody (conduit.web.session). NULL
    # until the user first signs in on the web pages; unique, so indexed.
    session_token = db.Column(db.String, unique=True)


def hash_password(password):
    rounds = current_app.config["BCRYPT_ROUNDS"]
    return bcrypt.hashpw(_password_bytes(password), bcrypt.gensalt(rounds)).decode()


def verify_password(password, password_hash):
    return bcrypt.checkpw(_password_bytes(password), password_hash.encode())


def _password_bytes(password):
    # python-bcrypt refuses NUL bytes (ValueError) where C's crypt() stops at
    # the first one; cut there too so that no password can cause a 500.
    return password.encode("utf-8").split(b"\0", 1)[0]


class Tag(db.Model):
    __tablename__ = "tags"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String, unique=True, nullable=False)


class Article(db.Model):
    __tablename__ = "articles"
    __table_args__ = (db.Index("ix_articles_created", "created_at", "id"),)

    id = db.Column(db.Integer, primary_key=True)
    slug = db.Column(db.String, unique=True, nullable=False)
    title = db.Column(db.String, nullable=False)
    description = db.Column(db.String, nullable=False)
    body = db.Column(db.String, nullable=False)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False)
    updated_at = db.Column(db.DateTime, nullable=False)

    author = db.relationship(User, lazy="joined", innerjoin=True)
    tags = db.relationship(Tag, secondary=article_tags, lazy="selectin", order_by=Tag.name)

    @property
    def tag_list(self):
        return sorted(tag.name for tag in self.tags)

    def touch(self):
        """Bump updated_at, strictly later than before even within one millisecond."""
        now = utcnow()
        # parity-ruling: begin 7 updatedAt strictly later within one millisecond
        if self.updated_at is not None and now <= self.updated_at:
            now = self.updated_at + timedelta(milliseconds=1)
        # parity-ruling: end
        self.updated_at = now

    @staticmethod
    def make_slug(title):
        # bytes.lower() folds ASCII only; every other byte (UTF-8 included) is "-".
        base = re.sub(rb"[^a-z0-9]+", b"-", title.encode("utf-8").lower()).strip(b"-").decode("ascii")
        suffix = secrets.token_hex(4)
        return f"{base}-{suffix}" if base else suffix


class Comment(db.Model):
    __tablename__ = "comments"
    # AUTOINCREMENT: a deleted comment's id is never given again (ruling 11).
    __table_args__ = {"sqlite_autoincrement": True}

    id = db.Column(db.Integer, primary_key=True)
    body = db.Column(db.String, nullable=False)
    article_id = db.Column(db.Integer, db.ForeignKey("articles.id", ondelete="CASCADE"), nullable=False, index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False)

    author = db.relationship(User, lazy="joined", innerjoin=True)
