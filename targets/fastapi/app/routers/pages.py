"""Non-API routes: the HTML page and the overhead endpoints."""
import os

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import get_db
from ..models import Article, User
from ..schemas import timestamp

router = APIRouter()
templates = Jinja2Templates(directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "templates"))


@router.get("/", response_class=HTMLResponse)
def index(request: Request, db: Session = Depends(get_db)):
    rows = db.execute(
        select(Article.title, User.username, Article.created_at)
        .join(Article.author)
        .order_by(Article.created_at.desc(), Article.id.desc())
        .limit(20)
    )
    articles = [(title, username, timestamp(created)) for title, username, created in rows]
    return templates.TemplateResponse("index.html", {"request": request, "articles": articles})


# No I/O: plain async endpoints, no thread pool hop.
@router.get("/plaintext", response_class=PlainTextResponse)
async def plaintext():
    return "Hello, World!"


@router.get("/json")
async def json_hello():
    return {"message": "Hello, World!"}
