"""Non-API routes: the HTML page and the overhead endpoints."""
import os

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.templating import Jinja2Templates
from ..repository import Repository, get_repo

router = APIRouter()
templates = Jinja2Templates(directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates"))


@router.get("/", response_class=HTMLResponse)
async def index(request: Request, repo: Repository = Depends(get_repo)):
    articles = repo.latest_titles(20)
    return templates.TemplateResponse("index.html", {"request": request, "articles": articles})


# No I/O: plain async endpoints, no thread pool hop.
@router.get("/plaintext", response_class=PlainTextResponse)
async def plaintext():
    return "Hello, World!"


@router.get("/json")
async def json_hello():
    return {"message": "Hello, World!"}
