"""The hand-written SQL data layer (target ``django-raw``): ``connection.cursor()``.

The same schema as the ORM (the migrations create it), reached with plain SQL on Django's
connection, rows read as tuples. What the ORM does in Python, SQL does here:

- one statement per article read: author joined, ``favoritesCount``, ``favorited``,
  ``following`` and the sorted ``tagList`` as columns;
- timestamps are written as Django writes a ``DateTimeField`` (``connection.ops``: the naive UTC
  text on SQLite, the aware value on PostgreSQL) and read in the API's shape by the database
  (an expression has no declared type, so Django's SQLite connection does not run its
  ``datetime`` converter, a regex per value);
- a list is two statements (count, page) whatever its length;
- an article's comments, favorites and tag links are deleted with it by SQL (Django's ORM
  cascades in Python; its foreign keys have no ON DELETE).

One SQL text serves both backends: ``%s`` placeholders only (Django's cursor turns them into
SQLite's ``?``; psycopg2 takes them as they are), ``INSERT ... RETURNING id`` (SQLite 3.35+),
``INSERT ... ON CONFLICT DO NOTHING``, ``EXISTS`` (1 on SQLite, true on PostgreSQL: read through
``bool()``). Two expressions differ and come from ``_DIALECTS``: the timestamp's text and the
sorted tag list (SQLite 3.40 has no ``ORDER BY`` inside aggregates: ``json_group_array`` over an
ordered subquery; PostgreSQL has ``ARRAY(subquery)``, read by psycopg2 as a list).

Views still open ``transaction.atomic()`` where a read decides a write (BEGIN IMMEDIATE on
SQLite; on PostgreSQL the article handle is then read ``FOR UPDATE``); the cursor runs inside it.
"""
import json
from collections import namedtuple
from datetime import timezone

from django.db import IntegrityError, connection

from common.timestamps import later_than, now_ms

from .shapes import article_view, comment_view, profile_view

UserRecord = namedtuple("UserRecord", "id username email password bio image")
ArticleHandle = namedtuple("ArticleHandle", "id author_id updated_at")
Dialect = namedtuple("Dialect", "timestamp tags decode_tags")

_TAG_NAMES = ("SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id"
              " WHERE x.article_id = a.id ORDER BY t.name")

# timestamp: a stored timestamp as the API shows it, 2026-11-23T18:32:05.123Z ("%%" is "%" once
# Django's SQLite cursor has rewritten the statement: every statement using it has parameters).
# tags: the article's tag names in byte order (the database's collation is C on PostgreSQL,
# BINARY on SQLite).
_DIALECTS = {
    "sqlite": Dialect(
        timestamp="strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', {})",
        tags=f"(SELECT json_group_array(name) FROM ({_TAG_NAMES}))",
        decode_tags=json.loads,
    ),
    "postgresql": Dialect(
        timestamp="""to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')""",
        tags=f"ARRAY({_TAG_NAMES})",
        decode_tags=list,
    ),
}
_SQL = _DIALECTS[connection.vendor]


def _ts(column):
    return _SQL.timestamp.format(column)


def _stored(value):
    """An aware datetime as Django stores it in a DateTimeField on this backend."""
    return connection.ops.adapt_datetimefield_value(value)


def _api_time(value):
    """A naive UTC datetime as the API shows it: 2026-11-23T18:32:05.123Z."""
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}Z"


_USER = "SELECT id, username, email, password, bio, image FROM users WHERE "
_USER_COLUMNS = ("username", "email", "password", "bio", "image")

# The article columns; {body} is "a.body" or "NULL" (lists leave it out). Its two parameters
# are the viewer's id, twice (NULL for anonymous requests, which makes both EXISTS false).
_ARTICLE = f"""
SELECT a.slug, a.title, a.description, {{body}}, {_ts("a.created_at")}, {_ts("a.updated_at")},
       u.username, u.bio, u.image,
       (SELECT count(*) FROM favorites f WHERE f.article_id = a.id),
       EXISTS (SELECT 1 FROM favorites f WHERE f.article_id = a.id AND f.user_id = %s),
       EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = %s AND w.followee_id = a.author_id),
       {_SQL.tags}
FROM articles a JOIN users u ON u.id = a.author_id
"""
_ARTICLE_BY_SLUG = _ARTICLE.format(body="a.body") + "WHERE a.slug = %s"
# One parameter each, in this order.
_FILTERS = {
    "tag": "a.id IN (SELECT x.article_id FROM article_tags x JOIN tags t ON t.id = x.tag_id"
           " WHERE t.name = %s)",
    "author": "a.author_id IN (SELECT id FROM users WHERE username = %s)",
    "favorited": "a.id IN (SELECT f.article_id FROM favorites f JOIN users fu ON fu.id = f.user_id"
                 " WHERE fu.username = %s)",
    "feed_of": "a.author_id IN (SELECT followee_id FROM follows WHERE follower_id = %s)",
}
_PAGE_ORDER = " ORDER BY a.created_at DESC, a.id DESC LIMIT %s OFFSET %s"
_COMMENTS = f"""
SELECT c.id, {_ts("c.created_at")}, {_ts("c.updated_at")}, c.body, u.username, u.bio, u.image,
       EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = %s AND w.followee_id = c.author_id)
FROM comments c JOIN users u ON u.id = c.author_id
WHERE c.article_id = %s ORDER BY c.id
"""
_LATEST = (f"SELECT a.slug, a.title, u.username, {_ts('a.created_at')} FROM articles a JOIN users u"
           " ON u.id = a.author_id ORDER BY a.created_at DESC, a.id DESC LIMIT %s")


