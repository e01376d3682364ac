"""Field validation for JSON payloads.

Django forms are built for HTML form data: every value is a string, ``CharField`` strips
whitespace and would accept ``"title": 5`` as ``"5"``. The contract needs the JSON type checked
("is invalid"), values stored exactly as sent, and every failing field reported at once, so the
views validate with this small collector instead.
"""
import re

from .http import ApiError

BLANK = "can't be blank"
INVALID = "is invalid"
TOO_SHORT = "is too short (minimum is 8 characters)"
MISSING = object()


# Unicode White_Space without U+0085: the set every target treats as blank (Ruling 3). Python's
# str.strip() would also strip U+001C..U+001F and U+0085, JavaScript's trim() U+FEFF.
_ALL_WHITESPACE = re.compile("[\t-\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*")  # parity-ruling: 3


def is_blank(value):
    """Missing, null, empty or whitespace-only."""
    return value is MISSING or value is None or (
        isinstance(value, str) and _ALL_WHITESPACE.fullmatch(value) is not None)


class Payload:
    """Reads fields out of a wrapper object, collecting errors; ``validate()`` raises one 422
    listing every failing field."""

    def __init__(self, data):
        self.data = data
        self.errors = {}

    def has(self, key):
        return key in self.data

    def fail(self, key, message):
        self.errors.setdefault(key, []).append(message)

    def text(self, key):
        """A required non-blank string (missing counts as blank)."""
        value = self.data.get(key, MISSING)
        if is_blank(value):
            self.fail(key, BLANK)
        elif not isinstance(value, str):
            self.fail(key, INVALID)
        else:
            return value
        return None

    def nullable_text(self, key):
        """A string or null; ``""`` is stored as null."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            self.fail(key, INVALID)
            return None
        return value or None

    def new_password(self, key):
        """A string of at least 8 code points (only asked for when changing it)."""
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            self.fail(key, INVALID)
        elif value is None or len(value) < 8:
            self.fail(key, TOO_SHORT)
        else:
            return value
        return None

    def tag_list(self, key):
        """A list of strings, returned without duplicates and sorted (code-point order, which
        is UTF-8 byte order)."""
        value = self.data.get(key)
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            self.fail(key, INVALID)
            return None
        return sorted(set(value))

    def validate(self):
        if self.errors:
            raise ApiError(422, self.errors)
