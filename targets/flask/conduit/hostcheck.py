"""RFC 9112 3.2 Host rules, before anything else (WSGI middleware).

A server MUST answer 400 to an HTTP/1.1 request without a Host header, with two
of them, or with an invalid value. gunicorn passes all three on to the
application (two Host headers arrive joined by a comma), and Flask never looks
at the Host of a request it routes by path; so :class:`HostCheck` does, for
every path and method, with ruling 12's JSON error.
"""
# parity-ruling: begin 12 malformed requests (Host) as the contract's JSON 400
import re

from .limits import _bad_request

# uri-host [":" port] (RFC 3986 3.2.2): an IP literal or a reg-name, without the
# comma that joins repeated headers.
HOST_RE = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~%!$&'()*+;=-]*)(:[0-9]*)?")


class HostCheck:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST")
        if host is None and environ.get("SERVER_PROTOCOL") != "HTTP/1.0":
            return _bad_request(environ, start_response)
        if host is not None and not HOST_RE.fullmatch(host):
            return _bad_request(environ, start_response)
        return self.wsgi_app(environ, start_response)
# parity-ruling: end
