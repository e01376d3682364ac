"""Request body size limit, applied before routing (ruling 1).

Flask's MAX_CONTENT_LENGTH is enforced by Werkzeug 2.2 only when it parses
form data, and a chunked body has no Content-Length at all. So:

- :class:`BufferedChunkedBody` (WSGI middleware) reads a chunked body up to
  limit + 1 bytes and hands Flask a plain body with a Content-Length, which
  is never more than limit + 1 however long the client keeps sending;
- :func:`enforce_body_limit` (before_request, runs before the routing error is
  raised and before any view) answers 413 when Content-Length exceeds it.
"""
# parity-ruling: begin 1 413 before routing, also for a chunked body (and ruling 12's 400 for broken chunks)
import io
import json

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response


class BufferedChunkedBody:
    def __init__(self, wsgi_app, limit):
        self.wsgi_app = wsgi_app
        self.limit = limit

    def __call__(self, environ, start_response):
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            try:
                body = environ["wsgi.input"].read(self.limit + 1)
            except (OSError, ValueError):
                # Broken chunk framing (gunicorn raises IOError subclasses):
                # not valid HTTP/1.1, ruling 12's 400, before routing.
                return _bad_request(environ, start_response)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]
        return self.wsgi_app(environ, start_response)


def _bad_request(environ, start_response):
    body = json.dumps({"errors": {"request": ["is invalid"]}}, separators=(",", ":"))
    response = Response(body, status=400, content_type="application/json; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response(environ, start_response)


def enforce_body_limit():
    length = request.content_length
    if length is not None and length > current_app.config["MAX_CONTENT_LENGTH"]:
        raise RequestEntityTooLarge()
# parity-ruling: end
