"""The contract's error bodies: ``{"errors": {"<key>": ["<message>"]}}``.

Views raise :class:`ApiError`; Werkzeug's own HTTP errors (unknown route,
wrong method, body too large) are rewritten here so that no HTML error page
ever leaves the app.
"""
from flask import jsonify
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """An error answer: HTTP status plus the ``errors`` object."""

    def __init__(self, status, errors):
        super().__init__(status, errors)
        self.status = status
        self.errors = errors

    @classmethod
    def single(cls, status, key, message):
        return cls(status, {key: [message]})


def not_found(resource):
    return ApiError.single(404, resource, "not found")


def forbidden(resource):
    return ApiError.single(403, resource, "forbidden")


def body_invalid():
    return ApiError.single(422, "body", "is invalid")


# Werkzeug's HTTP errors mapped to the contract's bodies.
_HTTP_ERRORS = {
    404: ("route", "not found"),
    405: ("method", "not allowed"),
    413: ("body", "is too large"),
}


def error_response(status, errors, headers=None):
    response = jsonify(errors=errors)
    response.status_code = status
    if headers:
        response.headers.extend(headers)
    return response


def register_error_handlers(app):
    @app.errorhandler(ApiError)
    def handle_api_error(error):
        return error_response(error.status, error.errors)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error):
        key, message = _HTTP_ERRORS.get(error.code, ("request", error.name.lower()))
        # get_headers() carries the Allow header of a 405.
        headers = [(k, v) for k, v in error.get_headers() if k.lower() != "content-type"]
        return error_response(error.code, {key: [message]}, headers)

    @app.errorhandler(500)
    def handle_internal_error(error):
        # Unhandled exceptions are logged by Flask before reaching here.
        return error_response(500, {"server": ["internal error"]})
