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

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]", re.ASCII)


def _reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def _parse_int(text):
    # Python refuses int() of over 4300 digits; such a number is still valid
    # JSON, so it must reach validation (a wrong type, "is invalid").
    return int(text) if len(text) <= 4000 else float(text)


def json_body(wrapper):
    """Return the object under ``wrapper`` in the JSON body, or raise 422 body."""
    try:
        text = request.get_data(cache=False).decode("utf-8")
        document = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
        if _SURROGATE_ESCAPE.search(text):
            # "\ud800" is valid JSON but not Unicode: it could not be stored.
            json.dumps(document, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):  # UnicodeError is a ValueError
        raise body_invalid() from None
    if not isinstance(document, dict) or not isinstance(document.get(wrapper), dict):
        raise body_invalid()
    return document[wrapper]


def is_blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


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
