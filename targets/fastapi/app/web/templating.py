"""Jinja2 templates of the pages (``app/templates``), autoescaped.

Every template sees, besides its own context:

- ``current_user``: the signed-in user for the nav (``request.state.user``,
  set by the ``web_user`` dependency; None on the API's plain page paths);
- ``csrf_input()``: the hidden CSRF input of the session (created on first use);
- ``get_flashed_messages()``: the flash messages, removed from the session as
  the page shows them, so each appears exactly once.
"""
import os
from typing import List

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape
from starlette.responses import RedirectResponse, Response

from .csrf import CSRF_FIELD, csrf_token

_FLASHES = "_flashes"


def _page_context(request: Request) -> dict:
    return {"current_user": getattr(request.state, "user", None)}


templates = Jinja2Templates(
    directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates"),
    context_processors=[_page_context],
)


@pass_context
def csrf_input(context) -> Markup:
    token = csrf_token(context["request"])
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')


@pass_context
def get_flashed_messages(context) -> List[str]:
    return context["request"].session.pop(_FLASHES, [])


# Block tags leave no blank lines behind them in the HTML.
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
# Production: compiled templates are not re-checked against their files (a stat() per template
# per render otherwise; Flask turns auto_reload on only in debug mode).
templates.env.auto_reload = False
templates.env.globals.update(csrf_input=csrf_input, get_flashed_messages=get_flashed_messages)


def flash(request: Request, message: str) -> None:
    """Show ``message`` once, on the next page this session renders."""
    request.session[_FLASHES] = request.session.get(_FLASHES, []) + [message]


def render(request: Request, name: str, status_code: int = 200, **context) -> Response:
    return templates.TemplateResponse(name, {"request": request, **context}, status_code=status_code)


class SeeOther(RedirectResponse):
    """303 to the next page, typed as the pages are (Starlette's redirect has no Content-Type)."""

    media_type = "text/html"

    def __init__(self, location: str):
        super().__init__(location, status_code=303)
