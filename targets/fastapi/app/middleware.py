"""Pure ASGI middleware for what the contract wants before any routing.

Written as plain ASGI callables rather than BaseHTTPMiddleware, which would
cost a task and a stream per request.
"""
import re
import time
from email.utils import formatdate

from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .responses import JSONResponse

CORS_PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization",
}


class DefaultHeadersMiddleware:
    """``Access-Control-Allow-Origin: *`` and a fresh ``Date`` on every
    response (outermost).

    uvicorn's own Date header is refreshed by a timer every ten 0.1 s ticks,
    which drifts past a second under load, so two requests 1.1 s apart can
    carry the same Date; the contract wants it to change every second. The
    worker turns uvicorn's off (app.worker) and this computes it from the
    clock, formatting once per second.
    """

    def __init__(self, app: ASGIApp):
        self.app = app
        self._second = -1
        self._date = b""

    def _current_date(self) -> bytes:
        now = int(time.time())
        if now != self._second:
            self._date = formatdate(now, usegmt=True).encode()
            self._second = now
        return self._date

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + [
                    (b"date", self._current_date()),
                    (b"access-control-allow-origin", b"*"),
                ]
            await send(message)

        await self.app(scope, receive, send_with_headers)


# parity-ruling: begin 12 malformed requests (Host) as the contract's JSON 400
# uri-host [":" port] (RFC 3986 3.2.2): an IP literal or a reg-name.
HOST_RE = re.compile(rb"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+,;=-]*)(:[0-9]*)?")


class HostHeaderMiddleware:
    """RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without a
    Host header, with two of them or with an invalid value. uvicorn passes all
    three on; this checks the raw header list, before any other check."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            hosts = [v for k, v in scope["headers"] if k == b"host"]
            needs_host = scope.get("http_version") != "1.0"
            if len(hosts) > 1 or (needs_host and not hosts) or (hosts and not HOST_RE.fullmatch(hosts[0])):
                response = JSONResponse({"errors": {"request": ["is invalid"]}}, status_code=400)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
# parity-ruling: end


class PreflightMiddleware:
    """``OPTIONS`` on any path, known or not, is 204 with the CORS headers
    (ruling 12). Starlette's CORSMiddleware answers only real preflights
    (with Origin and Access-Control-Request-Method), and 200."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            await Response(status_code=204, headers=CORS_PREFLIGHT_HEADERS)(scope, receive, send)
        else:
            await self.app(scope, receive, send)


# parity-ruling: begin 1 413 before routing, also for a chunked body
class BodySizeLimitMiddleware:
    """413 for a body over ``max_body_size``, before routing and authentication.

    A Content-Length over the limit is refused without reading a byte. A
    chunked body is read here, up to the limit + 1 byte, and replayed to the
    app: the endpoints read their bodies only after the 401/404/403 checks,
    too late for a 413 that must come first.
    """

    def __init__(self, app: ASGIApp, max_body_size: int):
        self.app = app
        self.max_body_size = max_body_size

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None:
            # httptools has already refused a malformed Content-Length.
            if length.isdigit() and int(length) > self.max_body_size:
                await self._too_large(scope, receive, send)
                return
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            body = bytearray()
            more_body = True
            while more_body:
                message = await receive()
                if message["type"] != "http.request":
                    return  # client went away
                body += message.get("body", b"")
                more_body = message.get("more_body", False)
                if len(body) > self.max_body_size:
                    await self._too_large(scope, receive, send)
                    return
            receive = _replay(bytes(body), receive)
        await self.app(scope, receive, send)

    @staticmethod
    async def _too_large(scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse({"errors": {"body": ["is too large"]}}, status_code=413)
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
# parity-ruling: end


# parity-ruling: begin 12 HEAD on every GET route
class HeadAsGetMiddleware:
    """HEAD works on every GET route (ruling 12). FastAPI's APIRoute, unlike
    Starlette's Route, does not add HEAD to GET routes. The app sees a GET;
    uvicorn still knows the request was HEAD and sends headers only."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = dict(scope, method="GET")
        await self.app(scope, receive, send)
# parity-ruling: end
