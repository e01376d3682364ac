"""The pages' forms: ``Form(...)`` parameters gathered in one dependency per
form, validated with the API's pydantic request models, so a page says what
the API says (``title can't be blank``...).

FastAPI would answer a missing ``Form(...)`` field with its own JSON 422
before the route runs, i.e. before the CSRF and sign-in checks. So every
field defaults to ``""`` (a browser sends every field anyway) and the route
calls :meth:`WebForm.errors` when it is ready: after CSRF, sign-in,
existence and ownership, as the contract orders them. A failed form is
re-rendered with status 422, its values kept except the password.
"""
from typing import Dict, List, Type

from fastapi import Form
from pydantic import BaseModel, ValidationError

from ..errors import validation_error
from ..schemas import LoginRequest, NewArticleRequest, NewCommentRequest, NewUserRequest

INVALID = "is invalid"


class WebForm:
    """Field values by name (``values``), kept for re-rendering the form."""

    request_model: Type[BaseModel]
    wrapper: str  # the API body's envelope: "user", "article", "comment"
    secret_fields = ("password",)  # never sent back to the browser

    def __init__(self, **values: str):
        self.values: Dict[str, str] = values

    def shown(self) -> Dict[str, str]:
        """The values to fill the re-rendered form with."""
        return {name: ("" if name in self.secret_fields else value) for name, value in self.values.items()}

    def api_fields(self) -> Dict[str, object]:
        return dict(self.values)

    def parse(self) -> BaseModel:
        """The API's model of this form's data (call when :meth:`errors` is empty)."""
        return getattr(self.request_model.parse_obj({self.wrapper: self.api_fields()}), self.wrapper)

    def errors(self) -> List[str]:
        """``FIELD MESSAGE`` for every failing field, in the form's order."""
        messages: Dict[str, List[str]] = {}
        try:
            self.request_model.parse_obj({self.wrapper: self.api_fields()})
        except ValidationError as exc:
            messages = validation_error(exc).errors
        # A JSON body cannot carry NUL (the API refuses "\u0000", ruling 2); a form can (%00).
        # (A password is never stored as text: bcrypt stops at NUL, as in the API.)
        # parity-ruling: begin web-4 NUL refused in forms as in JSON (ruling 2)
        for name, value in self.values.items():
            if "\x00" in value and name not in messages and name not in self.secret_fields:
                messages[name] = [INVALID]
        # parity-ruling: end
        order = list(self.values)
        return [
            f"{name} {message}"
            for name in sorted(messages, key=lambda key: order.index(key) if key in order else len(order))
            for message in messages[name]
        ]


class RegisterForm(WebForm):
    request_model = NewUserRequest
    wrapper = "user"

    def __init__(self, username: str = Form(""), email: str = Form(""), password: str = Form("")):
        super().__init__(username=username, email=email, password=password)


class LoginForm(WebForm):
    request_model = LoginRequest
    wrapper = "user"

    def __init__(self, email: str = Form(""), password: str = Form(""), next: str = Form("")):
        super().__init__(email=email, password=password)
        self.next = next


class ArticleForm(WebForm):
    """``tags``: space-separated; the API model sorts them and drops duplicates."""

    request_model = NewArticleRequest
    wrapper = "article"
    secret_fields = ()

    def __init__(
        self, title: str = Form(""), description: str = Form(""), body: str = Form(""), tags: str = Form("")
    ):
        super().__init__(title=title, description=description, body=body, tags=tags)

    def api_fields(self) -> Dict[str, object]:
        fields = {name: value for name, value in self.values.items() if name != "tags"}
        fields["tagList"] = self.values["tags"].split()
        return fields


class CommentForm(WebForm):
    request_model = NewCommentRequest
    wrapper = "comment"
    secret_fields = ()

    def __init__(self, body: str = Form("")):
        super().__init__(body=body)
