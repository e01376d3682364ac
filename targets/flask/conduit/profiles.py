"""Profiles and follows: /api/profiles/<username>[/follow]."""
from flask import Blueprint, g, jsonify

from .auth import auth_optional, auth_required
from .errors import not_found
from .repository import repo
from .serializers import profile_view

bp = Blueprint("profiles", __name__, url_prefix="/api/profiles")


def _profile_user(username):
    user = repo.user_by_username(username) if username is not None else None
    if user is None:
        raise not_found("profile")
    return user


def _profile_response(user, following):
    return jsonify(profile=profile_view(user.username, user.bio, user.image, following))


@bp.get("/<username>")
@auth_optional
def get_profile(username):
    user = _profile_user(username)
    return _profile_response(user, repo.is_following(g.user.id if g.user else None, user.id))


@bp.post("/<username>/follow")
@auth_required
def follow(username):
    # The request body is ignored (contract, endpoint 6).
    user = _profile_user(username)
    repo.follow(g.user.id, user.id)
    repo.commit()
    return _profile_response(user, True)


@bp.delete("/<username>/follow")
@auth_required
def unfollow(username):
    user = _profile_user(username)
    repo.unfollow(g.user.id, user.id)
    repo.commit()
    return _profile_response(user, False)
