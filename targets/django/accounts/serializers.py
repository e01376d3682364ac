"""JSON representations of users and profiles."""
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


def profile_data(user, following):
    return {"username": user.username, "bio": user.bio, "image": user.image, "following": following}
