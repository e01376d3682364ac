"""Token authentication, Django style: the middleware attaches ``request.user`` (a User or None)
and ``request.auth_error`` lazily, from the ``Authorization: Token <jwt>`` (or ``Bearer``)
header; views declare what they need with ``accounts.auth.token_required`` /
``token_optional``. Deciding in the view, not here, keeps the contract's order of checks:
unknown route 404 and wrong method 405 come before 401."""
from django.utils.functional import cached_property

from common.repository import repo

from .tokens import user_id_from_token

MISSING = "is missing"
INVALID = "is invalid"


class TokenAuthentication:
    """The outcome of reading one request's Authorization header, computed on first use (the
    overhead endpoints and anonymous requests never pay for a JWT decode or a user query)."""

    def __init__(self, header):
        self.header = header

    @cached_property
    def _result(self):
        if self.header is None:
            return None, MISSING
        # Whitespace around a field value is not part of it (RFC 9110 5.5); gunicorn keeps a
        # trailing one.
        scheme, _, token = self.header.strip(" \t").partition(" ")
        if scheme not in ("Token", "Bearer") or not token:
            return None, INVALID
        user_id = user_id_from_token(token)
        user = repo.user_by_id(user_id) if user_id is not None else None
        return (user, None) if user is not None else (None, INVALID)

    @property
    def user(self):
        return self._result[0]

    @property
    def error(self):
        return self._result[1]


class TokenAuthenticationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.auth = TokenAuthentication(request.META.get("HTTP_AUTHORIZATION"))
        return self.get_response(request)
