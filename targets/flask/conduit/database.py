"""SQLite set-up shared by every worker: engine options, per-connection
pragmas and schema creation.

Several gunicorn workers write to one SQLite file, so:
- WAL lets readers run while one writer commits;
- every connection waits up to 5 s for the write lock (``timeout``) instead of
  failing with "database is locked";
- pysqlite's default transaction handling is kept on purpose: it issues BEGIN
  only right before the first INSERT/UPDATE/DELETE, so a transaction takes the
  write lock as its first act and never has to upgrade a stale WAL read
  snapshot (SQLite answers SQLITE_BUSY_SNAPSHOT at once in that case, without
  waiting). Where a check and a write must be atomic (unique username/email),
  the view calls ``repo.lock()`` (BEGIN IMMEDIATE) first.
"""
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import QueuePool

from .extensions import db

ENGINE_OPTIONS = {
    # SQLAlchemy 1.4 defaults to NullPool (a new connection per request) for
    # SQLite files; a small pool per worker keeps connections and their pragmas.
    "poolclass": QueuePool,
    "pool_size": 8,
    "max_overflow": 8,
    "connect_args": {"timeout": 5.0, "check_same_thread": False},
}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
    cursor.close()


def init_db():
    """Create the schema (idempotent). Called once in the gunicorn master
    before the workers fork (gunicorn.conf.py), or by ``flask init-db``."""
    with db.engine.begin() as connection:
        connection.execute(text("PRAGMA journal_mode=WAL"))
    db.create_all()
    # The master must not hand open SQLite connections to forked workers.
    db.engine.dispose()
