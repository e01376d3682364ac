"""The data layer: one repository per request, chosen by ``DATA_LAYER``.

Routers talk to the database only through a repository, so the same app runs
on either implementation and the report can tell the framework's cost from the
data layer's:

- ``orm`` (default, target ``fastapi``): SQLAlchemy ORM models and queries
  (``orm.py``), what a FastAPI tutorial writes;
- ``sql`` (target ``fastapi-raw``): hand-written SQL run through SQLAlchemy
  Core's ``text()`` on a pooled connection (``sql.py``), one statement per
  article read, tags aggregated in SQL.

Both implement the methods documented in ``orm.OrmRepository`` and return the
same shapes: user records with ``id``, ``username``, ``email``,
``password_hash``, ``bio``, ``image``; article handles with ``id`` and
``author_id``; and the contract's JSON dicts for profiles, articles and
comments (built by :mod:`app.views`). Transactions stay the router's: it calls
``lock()`` (BEGIN IMMEDIATE on SQLite, nothing on PostgreSQL, which locks
the rows read with ``lock=True`` instead) and ``commit()``; closing the
repository rolls back whatever was not committed.
"""
from typing import AsyncIterator

from ..config import get_settings
from ..database import connection_slots

_DATA_LAYER = get_settings().data_layer
if _DATA_LAYER == "sql":
    from .sql import SqlRepository as Repository
elif _DATA_LAYER == "orm":
    from .orm import OrmRepository as Repository
else:
    raise RuntimeError(f"DATA_LAYER={_DATA_LAYER!r}: expected 'orm' or 'sql'")


async def get_repo() -> AsyncIterator[Repository]:
    """Dependency: one repository (session or connection) per request.

    ``async``: opening and closing are pool operations that never block on
    I/O, so they run on the event loop instead of costing a thread-pool hop.
    On PostgreSQL the pool is bounded: a request first waits for one of its
    connections on the loop (``connection_slots``), so the pool's checkout,
    which would block the whole loop, always finds one free."""
    if connection_slots is None:
        with Repository.open() as repo:
            yield repo
        return
    async with connection_slots:
        with Repository.open() as repo:
            yield repo
