"""gunicorn worker class: uvicorn with uvloop and httptools, no access log.

uvicorn's own UvicornWorker picks loop/http "auto" (silently falling back to
asyncio and h11) and keeps an access logger; this one insists on the fast
implementations and turns the per-request log off. uvicorn's timer-driven
Date header is off too: DefaultHeadersMiddleware sends a fresh one.

Requests httptools cannot parse never reach the app; uvicorn answers them
with a text/plain 400. ConduitHttpToolsProtocol answers ruling 12's JSON
instead, with the usual headers, and closes the connection as uvicorn does.
"""
from email.utils import formatdate

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.workers import UvicornWorker

# parity-ruling: begin 12 (httptools' parse errors as the contract's JSON)
_INVALID_REQUEST = b'{"errors":{"request":["is invalid"]}}'


class ConduitHttpToolsProtocol(HttpToolsProtocol):
    def send_400_response(self, msg: str) -> None:
        content = [STATUS_LINE[400]]
        for name, value in self.default_headers:  # server (the date header is off)
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"date: " + formatdate(usegmt=True).encode("ascii") + b"\r\n",
                b"content-type: application/json; charset=utf-8\r\n",
                b"content-length: " + str(len(_INVALID_REQUEST)).encode("ascii") + b"\r\n",
                b"access-control-allow-origin: *\r\n",
                b"connection: close\r\n",
                b"\r\n",
                _INVALID_REQUEST,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()


# parity-ruling: end
class ConduitUvicornWorker(UvicornWorker):
    CONFIG_KWARGS = {"loop": "uvloop", "http": ConduitHttpToolsProtocol, "access_log": False, "date_header": False}
