"""Settings of the Conduit project, production configuration only.

Everything environment-specific comes from the parity environment contract (HOST, PORT, WORKERS,
DATABASE_PATH, SECRET_KEY). There is no debug mode: the target always runs the way it would be
deployed, and Django's HTML debug/error pages are replaced by JSON handlers (see conduit/urls.py).
"""
import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# gunicorn.conf.py refuses to serve without SECRET_KEY; the fallback is for manage.py commands.
SECRET_KEY = os.environ.get("SECRET_KEY") or "conduit-development-key-change-me"
DEBUG = False

# Only loopback is served. Nothing in the request path calls request.get_host(), but keep the
# list honest for anything that does.
ALLOWED_HOSTS = sorted({os.environ.get("HOST", "127.0.0.1"), "127.0.0.1", "localhost", "[::1]"})

# No django.contrib apps: the API has its own user model and token authentication (no sessions,
# no admin, no permissions tables), so contenttypes/auth/sessions would only add tables and work.
INSTALLED_APPS = [
    "common",
    "accounts",
    "articles",
]

# Trimmed on purpose (TechEmpower's Django entry does the same). Absent and why:
#  - SecurityMiddleware, XFrameOptions: browser hardening headers for HTML sites; this is an API.
#  - SessionMiddleware, AuthenticationMiddleware, MessageMiddleware: no sessions; auth is a token.
#  - CsrfViewMiddleware: CSRF protects cookie-authenticated forms; the API authenticates every
#    request with an Authorization header, which a cross-site form cannot send.
#  - CommonMiddleware: its APPEND_SLASH redirects are forbidden by the contract (a trailing slash
#    is an unknown path, 404) and Content-Length is set by ResponseFinishingMiddleware.
MIDDLEWARE = [
    "common.middleware.CorsMiddleware",
    "common.middleware.RequestBodyLimitMiddleware",
    "common.middleware.ResponseFinishingMiddleware",
    "common.middleware.ApiErrorMiddleware",
    "accounts.middleware.TokenAuthenticationMiddleware",
]

# `manage.py check --deploy` warns about the three middlewares left out above; they are left out
# on purpose (reasons above), so say so instead of living with the warnings.
SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W002", "security.W003"]

ROOT_URLCONF = "conduit.urls"
WSGI_APPLICATION = "conduit.wsgi.application"
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        # With DEBUG off Django wraps the app-directories loader in the cached loader.
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    },
]

# SQLite in WAL mode (set once at start-up, see gunicorn.conf.py) with a 5 s busy timeout; the
# custom backend opens every transaction with BEGIN IMMEDIATE (see common/sqlite/base.py).
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
