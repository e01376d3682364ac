"""The database set-up shared by every worker: engine options per backend,
SQLite's per-connection pragmas, and schema creation.

SQLite (the default, ``DATABASE_PATH``). Several gunicorn workers write to one
file, so:
- WAL lets readers run while one writer commits;
- every connection waits up to 5 s for the write lock (``timeout``) instead of
  failing with "database is locked";
- pysqlite's default transaction handling is kept on purpose: it issues BEGIN
  only right before the first INSERT/UPDATE/DELETE, so a transaction takes the
  write lock as its first act and never has to upgrade a stale WAL read
  snapshot (SQLite answers SQLITE_BUSY_SNAPSHOT at once in that case, without
  waiting). Where a check and a write must be atomic (unique username/email),
  the view calls ``repo.lock()`` (BEGIN IMMEDIATE) first.

PostgreSQL (``DATABASE_URL``, psycopg2). No file lock: writers take row locks,
so ``repo.lock()`` does nothing there; an article about to be written is read
``FOR UPDATE`` (``repo.article_handle(slug, for_update=True)``), and the unique
indexes settle races on usernames, emails and slugs (the loser's INSERT fails
with SQLSTATE 23505: a 409, see ``conduit.users``). READ COMMITTED, the
default: no statement here needs a serialization retry.
"""
import os
import sqlite3

from sqlalchemy import event, func, select, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import QueuePool

from .extensions import db

# Requests one gunicorn worker serves at once (gunicorn.conf.py reads the same variable).
THREADS = int(os.environ.get("THREADS", "4"))

SQLITE_ENGINE_OPTIONS = {
    # SQLAlchemy 1.4 defaults to NullPool (a new connection per request) for
    # SQLite files; a small pool per worker keeps connections and their pragmas.
    "poolclass": QueuePool,
    "pool_size": 8,
    "max_overflow": 8,
    "connect_args": {"timeout": 5.0, "check_same_thread": False},
}

# PostgreSQL: a connection is a server process, so each worker keeps exactly
# what its threads can use at once. A request holds one connection (its
# Flask-SQLAlchemy session) from its first query to the end of the app
# context, and a worker runs THREADS requests at a time: pool_size=THREADS
# never makes a thread wait, and a worker never opens more (max_overflow=0).
# The cluster sees WORKERS x THREADS connections (16 for 4 x 4), well under
# max_connections (100 by default). pool_timeout bounds a wait that cannot
# happen unless someone raises THREADS without restarting the pool.
POSTGRES_ENGINE_OPTIONS = {
    "pool_size": THREADS,
    "max_overflow": 0,
    "pool_timeout": 10,
}

# pg_advisory_xact_lock key for schema creation (any constant of this app).
_SCHEMA_LOCK = 0x636F6E64  # "cond"


def is_postgres(uri):
    return make_url(uri).get_backend_name() == "postgresql"


def engine_options(uri):
    """SQLALCHEMY_ENGINE_OPTIONS for the database at ``uri``."""
    return dict(POSTGRES_ENGINE_OPTIONS if is_postgres(uri) else SQLITE_ENGINE_OPTIONS)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return  # PostgreSQL: nothing to set per connection
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
    cursor.close()


def init_db():
    """Create the schema (idempotent). Called once in the gunicorn master
    before the workers fork (gunicorn.conf.py), or by ``flask init-db``.

    On PostgreSQL, CREATE TABLE IF NOT EXISTS is not safe against itself
    (two sessions can both see no table and one fails on the catalog's
    unique index), so the check-and-create runs in one transaction holding
    an advisory lock: a second ``init_db`` at the same moment (another
    master, a ``flask init-db``) waits, then finds the tables."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(select(func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
            db.metadata.create_all(bind=connection)
    else:
        with db.engine.begin() as connection:
            connection.execute(text("PRAGMA journal_mode=WAL"))
        db.create_all()
    # The master must not hand open connections to forked workers.
    db.engine.dispose()
