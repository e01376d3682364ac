"""The contract's error bodies: ``{"errors": {"<key>": ["<message>"]}}``.

Routers raise :class:`ApiError`. Starlette's own errors (unknown route, wrong
method) and FastAPI's validation errors are rewritten by the handlers below so
that FastAPI's default ``{"detail": ...}`` shape never leaves the app.
"""
from email.utils import formatdate
from typing import Dict, List

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from .responses import JSONResponse

BLANK = "can't be blank"
INVALID = "is invalid"
TOO_SHORT = "is too short (minimum is 8 characters)"


class ApiError(Exception):
    """An error answer: HTTP status plus the ``errors`` object."""

    def __init__(self, status_code: int, errors: Dict[str, List[str]]):
        super().__init__(status_code, errors)
        self.status_code = status_code
        self.errors = errors

    @classmethod
    def single(cls, status_code: int, key: str, message: str) -> "ApiError":
        return cls(status_code, {key: [message]})


def not_found(resource: str) -> ApiError:
    return ApiError.single(404, resource, "not found")


def forbidden(resource: str) -> ApiError:
    return ApiError.single(403, resource, "forbidden")


def body_invalid() -> ApiError:
    return ApiError.single(422, "body", INVALID)


# pydantic error types -> the contract's messages; anything else is "is invalid".
_MESSAGES = {
    "value_error.missing": BLANK,
    "type_error.none.not_allowed": BLANK,
    "value_error.blank": BLANK,
    "value_error.too_short": TOO_SHORT,
}


def validation_error(exc: ValidationError) -> ApiError:
    """Turn pydantic errors on ``{"<wrapper>": {...}}`` into one 422.

    An error on the wrapper itself (missing, not an object) is a body error;
    errors on fields are keyed by the field's JSON name (ruling 3: all of them).
    """
    errors: Dict[str, List[str]] = {}
    for error in exc.errors():
        loc = error["loc"]
        if loc and loc[0] == "body":  # FastAPI's RequestValidationError prefix
            loc = loc[1:]
        if len(loc) < 2:
            return body_invalid()
        message = _MESSAGES.get(error["type"], INVALID)
        messages = errors.setdefault(str(loc[1]), [])
        if message not in messages:
            messages.append(message)
    return ApiError(422, errors)


def error_response(status_code: int, errors: Dict[str, List[str]], headers=None) -> JSONResponse:
    return JSONResponse({"errors": errors}, status_code=status_code, headers=headers)


def allowed_methods(request: Request) -> str:
    """Every method of every route on this path (Starlette names only the first)."""
    methods = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    methods.add("OPTIONS")
    order = ("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")
    return ", ".join(m for m in order if m in methods)


async def handle_api_error(request: Request, exc: ApiError) -> JSONResponse:
    return error_response(exc.status_code, exc.errors)


async def handle_http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == 404:
        return error_response(404, {"route": ["not found"]})
    if exc.status_code == 405:
        return error_response(405, {"method": ["not allowed"]}, {"Allow": allowed_methods(request)})
    return error_response(exc.status_code, {"request": [str(exc.detail).lower()]}, exc.headers)


async def handle_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    error = validation_error(exc)
    return error_response(error.status_code, error.errors)


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # Starlette's ServerErrorMiddleware calls this outside the app's middleware
    # (it re-raises afterwards, and uvicorn logs the traceback), so the Date
    # and CORS headers are added here.
    headers = {"Access-Control-Allow-Origin": "*", "Date": formatdate(usegmt=True)}
    return error_response(500, {"server": ["internal error"]}, headers)


def register_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(Exception, handle_unexpected)
