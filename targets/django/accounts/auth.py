"""View decorators declaring a view method's authentication level (apply them with
``django.utils.decorators.method_decorator`` on class-based views)."""
from functools import wraps

from common.http import ApiError

from .middleware import MISSING


def token_required(view):
    """401 ``token: is missing`` without a token, ``token: is invalid`` with a bad one; else
    ``request.user`` is the token's user."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.auth.error is not None:
            raise ApiError.one(401, "token", request.auth.error)
        request.user = request.auth.user
        return view(request, *args, **kwargs)

    return wrapper


def token_optional(view):
    """Anonymous is fine (``request.user`` is None), but a token that is present and invalid
    is still 401 ``token: is invalid``."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.auth.error not in (None, MISSING):
            raise ApiError.one(401, "token", request.auth.error)
        request.user = request.auth.user
        return view(request, *args, **kwargs)

    return wrapper
