"""gunicorn's gthread worker, answering what gunicorn itself rejects in the contract's shape.

A request gunicorn cannot parse (a malformed request line or header, a bad Content-Length, a
Transfer-Encoding it does not support such as ``gzip, chunked``) never reaches Django: gunicorn
answers it with an HTML page without Date or CORS headers, and with a 500 for the encodings it
does not list. The contract wants every answer in JSON with those headers and never a 5xx for
client input: 400 ``{"errors":{"request":["is invalid"]}}`` (414 for a request line over
``limit_request_line``, 431 for headers over the limits), as the other targets answer.
"""
# parity-ruling: begin 12 (the module exists for it: gunicorn's parse errors as the contract's JSON)
import json
from email.utils import formatdate

from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine, ParseException
from gunicorn.workers.gthread import ThreadWorker

_REASONS = {400: "Bad Request", 414: "URI Too Long", 431: "Request Header Fields Too Large"}
_BODY = json.dumps({"errors": {"request": ["is invalid"]}}, separators=(",", ":")).encode()


def _status(exc):
    if isinstance(exc, LimitRequestLine):
        return 414
    if isinstance(exc, LimitRequestHeaders):
        return 431
    return 400


class JsonErrorsThreadWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, ParseException):
            return super().handle_error(req, client, addr, exc)
        status = _status(exc)
        self.log.debug("Invalid request from %s: %s", (addr or ("",))[0], exc)
        head = (
            f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
            f"Server: gunicorn\r\nDate: {formatdate(usegmt=True)}\r\n"
            "Access-Control-Allow-Origin: *\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(_BODY)}\r\nConnection: close\r\n\r\n"
        )
        try:
            client.sendall(head.encode("latin-1") + _BODY)
        except OSError:
            self.log.debug("Failed to send error message.")
        return None
# parity-ruling: end
