"""WSGI entry point (gunicorn serves ``conduit.wsgi:application``)."""
import io
import os
import re

from django.core.wsgi import get_wsgi_application

from common.paths import keep_encoded_slashes

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conduit.settings")

django_application = get_wsgi_application()


# parity-ruling: begin 1 a chunked body read up to the limit (413 before routing)
def _buffer_chunked_body(environ, limit):
    """Django reads request bodies by CONTENT_LENGTH only: under WSGI a chunked body (gunicorn
    decodes the chunks and sets ``wsgi.input_terminated``) would look empty. Read it here, at
    most ``limit + 1`` bytes, and present it with a Content-Length; a body past the limit keeps
    a length of limit + 1, so RequestBodyLimitMiddleware answers 413 without reading the rest
    (gunicorn discards it before the next request on the connection). False when the chunk
    framing is broken."""
    stream = environ["wsgi.input"]
    chunks, size = [], 0
    try:
        while size <= limit:
            chunk = stream.read(min(65536, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except (OSError, ValueError):
        # A malformed chunked body (a bad chunk size, a missing CRLF, the connection closing
        # early: gunicorn's errors are IOErrors) is not valid HTTP/1.1: ruling 12's 400.
        return False
    body = b"".join(chunks)
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return True
# parity-ruling: end


# parity-ruling: begin 12 malformed requests (Host, chunk framing) as the contract's JSON 400
INVALID_REQUEST = b'{"errors":{"request":["is invalid"]}}'

# uri-host [":" port] (RFC 3986 3.2.2): an IP literal or a reg-name, without the comma that
# gunicorn puts between two Host headers (so a repeated Host is refused too).
HOST_RE = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+;=-]*)(:[0-9]*)?")


def _host_ok(environ):
    """RFC 9112 3.2: a server MUST answer 400 to an HTTP/1.1 request without a Host header, with
    two of them or with an invalid value. gunicorn passes all three on, and Django only checks the
    host when a view calls request.get_host(); so here, before Django, for every path."""
    host = environ.get("HTTP_HOST")
    if host is None:
        return environ.get("SERVER_PROTOCOL") == "HTTP/1.0"
    return HOST_RE.fullmatch(host) is not None


def _invalid_request(start_response):
    start_response("400 Bad Request", [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(INVALID_REQUEST))),
        ("Access-Control-Allow-Origin", "*"),
    ])
    return [INVALID_REQUEST]
# parity-ruling: end


def application(environ, start_response):
    # parity-ruling: begin 12 Host check before Django
    if not _host_ok(environ):
        return _invalid_request(start_response)
    # parity-ruling: end
    keep_encoded_slashes(environ)  # parity-ruling: 10
    # parity-ruling: begin 1 chunked body buffered before routing
    if not environ.get("CONTENT_LENGTH") and "chunked" in environ.get(
            "HTTP_TRANSFER_ENCODING", "").lower():
        from django.conf import settings
        if not _buffer_chunked_body(environ, settings.DATA_UPLOAD_MAX_MEMORY_SIZE):
            return _invalid_request(start_response)
    # parity-ruling: end
    return django_application(environ, start_response)
