"""CSRF protection: one random token per session, checked on every POST.

Every visitor gets a token in their session the first time a page renders a
form (signed-out visitors too: the login and register forms need one), and
a new one at sign-in (sessions.sign_in empties the session). Every form
carries it in the hidden input ``csrf_token``; :func:`csrf_protect`, the first
dependency of every POST route, compares it in constant time with the
session's and raises :class:`CSRFError` (a 403 HTML page) when it is missing
or differs, before sign-in checks, lookups and validation, so nothing
changes. A token from another session never matches: each session draws its
own.
"""
import secrets

from fastapi import Request
from starlette.requests import ClientDisconnect

from .errors import CSRFError

CSRF_FIELD = "csrf_token"
_SESSION_KEY = "csrf"


def csrf_token(request: Request) -> str:
    """This session's token, created on first use."""
    token = request.session.get(_SESSION_KEY)
    if not isinstance(token, str):
        token = request.session[_SESSION_KEY] = secrets.token_urlsafe(32)
    return token


async def csrf_protect(request: Request) -> None:
    """Dependency of every POST page route (declared in the route's
    ``dependencies``, so it runs before the user and form parameters)."""
    expected = request.session.get(_SESSION_KEY)
    try:
        # Starlette caches the parsed form: the route's Form(...) parameters reuse it. (A form
        # Starlette cannot parse, e.g. over 1000 fields, is its 400 before any of this.)
        sent = (await request.form()).get(CSRF_FIELD)
    except ClientDisconnect:  # nobody is waiting for the answer
        sent = None
    if not (
        isinstance(expected, str)
        and isinstance(sent, str)
        and secrets.compare_digest(sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))
    ):
        raise CSRFError()
