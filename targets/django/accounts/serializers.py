"""JSON representations of users and profiles."""
from common.repository.shapes import profile_view

from .tokens import issue_token


def user_json(user, token=None):
    return {
        "user": {
            "email": user.email,
            "token": token or issue_token(user),
            "username": user.username,
            "bio": user.bio,
            "image": user.image,
        }
    }


def profile_json(user, following):
    return {"profile": profile_view(user.username, user.bio, user.image, following)}
