"""Article slugs: ``how-to-train-your-dragon-1f3a9c0b``.

ASCII-lower-case the title; every maximal run of bytes other than ``[a-z0-9]`` (non-ASCII bytes
included) becomes one ``-``; trim ``-`` at both ends; append ``-`` and 8 random lower-case hex
digits (just the digits when nothing is left). Works on the UTF-8 bytes, not on Unicode
characters, so that every target produces the same slug for the same title. (Django's own
``slugify`` differs: it keeps Unicode letters or drops them, and keeps ``_``.)
"""
import re
import secrets

_NOT_ALNUM = re.compile(rb"[^a-z0-9]+")


def make_slug(title):
    base = _NOT_ALNUM.sub(b"-", title.encode("utf-8").lower()).strip(b"-").decode("ascii")
    suffix = secrets.token_hex(4)
    return f"{base}-{suffix}" if base else suffix
