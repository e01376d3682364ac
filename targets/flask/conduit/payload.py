"""Request bodies: strict JSON parsing and field validation.

Bodies are parsed whatever the Content-Type (the contract says so), hence
``request.get_data()`` and :func:`json.loads` rather than ``request.get_json``.
"""
import json
import re

from flask import request

from .errors import ApiError, body_invalid

BLANK = "can't be blank"
INVALID = "is invalid"
TOO_SHORT = "is too short (minimum is 8 characters)"

# Ruling 3: Unicode White_Space without U+0085 (so neither str.strip() alone,
# which also strips U+001C..U+001F and U+0085, nor str.isspace()).
WHITESPACE = "\t\n\x0b\x0c\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"  # parity-ruling: 3

# Ruling 2: "\u0000" and lone surrogates ("\ud800") are valid JSON escapes but
# no text a database stores; the escape is the only way to write either.
# parity-ruling: begin 2 \u0000 and lone surrogates refused
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])", re.ASCII)
_UNSTORABLE_CHAR = re.compile("[\x00\ud800-\udfff]")
# parity-ruling: end


# parity-ruling: begin 2 RFC 8259 only: no NaN/Infinity, huge integers still valid
def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _parse_int(text):
    # Python refuses int() of over 4300 digits; such a number is still valid
    # JSON, so it must reach validation (a wrong type, "is invalid").
    return int(text) if len(text) <= 4000 else float(text)
# parity-ruling: end


def json_body(wrapper):
    """Return the object under ``wrapper`` in the JSON body, or raise 422 body."""
    try:
        text = request.get_data(cache=False).decode("utf-8")
        document = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    except (ValueError, RecursionError):  # UnicodeError is a ValueError
        raise body_invalid() from None
    # parity-ruling: begin 2 \u0000 and lone surrogates refused
    if _UNSTORABLE_ESCAPE.search(text) and _holds_unstorable_text(document):
        raise body_invalid()
    # parity-ruling: end
    if not isinstance(document, dict) or not isinstance(document.get(wrapper), dict):
        raise body_invalid()
    return document[wrapper]


# parity-ruling: begin 2 \u0000 and lone surrogates refused
def _holds_unstorable_text(document):
    """True if a string or key anywhere holds NUL or a lone surrogate."""
    pending = [document]
    while pending:  # iterative: the document may nest 1000 levels deep
        value = pending.pop()
        if isinstance(value, str):
            if _UNSTORABLE_CHAR.search(value):
                return True
        elif isinstance(value, dict):
            for key, item in value.items():
                if _UNSTORABLE_CHAR.search(key):
                    return True
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)
    return False
# parity-ruling: end


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip(WHITESPACE))


class Validator:
    """Collects every failing field, then raises one 422 (ruling 3)."""

    def __init__(self, data):
        self.data = data
        self.errors = {}

    def fail(self, field, message):
        self.errors.setdefault(field, []).append(message)

    def text(self, field, required=True):
        """A non-blank string. Missing is blank when required, else skipped."""
        if field not in self.data and not required:
            return None
        value = self.data.get(field)
        if is_blank(value):
            self.fail(field, BLANK)
        elif not isinstance(value, str):
            self.fail(field, INVALID)
        else:
            return value
        return None

    def nullable_text(self, field):
        """A string or null; "" is stored as null."""
        value = self.data.get(field)
        if value is not None and not isinstance(value, str):
            self.fail(field, INVALID)
            return None
        return value or None

    def password(self, field):
        value = self.data.get(field)
        if value is not None and not isinstance(value, str):
            self.fail(field, INVALID)
        elif value is None or len(value) < 8:
            self.fail(field, TOO_SHORT)
        else:
            return value
        return None

    def string_list(self, field):
        value = self.data.get(field)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.fail(field, INVALID)
            return None
        return sorted(set(value))

    def raise_if_invalid(self):
        if self.errors:
            raise ApiError(422, self.errors)
