"""gunicorn settings for the Conduit Flask app (production configuration).

Every value comes from parity's environment contract and can be overridden on
the command line. See README.md for why gthread.
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS") or os.cpu_count() or 1)
# gthread: keep-alive connections (the sync worker closes every connection)
# and a few threads per process to overlap SQLite/bcrypt waits.
worker_class = "gunicorn_worker.JSONErrorThreadWorker"  # gthread, with JSON parse errors
threads = int(os.environ.get("THREADS", "4"))
keepalive = 5
# Request lines up to 8 KiB (nginx's default) rather than 4 KiB.
limit_request_line = 8190
accesslog = None
errorlog = "-"
loglevel = "warning"
# SIGTERM must stop the server within 5 s (parity's contract).
graceful_timeout = 3
timeout = 30


def on_starting(server):
    """Create the schema once, in the master, before any worker forks."""
    from conduit import create_app
    from conduit.database import init_db

    with create_app().app_context():
        init_db()


def post_worker_init(worker):
    """Once the worker has loaded the app, put everything loaded so far (modules, the app,
    mappers, URL patterns, compiled templates) in the garbage collector's permanent generation
    (Python's documented gc.freeze() for servers): a full collection then scans only the objects
    requests create, instead of stopping every thread of the worker for over 100 ms
    (bench/gc-freeze.txt)."""
    import gc

    gc.freeze()
