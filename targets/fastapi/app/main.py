"""Conduit (RealWorld) blog on FastAPI, its JSON API and its web pages: ``app.main:app``."""
import anyio.to_thread
from fastapi import FastAPI

from .config import get_settings
from .errors import register_exception_handlers
from .middleware import (
    BodySizeLimitMiddleware,
    DefaultHeadersMiddleware,
    HeadAsGetMiddleware,
    HostHeaderMiddleware,
    PreflightMiddleware,
)
from .paths import RawPathMiddleware
from .responses import JSONResponse
from .routers import articles, comments, pages, profiles, tags, users
from .web import articles as web_articles
from .web import auth as web_auth
from .web.handlers import register_page_error_handlers
from .web.sessions import WebSessionMiddleware


def create_app() -> FastAPI:
    app = FastAPI(
        title="Conduit",
        default_response_class=JSONResponse,
        # Every path belongs to the contract: no /docs, /redoc, /openapi.json.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    # A trailing slash is another (unknown) path: 404, never a redirect.
    app.router.redirect_slashes = False

    for module in (users, profiles, articles, comments, tags, pages, web_auth, web_articles):
        app.include_router(module.router)
    register_exception_handlers(app)
    register_page_error_handlers(app)

    @app.on_event("startup")
    async def size_thread_pool() -> None:
        # Only bcrypt still runs in threads (see routers/users.py); anyio's
        # default of 40 would let 40 hashes share this worker's CPU at once.
        anyio.to_thread.current_default_thread_limiter().total_tokens = get_settings().blocking_threads

    # add_middleware wraps: the last added runs first. Order of the checks:
    # Date and CORS headers on everything, the Host rules (RFC 9112 3.2), 413,
    # then OPTIONS, then HEAD-as-GET, then routing on the raw path (paths.py),
    # then the pages' cookie session (not for the API: app/web/sessions.py).
    settings = get_settings()
    app.add_middleware(
        WebSessionMiddleware,
        secret_key=settings.secret_key,  # the same in every worker: the environment's
        max_age=settings.session_max_age,
        path="/",
        same_site="lax",
        https_only=False,  # parity serves plain HTTP on loopback; set it behind TLS
    )
    app.add_middleware(RawPathMiddleware)  # parity-ruling: 10
    app.add_middleware(HeadAsGetMiddleware)  # parity-ruling: 12
    app.add_middleware(PreflightMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_body_size=settings.max_body_size)  # parity-ruling: 1
    app.add_middleware(HostHeaderMiddleware)  # parity-ruling: 12
    app.add_middleware(DefaultHeadersMiddleware)
    return app


app = create_app()
