"""Cookie sessions for the pages, and the signed-in user.

Starlette's ``SessionMiddleware`` keeps the whole session in one cookie
signed with ``SECRET_KEY`` (itsdangerous): it cannot be forged, but it
cannot be revoked either. A copy taken before logout would stay valid until
it expires, and "clearing" the session only changes the cookie of the browser
that logged out. So, as the Starlette community does it, the cookie holds a
random session id for a signed-in user, and the live ids are rows of the
``web_sessions`` table (``models.WebSession``, reached through the same
repository as everything else, so both data layers serve the pages):
signing in inserts one, signing out deletes it, and every page looks it up.
A replayed cookie then names a deleted row: signed out.

The cookie is ``session`` (Starlette's name): ``HttpOnly`` (Starlette always
sets it), ``SameSite=Lax``, ``Path=/``, ``Max-Age`` 14 days, not ``Secure``
(parity talks plain HTTP on loopback).

The middleware runs for the pages only (:class:`WebSessionMiddleware`): the
API authenticates with its token alone, so an API request never gets a
session in its scope, never reads the cookie and never answers Set-Cookie.
"""
import secrets
from datetime import timedelta
from typing import Optional
from urllib.parse import quote

from fastapi import Depends, Request
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import Receive, Scope, Send

from ..config import get_settings
from ..models import utcnow
from ..repository import Repository, get_repo
from .errors import LoginRequired

SESSION_ID = "sid"

# Paths that are not pages: the API and the overhead endpoints.
_API_PREFIX = "/api/"
_NOT_PAGES = frozenset(("/api", "/plaintext", "/json"))


class WebSessionMiddleware(SessionMiddleware):
    """Starlette's SessionMiddleware, skipped for the API and the overhead
    endpoints (no cookie parsing, no ``scope["session"]``, no Set-Cookie)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope["path"]
            if path.startswith(_API_PREFIX) or path in _NOT_PAGES:
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def _oldest_live():
    return utcnow() - timedelta(seconds=get_settings().session_max_age)


async def web_user(request: Request, repo: Repository = Depends(get_repo)):
    """Dependency of every page (the web routers'): the signed-in user or None.

    Also kept as ``request.state.user`` for the templates' nav, including
    the error pages rendered by exception handlers. The ``Authorization``
    header is never read: pages know only the session."""
    user = None
    session_id = request.session.get(SESSION_ID)
    if isinstance(session_id, str):
        user = repo.user_by_web_session(session_id, _oldest_live())
        if user is None:  # signed out elsewhere, or expired: forget the id
            del request.session[SESSION_ID]
    request.state.user = user
    return user


async def signed_in_user(request: Request, user=Depends(web_user)):
    """Dependency of the pages that need a user: a signed-out GET goes to
    ``/login?next=PATH``, a signed-out POST to ``/login`` (the form it came
    from cannot be replayed after signing in)."""
    if user is None:
        if request.method == "GET":  # HEAD arrives as GET (HeadAsGetMiddleware)
            raise LoginRequired("/login?next=" + quote(request.url.path, safe="/"))
        raise LoginRequired("/login")
    return user


def sign_in(request: Request, repo: Repository, user) -> None:
    """Start a signed-in session for ``user`` (the caller commits).

    The session is emptied first: the new one gets a new CSRF token, and
    nothing of the signed-out visitor's session (fixation) carries over."""
    repo.prune_web_sessions(_oldest_live())
    session_id = secrets.token_urlsafe(32)
    repo.add_web_session(session_id, user.id)
    request.session.clear()
    request.session[SESSION_ID] = session_id


def sign_out(request: Request, repo: Repository) -> None:
    """End the session server-side (the caller commits) and empty the cookie."""
    session_id = request.session.get(SESSION_ID)
    if isinstance(session_id, str):
        repo.delete_web_session(session_id)
    request.session.clear()


def safe_next(target: Optional[str]) -> str:
    """``next`` when it is a local path, else ``/``: one leading ``/`` (``//host``
    is another site), no backslash (browsers read ``/\\host`` as ``//host``),
    no control character or space (browsers drop tabs and newlines, which
    would turn ``/\\t/host`` into ``//host``). A scheme cannot follow the ``/``."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(ch <= " " or ch == "\x7f" for ch in target)
    ):
        return target
    return "/"
