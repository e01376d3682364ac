"""JWT tokens and the decorators that put the current user in ``g.user``.

``Authorization: Token <jwt>`` or ``Bearer <jwt>``; HS256 signed with
SECRET_KEY; ``sub`` is the user id as a decimal string, so renaming a user
keeps their token valid.
"""
import functools
import re
import time

import jwt
from flask import current_app, g, request

from .errors import ApiError
from .repository import repo

_SCHEMES = ("Token", "Bearer")
_USER_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # 18 digits always fit SQLite's int64


def create_token(user):
    now = int(time.time())
    claims = {"sub": str(user.id), "iat": now, "exp": now + current_app.config["JWT_EXPIRES_SECONDS"]}
    return jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm="HS256")


def _invalid_token():
    return ApiError.single(401, "token", "is invalid")


def _is_json_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _authenticate(header):
    """The user and token named by an Authorization header, or raise 401."""
    # Surrounding whitespace is not part of a header's value (RFC 9110 5.5).
    scheme, _, token = header.strip(" \t").partition(" ")
    if scheme not in _SCHEMES or not token:
        raise _invalid_token()
    try:
        claims = jwt.decode(
            token,
            current_app.config["SECRET_KEY"],
            algorithms=["HS256"],
            options={"require": ["sub", "exp"]},
        )
    # PyJWT 2.6 lets int() fail on a well-signed but odd claim ("exp": [],
    # "iat": 1e400): those are invalid tokens too, not server errors.
    except (jwt.InvalidTokenError, TypeError, ValueError, OverflowError):
        raise _invalid_token() from None
    # PyJWT accepts "exp": "1800000000" (it calls int()); ruling 6 does not.
    # parity-ruling: begin 6 exp/iat/nbf must be JSON numbers
    if not all(_is_json_number(claims[name]) for name in ("exp", "iat", "nbf") if name in claims):
        raise _invalid_token()
    # parity-ruling: end
    subject = claims["sub"]
    if not isinstance(subject, str) or not _USER_ID.fullmatch(subject):
        raise _invalid_token()
    user = repo.user_by_id(int(subject))
    if user is None:
        raise _invalid_token()
    return user, token


def auth_required(view):
    """401 "is missing" without a header, "is invalid" with a bad one."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization")
        if header is None:
            raise ApiError.single(401, "token", "is missing")
        g.user, g.token = _authenticate(header)
        return view(*args, **kwargs)

    return wrapped


def auth_optional(view):
    """Anonymous without a header; a bad header is still 401."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        header = request.headers.get("Authorization")
        g.user, g.token = _authenticate(header) if header is not None else (None, None)
        return view(*args, **kwargs)

    return wrapped
