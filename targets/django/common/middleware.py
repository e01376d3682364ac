"""Middleware shared by the whole site (order in settings.MIDDLEWARE, outermost first).

CorsMiddleware               every response: Access-Control-Allow-Origin; OPTIONS on any path: 204
RequestBodyLimitMiddleware   bodies over 1 MiB: 413, before routing and authentication
ResponseFinishingMiddleware  Content-Length on every response; HEAD responses lose their body
ApiErrorMiddleware           ApiError raised by a view -> its JSON error response
"""
from django.conf import settings
from django.http import HttpResponse

from .http import ApiError, error_response

CORS_ALLOW_METHODS = "GET, POST, PUT, DELETE, OPTIONS"
CORS_ALLOW_HEADERS = "Content-Type, Authorization"


def body_too_large(request):
    """The announced body exceeds the limit (exactly the limit is accepted). Chunked bodies are
    buffered by conduit.wsgi up to one byte past the limit and given a Content-Length, so this
    covers them too."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def too_large_response():
    return error_response(413, "body", "is too large")


class CorsMiddleware:
    """Any origin may call the API (it authenticates by header, never by cookie). Preflight
    requests are answered here for every path, known or not, without touching the views."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "OPTIONS" and not body_too_large(request):
            response = HttpResponse(status=204)
            del response["Content-Type"]
            response["Access-Control-Allow-Methods"] = CORS_ALLOW_METHODS
            response["Access-Control-Allow-Headers"] = CORS_ALLOW_HEADERS
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = "*"
        return response


# parity-ruling: begin 1 413 before routing and authentication
class RequestBodyLimitMiddleware:
    """413 for bodies over DATA_UPLOAD_MAX_MEMORY_SIZE, decided from Content-Length before any
    view runs (Django itself would only notice when request.body is read, and answer 400)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if body_too_large(request):
            return too_large_response()
        return self.get_response(request)
# parity-ruling: end


class ResponseFinishingMiddleware:
    """Content-Length on every buffered response (so gunicorn need not chunk them), and no body
    on HEAD: Django 3.2 hands the GET body to the server, this drops it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming or response.status_code == 204:
            return response
        if "Content-Length" not in response:
            response["Content-Length"] = str(len(response.content))
        if request.method == "HEAD":
            response.content = b""
        return response


class ApiErrorMiddleware:
    """Views raise ApiError (404/403/422/409...); this renders it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ApiError):
            return exception.response()
        return None
