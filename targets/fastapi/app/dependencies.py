"""Dependencies shared by the routers: the current user and the JSON body.

Order of checks (contract): authentication 401, then existence 404, then
ownership 403, then body validation 422. FastAPI would validate a declared
body parameter before the endpoint runs, i.e. before the 404 and 403 checks,
so bodies are taken as a :class:`JSONBody` and parsed into their pydantic
model by the endpoint, at the right moment.
"""
import json
import re
from dataclasses import dataclass
from typing import Optional, Type, TypeVar

from fastapi import Depends, Header, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from .database import get_db
from .errors import ApiError, body_invalid, validation_error
from .models import User
from .security import user_id_from_token

Model = TypeVar("Model", bound=BaseModel)

_SCHEMES = ("Token", "Bearer")
# Ruling 2: "\u0000" and lone surrogates ("\ud800") are valid JSON escapes but
# no text a database stores; the escape is the only way to write either.
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])", re.ASCII)
_UNSTORABLE_CHAR = re.compile("[\x00\ud800-\udfff]")


@dataclass
class Auth:
    user: User
    token: str


def _invalid_token() -> ApiError:
    return ApiError.single(401, "token", "is invalid")


def _authenticate(header: str, db: Session) -> Auth:
    # Surrounding whitespace is not part of a header's value (RFC 9110 5.5).
    scheme, _, token = header.strip(" \t").partition(" ")
    if scheme not in _SCHEMES or not token:
        raise _invalid_token()
    user_id = user_id_from_token(token)
    user = db.get(User, user_id) if user_id is not None else None
    if user is None:
        raise _invalid_token()
    return Auth(user, token)


def get_auth(authorization: Optional[str] = Header(None), db: Session = Depends(get_db)) -> Auth:
    """Required authentication: 401 "is missing" or "is invalid"."""
    if authorization is None:
        raise ApiError.single(401, "token", "is missing")
    return _authenticate(authorization, db)


def get_current_user(auth: Auth = Depends(get_auth)) -> User:
    return auth.user


def get_optional_user(authorization: Optional[str] = Header(None), db: Session = Depends(get_db)) -> Optional[User]:
    """Anonymous without the header; a bad header is still 401."""
    if authorization is None:
        return None
    return _authenticate(authorization, db).user


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _parse_int(text: str):
    # Python refuses int() of over 4300 digits; such a number is still valid
    # JSON, so it must reach validation (a wrong type, "is invalid").
    return int(text) if len(text) <= 4000 else float(text)


def _holds_unstorable_text(document) -> bool:
    """True if a string or key anywhere holds NUL or a lone surrogate."""
    pending = [document]
    while pending:  # iterative: the document may nest 1000 levels deep
        value = pending.pop()
        if isinstance(value, str):
            if _UNSTORABLE_CHAR.search(value):
                return True
        elif isinstance(value, dict):
            for key, item in value.items():
                if _UNSTORABLE_CHAR.search(key):
                    return True
                pending.append(item)
        elif isinstance(value, list):
            pending.extend(value)
    return False


class JSONBody:
    """The raw request body, parsed on demand into a pydantic model.

    Parsed whatever the Content-Type (the contract says so): strict UTF-8,
    no NaN/Infinity, no NUL or lone surrogates (valid JSON escapes that no
    database could store).
    """

    def __init__(self, raw: bytes):
        self.raw = raw

    def parse(self, model: Type[Model]) -> Model:
        try:
            text = self.raw.decode("utf-8")
            document = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
        except (ValueError, RecursionError):  # UnicodeError is a ValueError
            raise body_invalid() from None
        if _UNSTORABLE_ESCAPE.search(text) and _holds_unstorable_text(document):
            raise body_invalid()
        # The envelope ({"user": {...}}): pydantic would accept dict([]) as {}.
        if not isinstance(document, dict) or not all(
            isinstance(document.get(field.alias), dict) for field in model.__fields__.values()
        ):
            raise body_invalid()
        try:
            return model.parse_obj(document)
        except ValidationError as exc:
            raise validation_error(exc) from None


async def get_json_body(request: Request) -> JSONBody:
    """Reads the body (the 413 limit was applied by BodySizeLimitMiddleware)."""
    try:
        return JSONBody(await request.body())
    except ClientDisconnect:
        # The connection broke mid-body (e.g. framing httptools refused after
        # the headers): nobody will read the answer; avoid a logged 500.
        raise body_invalid() from None
