"""Configuration from the environment (parity's environment contract)."""
import os


def database_uri(environ=os.environ):
    """SQLAlchemy's URL for the database: PostgreSQL exactly when DATABASE_URL
    is set and non-empty (a libpq URI, ``postgresql://USER@/DB?host=/socket/dir&port=N``
    or ``postgresql://USER:PW@HOST:PORT/DB``), else the SQLite file DATABASE_PATH.
    Only the scheme changes: SQLAlchemy picks the driver from it (psycopg2), and
    hands the query (``host``, ``port``, ...) to libpq as connection arguments."""
    url = environ.get("DATABASE_URL")
    if url:
        scheme, sep, rest = url.partition("://")
        if not sep or scheme not in ("postgres", "postgresql"):
            raise RuntimeError(f"DATABASE_URL: expected postgresql://..., got {scheme!r}")
        return "postgresql+psycopg2://" + rest
    return "sqlite:///" + os.path.abspath(environ.get("DATABASE_PATH", "conduit.db"))


class Config:
    """Production settings; every value can come from the environment."""

    # Signs the API's JWTs, the session cookie and Flask-WTF's CSRF tokens (each
    # with its own salt or format). It comes from the environment, so every
    # gunicorn worker holds the same key: a cookie or token made by one worker
    # is accepted by the others.
    SECRET_KEY = os.environ.get("SECRET_KEY", "change-me")
    # SQLite (DATABASE_PATH) by default, PostgreSQL when DATABASE_URL is set;
    # the engine options follow the URL (conduit.database.engine_options).
    SQLALCHEMY_DATABASE_URI = database_uri()
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # Off in production; SQLALCHEMY_RECORD_QUERIES=1 lets a developer count the
    # queries of a request (see README: lists run a constant number of them).
    SQLALCHEMY_RECORD_QUERIES = os.environ.get("SQLALCHEMY_RECORD_QUERIES") == "1"
    # Werkzeug only enforces this for form parsing; conduit.limits applies it to
    # every request (Content-Length and chunked bodies alike).
    MAX_CONTENT_LENGTH = 1024 * 1024
    JWT_EXPIRES_SECONDS = 60 * 24 * 3600
    BCRYPT_ROUNDS = 10
    # The web pages' session: Flask's signed cookie "session", not readable from
    # JavaScript (HttpOnly, Flask's default), not sent with cross-site POSTs
    # (SameSite=Lax), for the whole site (Path=/, from APPLICATION_ROOT).
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Flask-Login: "basic" (its default) marks a session that moves to another
    # IP address or browser as not fresh; what ends a session server-side is
    # the per-user session token (conduit.web.session).
    SESSION_PROTECTION = "basic"
    # Flask-WTF: CSRF on every form (the JSON API, token-authenticated, is
    # exempt: conduit.create_app); a token is valid for an hour.
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = 3600
    # "orm" (Flask-SQLAlchemy models, target flask) or "sql" (hand-written SQL
    # through SQLAlchemy Core, target flask-raw): see conduit/repository.
    DATA_LAYER = os.environ.get("DATA_LAYER", "orm")
