"""gunicorn settings for the Conduit FastAPI app (production configuration).

gunicorn manages the processes (restarting a dead worker, graceful stop on
SIGTERM, schema creation before the fork); each worker is a uvicorn server
with uvloop and httptools. See README.md.
"""
import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WORKERS") or os.cpu_count() or 1)
worker_class = "app.worker.ConduitUvicornWorker"
keepalive = 5
accesslog = None
errorlog = "-"
loglevel = "warning"
# SIGTERM must stop the server within 5 s (parity's contract).
graceful_timeout = 3
timeout = 30


def on_starting(server):
    """Create the schema once, in the master, before any worker forks."""
    from app.database import init_db

    init_db()


def post_worker_init(worker):
    """Once the worker has loaded the app, put everything loaded so far (modules, the app,
    mappers, URL patterns, compiled templates) in the garbage collector's permanent generation
    (Python's documented gc.freeze() for servers): a full collection then scans only the objects
    requests create, instead of stopping every thread of the worker for over 100 ms
    (bench/gc-freeze.txt)."""
    import gc

    gc.freeze()
