"""Non-API routes: the HTML page and the overhead endpoints."""
from flask import Blueprint, current_app, jsonify, render_template

from .repository import repo

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return render_template("index.html", articles=repo.latest_titles(20))


@bp.get("/plaintext")
def plaintext():
    return current_app.response_class("Hello, World!", mimetype="text/plain")


@bp.get("/json")
def json_hello():
    return jsonify(message="Hello, World!")
