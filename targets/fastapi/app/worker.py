"""gunicorn worker class: uvicorn with uvloop and httptools, no access log.

uvicorn's own UvicornWorker picks loop/http "auto" (silently falling back to
asyncio and h11) and keeps an access logger; this one insists on the fast
implementations and turns the per-request log off. uvicorn's timer-driven
Date header is off too: DefaultHeadersMiddleware sends a fresh one.
"""
from uvicorn.workers import UvicornWorker


class ConduitUvicornWorker(UvicornWorker):
    CONFIG_KWARGS = {"loop": "uvloop", "http": "httptools", "access_log": False, "date_header": False}
