"""Path segments are percent-decoded one by one (Ruling 10): ``/api/profiles/a%2Fb`` is the
profile of ``a/b``. gunicorn decodes the whole path before Django routes it, which would split
that segment in two (an unknown route), so ``conduit.wsgi`` carries an encoded slash through
routing as a private-use stand-in and the ``segment`` converter of the URL patterns turns it
back into ``/``."""
# parity-ruling: begin 10 %2F kept through routing, segments decoded one by one
import re
from urllib.parse import unquote_to_bytes

SLASH_STANDIN = "\ue000"
_ENCODED_SLASH = re.compile("%2f", re.IGNORECASE)
_STANDIN_ENCODED = "%EE%80%80"  # SLASH_STANDIN in UTF-8, percent-encoded


def keep_encoded_slashes(environ):
    """Rewrite PATH_INFO from the raw request path when a segment holds ``%2F``."""
    path = environ.get("RAW_URI", "").split("?", 1)[0]
    if path.startswith("/") and _ENCODED_SLASH.search(path):
        # PATH_INFO is the decoded path's bytes as latin-1 (PEP 3333), as gunicorn sets it.
        environ["PATH_INFO"] = unquote_to_bytes(_ENCODED_SLASH.sub(_STANDIN_ENCODED, path)).decode("latin-1")


class SegmentConverter:
    """One path segment (a username, slug or comment id), with encoded slashes restored."""

    regex = "[^/]+"

    def to_python(self, value):
        return value.replace(SLASH_STANDIN, "/")

    def to_url(self, value):
        return value.replace("/", "%2F")
# parity-ruling: end
