"""Raw request paths, so that routing sees what the client sent.

gunicorn hands Flask a PATH_INFO that is already percent-decoded, which makes
``/api/profiles/a%2Fb`` the path ``/api/profiles/a/b`` (no route) although
ruling 10 says it is the profile of ``a/b``: segments are decoded one by one,
after routing. So :class:`RawPathMiddleware` routes on the raw path (gunicorn's
``RAW_URI``) and :class:`PercentEncodedSegment`, the URL map's default
converter, decodes each variable segment. A malformed segment (``%zz``, a lone
``%``, ``%FF`` that is not UTF-8) becomes ``None``, which names nothing: the
view answers its own 404 after the 401 checks.
"""
# parity-ruling: begin 10 raw-path routing, segments percent-decoded one by one
import re
from urllib.parse import unquote_to_bytes

from werkzeug.routing import UnicodeConverter

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def decode_segment(raw):
    """Percent-decode one path segment as UTF-8, or None if it is malformed."""
    if _BAD_ESCAPE.search(raw):
        return None
    try:
        return unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None


class PercentEncodedSegment(UnicodeConverter):
    """``<name>`` in a rule: one raw segment ([^/]+), decoded after matching."""

    def to_python(self, value):
        return decode_segment(value)


class RawPathMiddleware:
    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if raw_uri and raw_uri.startswith("/"):
            environ["PATH_INFO"] = raw_uri.split("?", 1)[0]
        return self.wsgi_app(environ, start_response)
# parity-ruling: end
