"""Non-API routes: the HTML page and the overhead endpoints."""
from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import select

from .extensions import db
from .models import Article, User
from .serializers import timestamp

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    rows = db.session.execute(
        select(Article.title, User.username, Article.created_at)
        .join(Article.author)
        .order_by(Article.created_at.desc(), Article.id.desc())
        .limit(20)
    )
    articles = [(title, username, timestamp(created)) for title, username, created in rows]
    return render_template("index.html", articles=articles)


@bp.get("/plaintext")
def plaintext():
    return current_app.response_class("Hello, World!", mimetype="text/plain")


@bp.get("/json")
def json_hello():
    return jsonify(message="Hello, World!")
