"""Settings of the Conduit project, production configuration only.

Everything environment-specific comes from the parity environment contract (HOST, PORT, WORKERS,
DATABASE_PATH or DATABASE_URL, SECRET_KEY). There is no debug mode: the target always runs the
way it would be deployed, and Django's HTML debug/error pages are replaced by JSON handlers (see
conduit/urls.py), HTML ones for the web pages (web/errors.py).
"""
import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# gunicorn.conf.py refuses to serve without SECRET_KEY; the fallback is for manage.py commands.
SECRET_KEY = os.environ.get("SECRET_KEY") or "conduit-development-key-change-me"
DEBUG = False

# Only loopback is served. Nothing in the request path calls request.get_host(), but keep the
# list honest for anything that does.
ALLOWED_HOSTS = sorted({os.environ.get("HOST", "127.0.0.1"), "127.0.0.1", "localhost", "[::1]"})

# The JSON API has its own token authentication; the web pages (app ``web``) are a classic Django
# site: contrib.auth (with accounts.User as AUTH_USER_MODEL, which needs contenttypes),
# database-backed sessions, messages for the flash, CSRF middleware.
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "common",
    "accounts",
    "articles",
    "web",
]

# Trimmed on purpose (TechEmpower's Django entry does the same). Absent and why:
#  - SecurityMiddleware, XFrameOptions: browser hardening headers; they would be added to every
#    API response too, and the contract fixes the API's headers.
#  - CommonMiddleware: its APPEND_SLASH redirects are forbidden by the contract (a trailing slash
#    is an unknown path, 404) and Content-Length is set by ResponseFinishingMiddleware.
# Sessions, CSRF, authentication and messages serve the web pages (web/); the API's views are
# csrf_exempt (common.views.ApiView) and authenticate by token only (accounts.auth), so the
# session cookie signs nobody in there. All four are lazy (web.middleware's CSRF reads the
# session's token only for the views it protects): the API, /plaintext and /json never load a
# session, and a page without a session cookie costs no session query.
MIDDLEWARE = [
    "common.middleware.CorsMiddleware",
    "common.middleware.RequestBodyLimitMiddleware",
    "common.middleware.ResponseFinishingMiddleware",
    "common.middleware.ApiErrorMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "web.middleware.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.TokenAuthenticationMiddleware",
]

# `manage.py check --deploy` warns about the hardening middleware left out above and about the
# plain-HTTP session cookie below (parity serves loopback over HTTP); both on purpose.
SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W002", "security.W003", "security.W012"]

# Web pages: users are accounts.User, signed in by e-mail through the data layer.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
LOGIN_URL = "/login"

# Sessions live in the database (django_session): logout() flushes the row, so a session cookie
# kept from before the logout signs nobody in. The cookie: sessionid, HttpOnly, SameSite=Lax,
# Path=/, two weeks. Secure is left off only because parity serves plain HTTP on loopback.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_PATH = "/"
SESSION_COOKIE_SECURE = False

# CSRF tokens kept in the session (no csrftoken cookie): a token is bound to its session, and
# login rotates it. Failures answer the web app's 403 page.
CSRF_USE_SESSIONS = True
CSRF_FAILURE_VIEW = "web.errors.csrf_failure"

# Flash messages ride in the session too (no extra cookie).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

ROOT_URLCONF = "conduit.urls"
WSGI_APPLICATION = "conduit.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        # With DEBUG off Django wraps the app-directories loader in the cached loader.
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": [
            "django.contrib.auth.context_processors.auth",
            "django.contrib.messages.context_processors.messages",
        ]},
    },
]


def _postgresql(url):
    """DATABASES["default"] for a libpq URI: ``postgresql://USER[:PW]@HOST[:PORT]/DBNAME`` or,
    for a Unix socket, ``postgresql://USER@/DBNAME?host=/socket/dir&port=PORT`` (the ``host``
    query parameter wins over the netloc, as in libpq). Percent-escapes are decoded."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise ImproperlyConfigured(f"DATABASE_URL: scheme {parts.scheme!r}, expected postgresql://")
    query = parse_qs(parts.query)
    host = query.get("host", [parts.hostname or ""])[0]
    port = query.get("port", [str(parts.port) if parts.port else ""])[0]
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": port,
        # One connection per gunicorn thread, kept for the life of the thread: WORKERS x THREADS
        # connections in all, which must stay below the server's max_connections (README,
        # "Database"). Django 3.2 has no CONN_HEALTH_CHECKS; a connection that failed is closed
        # by Django at the end of its request and reopened by the next one.
        "CONN_MAX_AGE": None,
    }


# PostgreSQL exactly when DATABASE_URL is set (Django's own backend on psycopg2, READ COMMITTED,
# the session time zone set to UTC by Django). Otherwise SQLite in WAL mode (set once at start-up,
# see gunicorn.conf.py) with a 5 s busy timeout; that custom backend opens every transaction with
# BEGIN IMMEDIATE (see common/sqlite/base.py).
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": _postgresql(os.environ["DATABASE_URL"])}
else:
    DATABASES = {
        "default": {
            "ENGINE": "common.sqlite",
            "NAME": os.environ.get("DATABASE_PATH") or str(BASE_DIR / "conduit.sqlite3"),
            "OPTIONS": {"timeout": 5},
            # One connection per worker thread, kept for the life of the thread.
            "CONN_MAX_AGE": None,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# The data layer (common/repository): "orm" (Django's ORM, target django) or "sql" (hand-written
# SQL on connection.cursor(), target django-raw).
DATA_LAYER = os.environ.get("DATA_LAYER") or "orm"

# bcrypt with cost 10, as every parity target (accounts/hashers.py).
PASSWORD_HASHERS = ["accounts.hashers.BCryptCost10PasswordHasher"]

# Tokens: JWT HS256 signed with SECRET_KEY, subject = user id.
JWT_ALGORITHM = "HS256"
JWT_LIFETIME_DAYS = 60

# Request bodies: the contract accepts exactly 1 MiB and answers 413 above it. Django raises
# RequestDataTooBig past this limit; RequestBodyLimitMiddleware answers before Django reads.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
# The query string is bounded by gunicorn's request-line limit; Django's own field counter
# would turn a long query string into a 400 that the contract does not define.
DATA_UPLOAD_MAX_NUMBER_FIELDS = None

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_L10N = False
USE_TZ = True
DEFAULT_CHARSET = "utf-8"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    # Unexpected exceptions (the 500 handler) are logged with their traceback; 4xx are not.
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False}},
}
