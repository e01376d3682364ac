"""GET /api/tags: every tag used by at least one article, sorted bytewise."""
from flask import Blueprint, jsonify
from sqlalchemy import exists, select

from .extensions import db
from .models import Tag, article_tags

bp = Blueprint("tags", __name__, url_prefix="/api/tags")


@bp.get("")
def list_tags():
    # SQLite's BINARY collation compares UTF-8 bytes, i.e. bytewise order.
    used = exists().where(article_tags.c.tag_id == Tag.id)
    names = db.session.scalars(select(Tag.name).where(used).order_by(Tag.name))
    return jsonify(tags=list(names))
