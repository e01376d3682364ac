"""Dependencies shared by the routers: the current user and the JSON body.

All ``async def``: they run on the event loop (the token check and the user
lookup are microseconds of CPU; see database.py), where ``def`` dependencies
would each cost a thread-pool round trip.

Order of checks (contract): authentication 401, then existence 404, then
ownership 403, then body validation 422. FastAPI would validate a declared
body parameter before the endpoint runs, i.e. before the 404 and 403 checks,
so bodies are taken as a :class:`JSONBody` and parsed into their pydantic
model by the endpoint, at the right moment.
"""
import json
import re
from dataclasses import dataclass
from typing import Any, Optional, Tuple, Type, TypeVar

from fastapi import Depends, Header, Request
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect

from .errors import ApiError, body_invalid, validation_error
from .repository import Repository, get_repo
from .security import user_id_from_token

Model = TypeVar("Model", bound=BaseModel)

_SCHEMES = ("Token", "Bearer")
# Ruling 2: "\u0000" and lone surrogates ("\ud800") are valid JSON escapes but
# no text a database stores; the escape is the only way to write either.
# parity-ruling: begin 2 \u0000 and lone surrogates refused
_UNSTORABLE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])", re.ASCII)
_UNSTORABLE_CHAR = re.compile("[\x00\ud800-\udfff]")
# parity-ruling: end


@dataclass
class Auth:
    user: Any  # the repository's user record
    token: str


def _invalid_token() -> ApiError:
    return ApiError.single(401, "token", "is invalid")


def _authenticate(header: str, repo: Repository) -> Auth:
    # Surrounding whitespace is not part of a header's value (RFC 9110 5.5).
    scheme, _, token = header.strip(" \t").partition(" ")
    if scheme not in _SCHEMES or not token:
        raise _invalid_token()
    user_id = user_id_from_token(token)
    user = repo.user_by_id(user_id) if user_id is not None else None
    if user is None:
        raise _invalid_token()
    return Auth(user, token)


async def get_auth(authorization: Optional[str] = Header(None), repo: Repository = Depends(get_repo)) -> Auth:
    """Required authentication: 401 "is missing" or "is invalid"."""
    if authorization is None:
        raise ApiError.single(401, "token", "is missing")
    return _authenticate(authorization, repo)


async def get_current_user(auth: Auth = Depends(get_auth)):
    return auth.user


async def get_optional_user(authorization: Optional[str] = Header(None), repo: Repository = Depends(get_repo)):
    """Anonymous without the header; a bad header is still 401."""
    if authorization is None:
        return None
    return _authenticate(authorization, repo).user


# parity-ruling: begin 2 RFC 8259 only: no NaN/Infinity, huge integers still valid
def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _parse_int(text: str):
    # Python refuses int() of over 4300 digits; such a number is still valid
    # JSON, so it must reach validation (a wrong type, "is invalid").
    return int(text) if len(text) <= 4000 else float(text)
# parity-ruling: end


# parity-ruling: begin 2 \u0000 and lone surrogates refused
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
# parity-ruling: end


class JSONBody:
    """The raw request body, parsed on demand into a pydantic model.

    Parsed whatever the Content-Type (the contract says so): strict UTF-8,
    no NaN/Infinity, no NUL or lone surrogates (valid JSON escapes that no
    database could store).
    """

    def __init__(self, raw: bytes):
        self.raw = raw

    def parse_deferred(self, model: Type[Model]) -> Tuple[Optional[Model], Optional[ApiError]]:
        """(the parsed body, None) or (None, the 422 to answer).

        For writes that must check existence (404) and ownership (403) first
        under SQLite's write lock: the body is parsed and validated before the
        lock is taken, and its error raised only after those checks."""
        try:
            return self.parse(model), None
        except ApiError as error:
            return None, error

    def parse(self, model: Type[Model]) -> Model:
        try:
            text = self.raw.decode("utf-8")
            document = json.loads(text, parse_constant=_reject_constant, parse_int=_parse_int)
        except (ValueError, RecursionError):  # UnicodeError is a ValueError
            raise body_invalid() from None
        # parity-ruling: begin 2 \u0000 and lone surrogates refused
        if _UNSTORABLE_ESCAPE.search(text) and _holds_unstorable_text(document):
            raise body_invalid()
        # parity-ruling: end
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
