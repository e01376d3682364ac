"""gunicorn's gthread worker, answering the requests it cannot parse with the
contract's JSON (ruling 12) instead of its own HTML pages.

gunicorn parses the request line, headers and chunk framing before Flask sees
anything, and answers what it cannot parse itself: an HTML 400, and a 500 for
an unsupported Transfer-Encoding (not in its list of client errors). Here:
400, or 414 / 431 when the request line / headers exceed gunicorn's limits,
all with ruling 12's body ``{"errors":{"request":["is invalid"]}}``, the usual
headers, and the connection closed (what follows a broken request cannot be trusted).
"""
from email.utils import formatdate

from gunicorn import util
from gunicorn.http import errors
from gunicorn.workers.gthread import ThreadWorker

# parity-ruling: begin 12 (the module exists for it: gunicorn's parse errors as the contract's JSON)
_CLIENT_ERRORS = (errors.ParseException, errors.InvalidChunkSize, errors.ChunkMissingTerminator)
_NOT_PARSE_ERRORS = (errors.InvalidProxyLine, errors.ForbiddenProxyRequest)


def _status_of(exc):
    if isinstance(exc, errors.LimitRequestLine):
        return 414, "URI Too Long"
    if isinstance(exc, errors.LimitRequestHeaders):
        return 431, "Request Header Fields Too Large"
    return 400, "Bad Request"


# Ruling 12: one body for every request the server cannot parse.
_INVALID_BODY = b'{"errors":{"request":["is invalid"]}}'


class JSONErrorThreadWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        if not isinstance(exc, _CLIENT_ERRORS) or isinstance(exc, _NOT_PARSE_ERRORS):
            super().handle_error(req, client, addr, exc)
            return
        status, reason = _status_of(exc)
        self.log.debug("Invalid request from %s: %s", (addr or ("",))[0], exc)
        head = (
            f"HTTP/1.1 {status} {reason}\r\n"
            "Server: gunicorn\r\n"
            f"Date: {formatdate(usegmt=True)}\r\n"
            "Connection: close\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(_INVALID_BODY)}\r\n"
            "Access-Control-Allow-Origin: *\r\n\r\n"
        ).encode("latin-1")
        try:
            util.write_nonblock(client, head + _INVALID_BODY)
        except OSError:
            self.log.debug("Failed to send error message.")
# parity-ruling: end
