"""JSON responses, the API's error exception, and request-body parsing.

Every error the API answers has the shape ``{"errors": {"<key>": ["<message>", ...]}}``. Views
raise ``ApiError``; ``common.middleware.ApiErrorMiddleware`` turns it into that JSON response,
so a view reads as the happy path plus ``raise`` statements.
"""
import json

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


def _reject_constant(name):
    # Python's json accepts NaN and Infinity; JSON does not.
    raise ValueError(name)


def _has_lone_surrogate(value):
    """True when a string anywhere in ``value`` holds a "\\ud800"-style escape that is not
    a valid surrogate pair: such a string cannot be encoded as UTF-8 (nor stored)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def parse_json_body(request, wrapper):
    """Return the object under ``wrapper`` (``"user"``, ``"article"``, ``"comment"``) of a JSON
    request body, whatever its Content-Type. Empty, non-UTF-8 or invalid JSON, a non-object,
    or a missing / non-object wrapper: 422 ``body: is invalid``."""
    try:
        text = request.body.decode("utf-8")
        document = json.loads(text, parse_constant=_reject_constant)
    # UnicodeDecodeError and JSONDecodeError are ValueErrors; deeply nested arrays make the
    # decoder recurse past Python's limit (RecursionError).
    except (ValueError, RecursionError):
        raise ApiError.one(422, *INVALID_BODY) from None
    if not isinstance(document, dict):
        raise ApiError.one(422, *INVALID_BODY)
    payload = document.get(wrapper)
    if not isinstance(payload, dict) or _has_lone_surrogate(payload):
        raise ApiError.one(422, *INVALID_BODY)
    return payload
