"""Raw request paths, so that routing sees what the client sent.

uvicorn puts a percent-decoded ``path`` in the ASGI scope, which makes
``/api/profiles/a%2Fb`` the path ``/api/profiles/a/b`` (no route) although
ruling 10 says it is the profile of ``a/b``: segments are decoded one by one,
after routing. So :class:`RawPathMiddleware` routes on ``raw_path``, path
parameters arrive percent-encoded, and the lookups decode them with
:func:`decode_segment`. A malformed segment (``%zz``, a lone ``%``, ``%FF``
that is not UTF-8) decodes to None, which names nothing: the endpoint answers
its own 404 after the 401 checks.
"""
# parity-ruling: begin 10 raw-path routing, segments percent-decoded one by one
import re
from typing import Optional
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Receive, Scope, Send

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def decode_segment(raw: str) -> Optional[str]:
    """Percent-decode one path segment as UTF-8, or None if it is malformed."""
    if _BAD_ESCAPE.search(raw):
        return None
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None


class RawPathMiddleware:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path = scope.get("raw_path") if scope["type"] == "http" else None
        if raw_path and raw_path.startswith(b"/"):
            scope = dict(scope, path=raw_path.decode("latin-1"))
        await self.app(scope, receive, send)
# parity-ruling: end
