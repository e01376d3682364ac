"""Comments on an article: /api/articles/<slug>/comments[/<id>]."""
import re

from flask import Blueprint, g, jsonify

from .articles import article_or_404, locked_article
from .auth import auth_optional, auth_required
from .errors import ApiError, forbidden, not_found
from .payload import Validator, json_body
from .repository import repo

bp = Blueprint("comments", __name__, url_prefix="/api/articles/<slug>/comments")

# An id that is not ^[0-9]+$ is a 404 comment (ruling 11); 18 digits fit int64.
_COMMENT_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # parity-ruling: 11


@bp.post("")
@auth_required
def add_comment(slug):
    try:
        fields = Validator(json_body("comment"))
        body = fields.text("body")
        fields.raise_if_invalid()
    except ApiError:
        article_or_404(slug)  # 404 before 422
        raise
    # No BEGIN IMMEDIATE: the repository checks the article and inserts in
    # one short write transaction (see its add_comment).
    comment = repo.add_comment(slug, g.user, body) if slug is not None else None
    if comment is None:
        raise not_found("article")
    return jsonify(comment=comment), 201


@bp.get("")
@auth_optional
def list_comments(slug):
    article = article_or_404(slug)
    return jsonify(comments=repo.list_comments(article, g.user.id if g.user else None))


@bp.delete("/<comment_id>")
@auth_required
def delete_comment(slug, comment_id):
    article = locked_article(slug)
    author_id = None
    if comment_id is not None and _COMMENT_ID.fullmatch(comment_id):
        author_id = repo.comment_author(article, int(comment_id))
    if author_id is None:
        raise not_found("comment")
    if author_id != g.user.id:
        raise forbidden("comment")
    repo.delete_comment(int(comment_id))
    repo.commit()
    return "", 204
