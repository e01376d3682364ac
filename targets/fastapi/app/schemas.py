"""pydantic models of the request and response bodies.

Request models validate every body. Response models document the answers
(``response_model=``); the endpoints return ready dicts (``views.py``) in a
JSONResponse, which FastAPI sends without validating them again.

Requests follow the contract's rulings rather than pydantic's coercions: a
field of the wrong JSON type is never converted (``5`` is not the title
``"5"``), blank strings and ``null`` are "can't be blank", and every failing
field is reported at once (pydantic collects them; errors.validation_error
turns them into the contract's messages).
"""
from datetime import datetime
from typing import Any, List, Optional

from pydantic import BaseModel, PydanticTypeError, PydanticValueError, validator

from .views import timestamp


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class BlankError(PydanticValueError):
    code = "blank"
    msg_template = "can't be blank"


class InvalidError(PydanticTypeError):
    code = "invalid"
    msg_template = "is invalid"


class TooShortError(PydanticValueError):
    code = "too_short"
    msg_template = "is too short (minimum is 8 characters)"


# Validators run with pre=True, on the raw JSON value, before pydantic's own
# (coercing) str/list validators; a key that is absent never reaches them.


# Ruling 3: Unicode White_Space without U+0085 (so neither str.strip() alone,
# which also strips U+001C..U+001F and U+0085, nor str.isspace()).
WHITESPACE = "\t\n\x0b\x0c\r \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"  # parity-ruling: 3


def non_blank_text(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip(WHITESPACE)):
        raise BlankError()
    if not isinstance(value, str):
        raise InvalidError()
    return value


def nullable_text(value: Any) -> Optional[str]:
    """A string or null; "" is stored as null."""
    if value is not None and not isinstance(value, str):
        raise InvalidError()
    return value or None


def new_password(value: Any) -> str:
    if value is not None and not isinstance(value, str):
        raise InvalidError()
    if value is None or len(value) < 8:  # code points
        raise TooShortError()
    return value


def string_list(value: Any) -> List[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise InvalidError()
    return sorted(set(value))  # unique, bytewise (code point order is UTF-8 byte order)


class RequestModel(BaseModel):
    class Config:
        alias_generator = to_camel
        allow_population_by_field_name = True


class NewUser(RequestModel):
    username: str
    email: str
    password: str

    _text = validator("username", "email", "password", pre=True, allow_reuse=True)(non_blank_text)


class NewUserRequest(RequestModel):
    user: NewUser


class LoginUser(RequestModel):
    email: str
    password: str

    _text = validator("email", "password", pre=True, allow_reuse=True)(non_blank_text)


class LoginRequest(RequestModel):
    user: LoginUser


class UserUpdate(RequestModel):
    """Every key optional; only the keys sent change (``exclude_unset``)."""

    email: Optional[str]
    username: Optional[str]
    password: Optional[str]
    bio: Optional[str]
    image: Optional[str]

    _text = validator("email", "username", pre=True, allow_reuse=True)(non_blank_text)
    _password = validator("password", pre=True, allow_reuse=True)(new_password)
    _nullable = validator("bio", "image", pre=True, allow_reuse=True)(nullable_text)


class UserUpdateRequest(RequestModel):
    user: UserUpdate


class NewArticle(RequestModel):
    title: str
    description: str
    body: str
    tag_list: List[str] = []

    _text = validator("title", "description", "body", pre=True, allow_reuse=True)(non_blank_text)
    _tags = validator("tag_list", pre=True, allow_reuse=True)(string_list)


class NewArticleRequest(RequestModel):
    article: NewArticle


class ArticleUpdate(RequestModel):
    title: Optional[str]
    description: Optional[str]
    body: Optional[str]
    tag_list: Optional[List[str]]

    _text = validator("title", "description", "body", pre=True, allow_reuse=True)(non_blank_text)
    _tags = validator("tag_list", pre=True, allow_reuse=True)(string_list)


class ArticleUpdateRequest(RequestModel):
    article: ArticleUpdate


class NewComment(RequestModel):
    body: str

    _text = validator("body", pre=True, allow_reuse=True)(non_blank_text)


class NewCommentRequest(RequestModel):
    comment: NewComment


# Responses ------------------------------------------------------------------


class ResponseModel(BaseModel):
    class Config:
        alias_generator = to_camel
        allow_population_by_field_name = True
        json_encoders = {datetime: timestamp}


class UserOut(ResponseModel):
    email: str
    token: str
    username: str
    bio: Optional[str]
    image: Optional[str]


class UserResponse(ResponseModel):
    user: UserOut


class Profile(ResponseModel):
    username: str
    bio: Optional[str]
    image: Optional[str]
    following: bool


class ProfileResponse(ResponseModel):
    profile: Profile


class ArticleSummary(ResponseModel):
    """An article in a list: everything but the body."""

    slug: str
    title: str
    description: str
    tag_list: List[str]
    created_at: datetime
    updated_at: datetime
    favorited: bool
    favorites_count: int
    author: Profile


class ArticleOut(ArticleSummary):
    body: str


class ArticleResponse(ResponseModel):
    article: ArticleOut


class ArticleListResponse(ResponseModel):
    articles: List[ArticleSummary]
    articles_count: int


class CommentOut(ResponseModel):
    id: int
    created_at: datetime
    updated_at: datetime
    body: str
    author: Profile


class CommentResponse(ResponseModel):
    comment: CommentOut


class CommentListResponse(ResponseModel):
    comments: List[CommentOut]


class TagListResponse(ResponseModel):
    tags: List[str]
