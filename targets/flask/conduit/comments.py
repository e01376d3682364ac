"""Comments on an article: /api/articles/<slug>/comments[/<id>]."""
import re

from flask import Blueprint, g, jsonify
from sqlalchemy import delete, exists, false, select

from .articles import get_article_or_404
from .auth import auth_optional, auth_required
from .errors import forbidden, not_found
from .extensions import db
from .models import Comment, follows, utcnow
from .payload import Validator, json_body
from .serializers import comment_json

bp = Blueprint("comments", __name__, url_prefix="/api/articles/<slug>/comments")

# An id that is not ^[0-9]+$ is a 404 comment (ruling 11); 18 digits fit int64.
_COMMENT_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


@bp.post("")
@auth_required
def add_comment(slug):
    article = get_article_or_404(slug, for_update=True)  # the article cannot vanish before the insert
    fields = Validator(json_body("comment"))
    body = fields.text("body")
    fields.raise_if_invalid()

    comment = Comment(body=body, article_id=article.id, author=g.user, created_at=utcnow())
    db.session.add(comment)
    db.session.commit()
    # Following yourself is allowed, so even your own comment may say true.
    following = db.session.scalar(
        select(exists().where(follows.c.follower_id == g.user.id, follows.c.followed_id == g.user.id))
    )
    return jsonify(comment=comment_json(comment, following)), 201


@bp.get("")
@auth_optional
def list_comments(slug):
    article = get_article_or_404(slug)
    if g.user is None:
        following = false()
    else:
        following = exists().where(follows.c.follower_id == g.user.id, follows.c.followed_id == Comment.author_id)
    rows = db.session.execute(
        select(Comment, following.label("following"))
        .where(Comment.article_id == article.id)
        .order_by(Comment.created_at, Comment.id)
    )
    return jsonify(comments=[comment_json(comment, following) for comment, following in rows])


@bp.delete("/<comment_id>")
@auth_required
def delete_comment(slug, comment_id):
    article = get_article_or_404(slug, for_update=True)
    comment = None
    if comment_id is not None and _COMMENT_ID.fullmatch(comment_id):
        comment = db.session.execute(
            select(Comment).where(Comment.id == int(comment_id), Comment.article_id == article.id)
        ).scalar_one_or_none()
    if comment is None:
        raise not_found("comment")
    if comment.author_id != g.user.id:
        raise forbidden("comment")
    db.session.execute(delete(Comment).where(Comment.id == comment.id))
    db.session.commit()
    return "", 204
