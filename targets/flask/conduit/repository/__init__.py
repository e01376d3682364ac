"""The data layer: views reach the database only through ``repo``.

``DATA_LAYER`` (app config, from the environment) picks the implementation, so
the same app runs on either and the report can tell Flask's cost from the
data layer's:

- ``orm`` (default, target ``flask``): Flask-SQLAlchemy models and ORM
  queries (``orm.py``), what a Flask tutorial writes;
- ``sql`` (target ``flask-raw``): hand-written SQL run through SQLAlchemy
  Core's ``text()`` on the request session's connection (``sql.py``), one
  statement per article read, tags aggregated in SQL.

Both use Flask-SQLAlchemy's session per request (closed, and rolled back if
uncommitted, at the end of the app context) and implement the methods
documented in ``orm.OrmRepository``, returning the same shapes: user records
with ``id``, ``username``, ``email``, ``password_hash``, ``bio``, ``image``;
article handles with ``id`` and ``author_id``; and the contract's JSON dicts
for profiles, articles and comments (``conduit.serializers``). Transactions
stay the view's: ``repo.lock()`` (BEGIN IMMEDIATE on SQLite, nothing on
PostgreSQL, whose writers lock rows: ``article_handle(slug, for_update=True)``)
and ``repo.commit()``. Each is built for the app's backend (``sqlite`` or
``postgresql``, from its database URL).
"""
from flask import current_app
from sqlalchemy.engine import make_url
from werkzeug.local import LocalProxy

DATA_LAYERS = ("orm", "sql")


def init_app(app):
    """Create the app's repository for ``app.config["DATA_LAYER"]``."""
    layer = app.config["DATA_LAYER"]
    if layer == "sql":
        from .sql import SqlRepository as Repository
    elif layer == "orm":
        from .orm import OrmRepository as Repository
    else:
        raise RuntimeError(f"DATA_LAYER={layer!r}: expected one of {', '.join(DATA_LAYERS)}")
    backend = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    app.extensions["conduit.repository"] = Repository(backend)


repo = LocalProxy(lambda: current_app.extensions["conduit.repository"])
