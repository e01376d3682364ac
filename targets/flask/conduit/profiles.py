"""Profiles and follows: /api/profiles/<username>[/follow]."""
from flask import Blueprint, g, jsonify
from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.sqlite import insert

from .auth import auth_optional, auth_required
from .errors import not_found
from .extensions import db
from .models import User, follows
from .serializers import profile_json

bp = Blueprint("profiles", __name__, url_prefix="/api/profiles")


def is_following(viewer, user):
    if viewer is None:
        return False
    query = exists().where(follows.c.follower_id == viewer.id, follows.c.followed_id == user.id)
    return db.session.scalar(select(query))


def _get_profile_user(username):
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise not_found("profile")
    return user


@bp.get("/<username>")
@auth_optional
def get_profile(username):
    user = _get_profile_user(username)
    return jsonify(profile=profile_json(user, is_following(g.user, user)))


@bp.post("/<username>/follow")
@auth_required
def follow(username):
    # The request body is ignored (contract, endpoint 6).
    user = _get_profile_user(username)
    db.session.execute(
        insert(follows).values(follower_id=g.user.id, followed_id=user.id).on_conflict_do_nothing()
    )
    db.session.commit()
    return jsonify(profile=profile_json(user, True))


@bp.delete("/<username>/follow")
@auth_required
def unfollow(username):
    user = _get_profile_user(username)
    db.session.execute(
        delete(follows).where(follows.c.follower_id == g.user.id, follows.c.followed_id == user.id)
    )
    db.session.commit()
    return jsonify(profile=profile_json(user, False))
