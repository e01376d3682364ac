"""The data layer: views reach the database only through ``repo``.

``settings.DATA_LAYER`` (from the environment) picks the implementation, so the same project
runs on either and the report can tell Django's cost from the ORM's:

- ``orm`` (default, target ``django``): Django's ORM, querysets and model instances (``orm.py``);
- ``sql`` (target ``django-raw``): hand-written SQL on ``django.db.connection.cursor()``
  (``sql.py``), one statement per article read, tags aggregated in SQL.

Both run on Django's connection (per thread, kept with CONN_MAX_AGE; SQLite, or PostgreSQL when
DATABASE_URL is set) and inside the views' ``transaction.atomic()`` blocks (BEGIN IMMEDIATE on
SQLite, common/sqlite/base.py; READ COMMITTED on PostgreSQL); both implement the
methods documented in ``orm.OrmRepository`` and return the same shapes: user records with
``id``, ``username``, ``email``, ``password`` (the hash), ``bio``, ``image``; article handles
with ``id``, ``author_id`` and ``updated_at``; and the contract's JSON dicts for profiles,
articles and comments.
"""
from django.conf import settings

if settings.DATA_LAYER == "sql":
    from .sql import SqlRepository as _Repository
elif settings.DATA_LAYER == "orm":
    from .orm import OrmRepository as _Repository
else:
    raise RuntimeError(f"DATA_LAYER={settings.DATA_LAYER!r}: expected 'orm' or 'sql'")

repo = _Repository()
