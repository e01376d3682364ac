"""The overhead endpoints (the home page is the web app's: conduit.web.blog)."""
from flask import Blueprint, current_app, jsonify

bp = Blueprint("pages", __name__)


@bp.get("/plaintext")
def plaintext():
    return current_app.response_class("Hello, World!", mimetype="text/plain")


@bp.get("/json")
def json_hello():
    return jsonify(message="Hello, World!")
