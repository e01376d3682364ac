"""JSON responses, the API's error exception, and request-body parsing.

Every error the API answers has the shape ``{"errors": {"<key>": ["<message>", ...]}}``. Views
raise ``ApiError``; ``common.middleware.ApiErrorMiddleware`` turns it into that JSON response,
so a view reads as the happy path plus ``raise`` statements.
"""
import json
from decimal import Decimal

from django.http import JsonResponse

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


class ApiResponse(JsonResponse):
    """A JSON response with the contract's exact Content-Type, compact separators and UTF-8
    left as UTF-8 (titles in any script round-trip byte for byte)."""

    def __init__(self, data, status=200, **kwargs):
        kwargs.setdefault("content_type", JSON_CONTENT_TYPE)
        kwargs.setdefault("json_dumps_params", {"ensure_ascii": False, "separators": (",", ":")})
        super().__init__(data, status=status, safe=False, **kwargs)


def error_response(status, key, *messages, headers=None):
    response = ApiResponse({"errors": {key: list(messages)}}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class ApiError(Exception):
    """An error answer: status plus an ``errors`` object ({key: [messages]})."""

    def __init__(self, status, errors):
        super().__init__(status, errors)
        self.status = status
        self.errors = errors

    @classmethod
    def one(cls, status, key, message):
        return cls(status, {key: [message]})

    def response(self):
        return ApiResponse({"errors": self.errors}, status=self.status)


def not_found(what):
    return ApiError.one(404, what, "not found")


def forbidden(what):
    return ApiError.one(403, what, "forbidden")


INVALID_BODY = ("body", "is invalid")


# parity-ruling: begin 2 RFC 8259 only: no NaN/Infinity, huge integers still valid
def _reject_constant(name):
    # Python's json accepts NaN and Infinity; JSON does not.
    raise ValueError(name)


def _parse_int(digits):
    # Python refuses to convert integers of more than 4300 digits (ValueError); such a number
    # is still valid JSON (an unknown key holding it is ignored, a field holding it is
    # "is invalid"), so it becomes a Decimal instead.
    return int(digits) if len(digits) <= 4000 else Decimal(digits)
# parity-ruling: end


# parity-ruling: begin 2 \u0000 and lone surrogates refused
def _has_unstorable_string(value):
    """True when a string anywhere in ``value`` holds a "\\ud800"-style escape that is not
    a valid surrogate pair (it cannot be encoded as UTF-8, nor stored) or a "\\u0000" (text
    fields cannot hold NUL: Ruling 2). Iterative: a body may nest hundreds of levels deep and
    the view already runs deep in the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False
# parity-ruling: end


def parse_json_body(request, wrapper):
    """Return the object under ``wrapper`` (``"user"``, ``"article"``, ``"comment"``) of a JSON
    request body, whatever its Content-Type. Empty, non-UTF-8 or invalid JSON, a non-object,
    or a missing / non-object wrapper: 422 ``body: is invalid``."""
    try:
        text = request.body.decode("utf-8")
        document = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
    # UnicodeDecodeError and JSONDecodeError are ValueErrors; deeply nested arrays make the
    # decoder recurse past Python's limit (RecursionError).
    except (ValueError, RecursionError):
        raise ApiError.one(422, *INVALID_BODY) from None
    if not isinstance(document, dict) or _has_unstorable_string(document):
        raise ApiError.one(422, *INVALID_BODY)
    payload = document.get(wrapper)
    if not isinstance(payload, dict):
        raise ApiError.one(422, *INVALID_BODY)
    return payload
