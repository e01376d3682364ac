"""The API's base view, the overhead endpoints and the site-wide error handlers.

Django's defaults answer errors with HTML (404/500 pages) or an empty body (405); the contract
wants JSON everywhere, so conduit/urls.py installs the handlers below.
"""
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from .http import ApiResponse, error_response
from .middleware import too_large_response

API_METHODS = ("GET", "POST", "PUT", "DELETE")


def method_not_allowed(view):
    """The contract's JSON 405 for a class-based view, with the methods it has in ``Allow``."""
    allowed = ", ".join(m for m in API_METHODS if hasattr(view, m.lower()))
    return error_response(405, "method", "not allowed", headers={"Allow": allowed})


# The API authenticates every request with an Authorization header, which a cross-site form
# cannot send: CSRF protection (CsrfViewMiddleware, there for the web pages) does not apply.
@method_decorator(csrf_exempt, name="dispatch")
class ApiView(View):
    """A class-based view whose unsupported methods get the contract's JSON 405. HEAD falls
    back to ``get`` (Django's View does that); OPTIONS never reaches a view (CorsMiddleware)."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        return method_not_allowed(self)


class PlaintextView(ApiView):
    def get(self, request):
        return HttpResponse(b"Hello, World!", content_type="text/plain; charset=utf-8")


class JsonView(ApiView):
    def get(self, request):
        return ApiResponse({"message": "Hello, World!"})


def route_not_found(request, exception=None):
    return error_response(404, "route", "not found")


def bad_request(request, exception=None):
    # Django raises RequestDataTooBig (a SuspiciousOperation, hence a 400) when a body it reads
    # is over DATA_UPLOAD_MAX_MEMORY_SIZE; RequestBodyLimitMiddleware normally answers first.
    if isinstance(exception, RequestDataTooBig):
        return too_large_response()
    return error_response(400, "request", "is invalid")


def permission_denied(request, exception=None):
    return error_response(403, "request", "forbidden")


def server_error(request):
    return error_response(500, "server", "internal error")
