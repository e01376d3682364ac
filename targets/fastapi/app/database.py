"""SQLAlchemy engine, session factory and schema creation for SQLite.

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
"""
import os

from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import declarative_base, sessionmaker
from sqlalchemy.pool import QueuePool

from .config import get_settings

engine = create_engine(
    "sqlite:///" + os.path.abspath(get_settings().database_path),
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


@event.listens_for(engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
    cursor.close()


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
