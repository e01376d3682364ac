"""GET /api/tags: every tag used by at least one article, sorted bytewise."""
from flask import Blueprint, jsonify

from .repository import repo

bp = Blueprint("tags", __name__, url_prefix="/api/tags")


@bp.get("")
def list_tags():
    return jsonify(tags=repo.tag_names())
