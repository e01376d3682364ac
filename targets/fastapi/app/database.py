"""SQLAlchemy engine, session factory and schema creation: SQLite, or PostgreSQL
when ``DATABASE_URL`` is set.

Plain synchronous SQLAlchemy, called from ``async def`` endpoints on the event
loop. SQLite is a library in this process, not a server: a query is CPU work
measured in microseconds, like rendering JSON, and never waits on a socket. A
thread-pool hop costs more than most queries (anyio's round trip was 65-78 us
here, ~5 per request with ``def`` endpoints and dependencies) and adds GIL
hand-offs, and an async driver (aiosqlite, not in Debian 12) runs the same
driver in a thread. The endpoints never ``await`` inside a transaction, so a
request that holds SQLite's write lock never lets another one run on this
loop (which would then wait on the lock and stall the loop).

Several gunicorn workers share one SQLite file:
- WAL lets readers run while one writer commits;
- every connection waits up to 5 s for the write lock (``timeout``);
- pysqlite's default transaction handling is kept: it sends BEGIN right before
  the first INSERT/UPDATE/DELETE, so a write transaction takes the write lock
  as its first act and never holds a stale WAL snapshot (which SQLite refuses
  at once with SQLITE_BUSY_SNAPSHOT, without waiting). Where a check and a
  write must be atomic, the router calls :func:`begin_immediate` first.

PostgreSQL (psycopg2, Debian's python3-psycopg2) keeps the same shape: the
queries still run on the event loop (a round trip on the Unix socket is tens
of microseconds, and the async alternative, asyncpg, is not in Debian 12),
but COMMIT, which waits for the WAL flush, runs in a thread
(:func:`commit_in_thread`). No ``await`` between a request's first write and
its commit but the commit itself, which needs no loop to finish: a statement
waiting on a row lock waits on another process or a committing thread, never
on a request suspended on this loop. There is no global write
lock: each transaction runs at READ COMMITTED, rows about to change are
locked with ``SELECT ... FOR NO KEY UPDATE`` and the unique constraints
decide races (the routers answer a unique violation, SQLSTATE 23505, as the
409/422 their check would have given). The pool is bounded per worker
(``DB_POOL_SIZE``, no overflow) and :data:`connection_slots` makes a
request wait for a connection on the loop, never inside the pool's blocking
checkout (which would stall the loop that the holders need to finish).
"""
import asyncio
import os
from typing import Callable, Optional

import anyio.to_thread
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from .config import get_settings

_settings = get_settings()


def _postgres_url(url: str) -> str:
    """SQLAlchemy's name for the libpq URI: only the scheme changes (the
    ``?host=/socket/dir&port=N`` query goes to psycopg2 as it is)."""
    _scheme, separator, rest = url.partition("://")
    if not separator:
        raise RuntimeError("DATABASE_URL: expected postgresql://...")
    return "postgresql+psycopg2://" + rest


if _settings.database_url:
    IS_POSTGRES = True
    engine = create_engine(
        _postgres_url(_settings.database_url),
        # Connections are used by this worker's event loop only, one per
        # request in progress; more requests than connections wait for a slot
        # (connection_slots), so the pool never makes the loop wait. No
        # overflow: an overflow connection is closed when given back, i.e. a
        # new server process forked per request under load; waiting for one
        # of the kept connections is far cheaper.
        poolclass=QueuePool,
        pool_size=_settings.db_pool_size,
        max_overflow=0,
        pool_timeout=5,
        # No pool_pre_ping: a loopback server does not drop idle connections;
        # a restarted one costs the requests in flight, then the pool reconnects.
        future=True,
    )
    connection_slots: Optional[asyncio.Semaphore] = asyncio.Semaphore(_settings.db_pool_size)
    # Ids are INTEGER (SERIAL) columns: a larger number names no row, and is
    # answered 404 before any query.
    MAX_ID = 2**31 - 1
else:
    IS_POSTGRES = False
    connection_slots = None
    MAX_ID = 2**63 - 1  # SQLite's INTEGER PRIMARY KEY

    engine = create_engine(
        "sqlite:///" + os.path.abspath(_settings.database_path),
        # SQLAlchemy 1.4 would open a new connection per request (NullPool) for
        # SQLite files. Only the event loop's thread uses connections, one per
        # request in progress (held from its first query until its answer is
        # sent); a few stay open, and more are opened rather than waited for:
        # waiting would block the loop the holders need to finish.
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=-1,
        connect_args={"timeout": 5.0, "check_same_thread": False},
        future=True,
    )

# Objects stay readable after commit: routers answer from them without a reload.
SessionLocal = sessionmaker(bind=engine, expire_on_commit=False, future=True)

Base = declarative_base()


if not IS_POSTGRES:

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
        cursor.close()


_commit_limiter = None  # anyio.CapacityLimiter, made in the worker's loop on first use


async def commit_in_thread(commit: Callable[[], None]) -> None:
    """Run a PostgreSQL COMMIT in a thread: it waits for the WAL flush (an
    fsync, milliseconds on a busy disk), which on the event loop would hold
    up every other request of this worker. The loop serves them meanwhile;
    a request that waits on this transaction's row locks waits on a thread
    that does not need the loop, so it cannot deadlock. Its own limiter, one
    token per connection slot, so commits never queue behind bcrypt."""
    global _commit_limiter
    if _commit_limiter is None:
        _commit_limiter = anyio.CapacityLimiter(_settings.db_pool_size)
    await anyio.to_thread.run_sync(commit, limiter=_commit_limiter)


# pg_advisory_xact_lock key serialising schema creation ("conduit" in ASCII).
_SCHEMA_LOCK_KEY = 0x636F6E64756974


def init_db() -> None:
    """Create the schema (idempotent). Runs once in the gunicorn master before
    the workers fork (gunicorn.conf.py), or by ``python -m app.database``.

    On PostgreSQL, CREATE TABLE IF NOT EXISTS is not safe against a concurrent
    one (both see no table, one fails on the catalog's unique index): several
    masters sharing a server (one per machine) would race, so the check and
    the CREATEs run in one transaction under an advisory lock."""
    from . import models  # noqa: F401  (registers the tables)

    if IS_POSTGRES:
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK_KEY})
            Base.metadata.create_all(connection)
    else:
        with engine.connect() as connection:
            connection.execute(text("PRAGMA journal_mode=WAL"))
        Base.metadata.create_all(engine)
    # The master must not hand open connections to forked workers.
    engine.dispose()


def is_unique_violation(error: IntegrityError) -> bool:
    """True for a UNIQUE (or primary key) violation: SQLSTATE 23505 on
    PostgreSQL, SQLITE_CONSTRAINT_UNIQUE/PRIMARYKEY on SQLite."""
    if IS_POSTGRES:
        return getattr(error.orig, "pgcode", None) == "23505"
    return getattr(error.orig, "sqlite_errorname", "") in ("SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY")


if __name__ == "__main__":
    init_db()
