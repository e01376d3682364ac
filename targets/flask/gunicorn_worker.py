"""gunicorn's gthread worker, answering the requests it cannot parse with the
contract's JSON (ruling 12) instead of its own HTML pages.

gunicorn parses the request line, headers and chunk framing before Flask sees
anything, and answers what it cannot parse itself: an HTML 400, and a 500 for
an unsupported Transfer-Encoding (not in its list of client errors). Here:
400 ``{"errors":{"request":["is invalid"]}}``, 414 / 431 when the request line
/ headers exceed gunicorn's limits, with the usual headers and the connection
closed (what follows a broken request cannot be trusted).
"""
import json
from email.utils import formatdate

from gunicorn import util
from gunicorn.http import errors
from gunicorn.workers.gthread import ThreadWorker

_CLIENT_ERRORS = (errors.ParseException, errors.InvalidChunkSize, errors.ChunkMissingTerminator)
_NOT_PARSE_ERRORS = (errors.InvalidProxyLine, errors.ForbiddenProxyRequest)


def _status_of(exc):
    if isinstance(exc, errors.LimitRequestLine):
        return 414, "URI Too Long", "is too large"
    if isinstance(exc, errors.LimitRequestHeaders):
        return 431, "Request Header Fields Too Large", "is too large"
    return 400, "Bad Request", "is invalid"


class JSONErrorThreadWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, _CLIENT_ERRORS) or isinstance(exc, _NOT_PARSE_ERRORS):
            super().handle_error(req, client, addr, exc)
            return
        status, reason, message = _status_of(exc)
        self.log.debug("Invalid request from %s: %s", (addr or ("",))[0], exc)
        body = json.dumps({"errors": {"request": [message]}}, separators=(",", ":")).encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            "Server: gunicorn\r\n"
            f"Date: {formatdate(usegmt=True)}\r\n"
            "Connection: close\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Access-Control-Allow-Origin: *\r\n\r\n"
        ).encode("latin-1")
        try:
            util.write_nonblock(client, head + body)
        except OSError:
            self.log.debug("Failed to send error message.")