def _article_json(row):
    (slug, title, description, body, created, updated, username, bio, image, count, favorited,
     following, tags) = row
    return article_view(slug, title, description, body, _SQL.decode_tags(tags), created, updated,
                        bool(favorited), count,
                        profile_view(username, bio, image, following))


class SqlRepository:
    """See ``orm.OrmRepository`` for what each method promises."""

    @staticmethod
    def _run(sql, params=None):
        """Execute and return the cursor's rows (all of them)."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def _one(self, sql, params=None):
        rows = self._run(sql, params)
        return rows[0] if rows else None

    # users -----------------------------------------------------------------------------------

    def _user(self, where, value):
        row = self._one(_USER + where, [value])
        return UserRecord(*row) if row is not None else None

    def user_by_id(self, user_id):
        return self._user("id = %s", user_id)

    def user_by_email(self, email):
        return self._user("email = %s", email)

    def user_by_username(self, username):
        return self._user("username = %s", username)

    def taken_fields(self, username, email, exclude_id=None):
        if username is None and email is None:
            return []
        rows = self._run("SELECT username, email FROM users WHERE (username = %s OR email = %s)"
                         " AND (%s IS NULL OR id != %s)", [username, email, exclude_id, exclude_id])
        taken = []
        if username is not None and any(row[0] == username for row in rows):
            taken.append("username")
        if email is not None and any(row[1] == email for row in rows):
            taken.append("email")
        return taken

    def create_user(self, username, email, password_hash):
        (user_id,) = self._one("INSERT INTO users (username, email, password, bio, image)"
                               " VALUES (%s, %s, %s, NULL, NULL) RETURNING id",
                               [username, email, password_hash])
        return UserRecord(user_id, username, email, password_hash, None, None)

    def update_user(self, user, changes):
        columns = [name for name in _USER_COLUMNS if name in changes]  # never a caller's string in SQL
        if columns:
            assignments = ", ".join(f"{name} = %s" for name in columns)
            self._run(f"UPDATE users SET {assignments} WHERE id = %s",
                      [changes[name] for name in columns] + [user.id])
        return user._replace(**{name: changes[name] for name in columns})

    # profiles --------------------------------------------------------------------------------

    def is_following(self, viewer_id, user_id):
        if viewer_id is None:
            return False
        return bool(self._one("SELECT EXISTS (SELECT 1 FROM follows WHERE follower_id = %s"
                              " AND followee_id = %s)", [viewer_id, user_id])[0])

    def follow(self, viewer_id, user_id):
        self._run("INSERT INTO follows (follower_id, followee_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                  [viewer_id, user_id])

    def unfollow(self, viewer_id, user_id):
        self._run("DELETE FROM follows WHERE follower_id = %s AND followee_id = %s", [viewer_id, user_id])

    # articles --------------------------------------------------------------------------------

    def list_articles(self, viewer_id, limit, offset, tag=None, author=None, favorited=None,
                      feed_of=None):
        given = {"tag": tag, "author": author, "favorited": favorited, "feed_of": feed_of}
        names = [name for name in _FILTERS if given[name] is not None]
        params = [given[name] for name in names]
        where = (" WHERE " + " AND ".join(_FILTERS[name] for name in names)) if names else ""
        count = self._one("SELECT count(*) FROM articles a" + where, params)[0]
        rows = self._run(_ARTICLE.format(body="NULL") + where + _PAGE_ORDER,
                         [viewer_id, viewer_id, *params, limit, offset])
        return [_article_json(row) for row in rows], count

    def article_by_slug(self, slug, viewer_id):
        row = self._one(_ARTICLE_BY_SLUG, [viewer_id, viewer_id, slug])
        return _article_json(row) if row is not None else None

    def article_handle(self, slug, lock=False):
        # FOR UPDATE where the backend has it (PostgreSQL; see orm.OrmRepository.article_handle).
        for_update = " FOR UPDATE" if lock and connection.features.has_select_for_update else ""
        row = self._one("SELECT id, author_id, updated_at FROM articles WHERE slug = %s" + for_update,
                        [slug])
        return ArticleHandle(*row) if row is not None else None

    def slug_taken(self, slug):
        return bool(self._one("SELECT EXISTS (SELECT 1 FROM articles WHERE slug = %s)", [slug])[0])

    def _link_tags(self, article_id, names):
        if not names:
            return
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO tags (name) VALUES (%s) ON CONFLICT DO NOTHING",
                               [[name] for name in names])
            cursor.executemany("INSERT INTO article_tags (article_id, tag_id)"
                               " SELECT %s, id FROM tags WHERE name = %s",
                               [[article_id, name] for name in names])

    def create_article(self, author_id, slug, title, description, body, tags):
        created = _stored(now_ms())
        (article_id,) = self._one(
            "INSERT INTO articles (slug, title, description, body, author_id, created_at, updated_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [slug, title, description, body, author_id, created, created])
        self._link_tags(article_id, tags)

    def update_article(self, article, changes, tags):
        updated = _stored(later_than(article.updated_at.replace(tzinfo=timezone.utc)))
        columns = [name for name in ("title", "description", "body") if name in changes]
        assignments = "".join(f"{name} = %s, " for name in columns)
        self._run(f"UPDATE articles SET {assignments}updated_at = %s WHERE id = %s",
                  [changes[name] for name in columns] + [updated, article.id])
        if tags is not None:
            self._run("DELETE FROM article_tags WHERE article_id = %s", [article.id])
            self._link_tags(article.id, tags)

    def delete_article(self, article):
        # Inside the view's atomic block: the article and what hangs off it go together.
        for table in ("comments", "favorites", "article_tags"):
            self._run(f"DELETE FROM {table} WHERE article_id = %s", [article.id])
        self._run("DELETE FROM articles WHERE id = %s", [article.id])

    def favorite(self, user_id, article):
        try:
            self._run("INSERT INTO favorites (user_id, article_id) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                      [user_id, article.id])
        except IntegrityError:  # foreign key: the article was deleted since the lookup
            return False  # (autocommit: on PostgreSQL the deferred check runs at this statement)
        return True

    def unfavorite(self, user_id, article):
        self._run("DELETE FROM favorites WHERE user_id = %s AND article_id = %s", [user_id, article.id])

    # comments --------------------------------------------------------------------------------

    def add_comment(self, article, author, body):
        """One autocommit ``INSERT ... SELECT``: the article's existence and the insert are one
        statement, so a delete committed before it leaves nothing to insert. On PostgreSQL a
        delete still in flight is not seen by the SELECT: the foreign key check then waits for it
        and fails (IntegrityError), which means the same: the article is gone."""
        created = now_ms()
        try:
            row = self._one(
                "INSERT INTO comments (article_id, author_id, body, created_at, updated_at)"
                " SELECT id, %s, %s, %s, %s FROM articles WHERE id = %s RETURNING id",
                [author.id, body, _stored(created), _stored(created), article.id])
        except IntegrityError:
            return None
        if row is None:
            return None
        comment_id = row[0]
        # Following yourself is allowed, so even your own comment may say true.
        profile = profile_view(author.username, author.bio, author.image,
                               self.is_following(author.id, author.id))
        created_at = _api_time(created.replace(tzinfo=None))
        return comment_view(comment_id, created_at, created_at, body, profile)

    def list_comments(self, article, viewer_id):
        rows = self._run(_COMMENTS, [viewer_id, article.id])
        return [comment_view(comment_id, created, updated, body,
                             profile_view(username, bio, image, following))
                for comment_id, created, updated, body, username, bio, image, following in rows]

    def comment_author(self, article, comment_id):
        row = self._one("SELECT author_id FROM comments WHERE id = %s AND article_id = %s",
                        [comment_id, article.id])
        return row[0] if row is not None else None

    def delete_comment(self, comment_id):
        self._run("DELETE FROM comments WHERE id = %s", [comment_id])

    # tags and the page -----------------------------------------------------------------------

    def tag_names(self):
        rows = self._run("SELECT name FROM tags t WHERE EXISTS (SELECT 1 FROM article_tags x"
                         " WHERE x.tag_id = t.id) ORDER BY name")
        return [name for (name,) in rows]

    def latest_titles(self, limit=20):
        rows = self._run(_LATEST, [limit])
        return [{"slug": slug, "title": title, "username": username, "created_at": created}
                for slug, title, username, created in rows]
