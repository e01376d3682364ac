"""JWT access tokens: HS256 signed with SECRET_KEY, ``sub`` = the user id as a decimal string,
``iat`` and ``exp`` (60 days later) in seconds. The token names the user by id, so renaming a
user keeps their tokens valid."""
import time

import jwt
from django.conf import settings

LIFETIME_SECONDS = settings.JWT_LIFETIME_DAYS * 24 * 3600


def issue_token(user):
    now = int(time.time())
    claims = {"sub": str(user.id), "iat": now, "exp": now + LIFETIME_SECONDS}
    return jwt.encode(claims, settings.SECRET_KEY, algorithm=settings.JWT_ALGORITHM)


def user_id_from_token(token):
    """The user id a valid token names, or None (bad signature, other algorithm, expired, no
    or malformed ``sub``)."""
    try:
        claims = jwt.decode(
            token,
            settings.SECRET_KEY,
            algorithms=[settings.JWT_ALGORITHM],
            options={"require": ["sub", "exp"]},
        )
    except (jwt.InvalidTokenError, ValueError, TypeError):
        return None
    # RFC 7519 NumericDates are JSON numbers; PyJWT also takes digit strings ("exp": "1700000000").
    # parity-ruling: begin 6 exp/iat/nbf must be JSON numbers
    for name in ("exp", "iat", "nbf"):
        value = claims.get(name, 0)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
    # parity-ruling: end
    subject = claims.get("sub")
    # A row id is a 64-bit integer: longer digit strings cannot name a user (and would overflow
    # the SQLite parameter binding).
    if not isinstance(subject, str) or not (0 < len(subject) <= 18) or not subject.isascii() \
            or not subject.isdigit():
        return None
    return int(subject)
