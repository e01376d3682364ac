"""Exception handlers that answer the pages' errors (errors.py) in HTML."""
from fastapi import FastAPI, Request

from .errors import LoginRequired, PageError
from .templating import SeeOther, render


async def handle_login_required(request: Request, exc: LoginRequired) -> SeeOther:
    return SeeOther(exc.location)


async def handle_page_error(request: Request, exc: PageError):
    return render(request, "error.html", exc.status_code, error=exc)


def register_page_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, handle_login_required)
    app.add_exception_handler(PageError, handle_page_error)
