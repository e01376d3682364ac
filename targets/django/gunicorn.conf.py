"""gunicorn configuration: the production setup of this target.

Run it (parity does the same, with the environment contract's variables):
    HOST=127.0.0.1 PORT=8000 WORKERS=2 DATABASE_PATH=/tmp/conduit.db SECRET_KEY=... \
        /usr/bin/python3 -m gunicorn -c gunicorn.conf.py conduit.wsgi:application

gthread workers, as TechEmpower's Django entry: WORKERS processes (one per CPU) with THREADS
threads each (default 4), so a worker waiting on SQLite's lock or on bcrypt does not idle its
CPU, and keep-alive connections are kept (the sync worker closes every connection). Each thread
keeps one database connection (CONN_MAX_AGE=None): on PostgreSQL, WORKERS x THREADS connections.
"""
import os
import sys

if not os.environ.get("SECRET_KEY"):
    sys.exit("conduit (gunicorn.conf.py): SECRET_KEY is not set; it signs every token")

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS") or os.cpu_count() or 1)
# gthread, answering the requests gunicorn itself rejects in JSON (conduit/worker.py).
worker_class = "conduit.worker.JsonErrorsThreadWorker"
threads = int(os.environ.get("THREADS") or 4)
keepalive = 5
# Production: no per-request access log, errors to stderr.
accesslog = None
errorlog = "-"
loglevel = "warning"
# SIGTERM: finish in-flight requests, but stop within parity's 5 s.
graceful_timeout = 2
timeout = 30
# Request lines up to 8 KiB (gunicorn's default is 4 KiB), as the other Python targets. Requests
# gunicorn cannot parse get gunicorn's own 400 page before Django runs.
limit_request_line = 8190


# Any fixed 64-bit key: the advisory lock that serialises `migrate` between servers.
MIGRATE_LOCK = 0x636F6E64756974  # "conduit"


def on_starting(server):
    """Runs once in the master, before any worker is forked: apply the migrations (creating
    the schema of a fresh database), so that workers never race to create tables.

    SQLite: the file is switched to WAL first. PostgreSQL: `migrate` runs under a session-level
    `pg_advisory_lock`, so several gunicorn masters started at once against one database (several
    target hosts) migrate one after the other; the later ones find nothing to do."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conduit.settings")
    import django
    from django.core.management import call_command
    from django.db import connection, connections

    django.setup()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK])
        else:
            cursor.execute("PRAGMA journal_mode = WAL")
    try:
        call_command("migrate", interactive=False, verbosity=0)
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK])
        # Workers are forked from this process: they must not inherit its connection.
        connections.close_all()


def post_worker_init(worker):
    """Once the worker has loaded the app, put everything loaded so far (modules, the app,
    mappers, URL patterns, compiled templates) in the garbage collector's permanent generation
    (Python's documented gc.freeze() for servers): a full collection then scans only the objects
    requests create, instead of stopping every thread of the worker for over 100 ms
    (bench/gc-freeze.txt)."""
    import gc

    gc.freeze()
