"""SQLAlchemy engine, session factory and schema creation for SQLite.

Plain synchronous SQLAlchemy, used from ``def`` endpoints that FastAPI runs in
its thread pool: the sqlite3 driver is blocking and local, so an async driver
would only add a hop (aiosqlite runs the same driver in a thread anyway), and
SQLAlchemy 1.4's asyncio extension needs that driver, which Debian lacks.

Several gunicorn workers share one SQLite file:
- WAL lets readers run while one writer commits;
- every connection waits up to 5 s for the write lock (``timeout``);
- pysqlite's default transaction handling is kept: it sends BEGIN right before
  the first INSERT/UPDATE/DELETE, so a write transaction takes the write lock
  as its first act and never holds a stale WAL snapshot (which SQLite refuses
  at once with SQLITE_BUSY_SNAPSHOT, without waiting). Where a check and a
  write must be atomic, the router calls :func:`begin_immediate` first.
"""
import os
from typing import Iterator

from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import Session, declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from .config import get_settings

engine = create_engine(
    "sqlite:///" + os.path.abspath(get_settings().database_path),
    # SQLAlchemy 1.4 would open a new connection per request (NullPool) for
    # SQLite files; FastAPI's thread pool has 40 threads per worker.
    poolclass=QueuePool,
    pool_size=10,
    max_overflow=30,
    connect_args={"timeout": 5.0, "check_same_thread": False},
    future=True,
)

# Objects stay readable after commit: routers answer from them without a reload.
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False, future=True)

Base = declarative_base()


@event.listens_for(engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
    cursor.close()


def get_db() -> Iterator[Session]:
    """Dependency: one session per request, closed (and rolled back) after it."""
    with SessionLocal() as session:
        yield session


def begin_immediate(db: Session) -> None:
    """Take SQLite's write lock now, for a read-then-write that must be atomic."""
    db.execute(text("BEGIN IMMEDIATE"))


def init_db() -> None:
    """Create the schema (idempotent). Runs once in the gunicorn master before
    the workers fork (gunicorn.conf.py), or by ``python -m app.database``."""
    from . import models  # noqa: F401  (registers the tables)

    with engine.connect() as connection:
        connection.execute(text("PRAGMA journal_mode=WAL"))
    Base.metadata.create_all(engine)
    # The master must not hand open SQLite connections to forked workers.
    engine.dispose()


if __name__ == "__main__":
    init_db()
