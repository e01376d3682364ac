"""Password hashing (bcrypt, cost 10) and JWT tokens (HS256, sub = user id)."""
import re
import time
from typing import Optional

import bcrypt
import jwt

from .config import get_settings
from .database import MAX_ID

_USER_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # 18 digits always fit SQLite's int64


def _password_bytes(password: str) -> bytes:
    # python-bcrypt refuses NUL bytes (ValueError) where C's crypt() stops at
    # the first one; cut there too so that no password can cause a 500.
    return password.encode("utf-8").split(b"\0", 1)[0]


def hash_password(password: str) -> str:
    salt = bcrypt.gensalt(get_settings().bcrypt_rounds)
    return bcrypt.hashpw(_password_bytes(password), salt).decode()


def verify_password(password: str, password_hash: str) -> bool:
    return bcrypt.checkpw(_password_bytes(password), password_hash.encode())


def _is_json_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def create_token(user_id: int) -> str:
    settings = get_settings()
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + settings.jwt_expires_seconds}
    return jwt.encode(claims, settings.secret_key, algorithm="HS256")


def user_id_from_token(token: str) -> Optional[int]:
    """The user id a valid token names, else None (bad signature, expired...)."""
    try:
        claims = jwt.decode(
            token, get_settings().secret_key, algorithms=["HS256"], options={"require": ["sub", "exp"]}
        )
    # PyJWT 2.6 lets int() fail on a well-signed but odd claim ("exp": [],
    # "iat": 1e400): those are invalid tokens too, not server errors.
    except (jwt.InvalidTokenError, TypeError, ValueError, OverflowError):
        return None
    # PyJWT accepts "exp": "1800000000" (it calls int()); ruling 6 does not.
    # parity-ruling: begin 6 exp/iat/nbf must be JSON numbers
    if not all(_is_json_number(claims[name]) for name in ("exp", "iat", "nbf") if name in claims):
        return None
    # parity-ruling: end
    subject = claims["sub"]
    if not isinstance(subject, str) or not _USER_ID.fullmatch(subject):
        return None
    user_id = int(subject)
    return user_id if user_id <= MAX_ID else None  # beyond the id column: nobody, no query
