"""The contract's JSON shapes, as plain dicts built by both data layers
(``conduit.repository``) and sent by the views with ``jsonify``."""
from datetime import datetime
from typing import List, Optional


def timestamp(value: datetime) -> str:
    """UTC ISO 8601 with milliseconds: 2026-11-23T18:32:05.123Z."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def user_view(user, token: str) -> dict:
    return {"email": user.email, "token": token, "username": user.username, "bio": user.bio, "image": user.image}


def profile_view(username: str, bio: Optional[str], image: Optional[str], following) -> dict:
    return {"username": username, "bio": bio, "image": image, "following": bool(following)}


def article_view(
    slug: str,
    title: str,
    description: str,
    body: Optional[str],
    tag_list: List[str],
    created_at: str,
    updated_at: str,
    favorited: bool,
    favorites_count: int,
    author: dict,
) -> dict:
    """An article; ``body`` None leaves the key out (lists)."""
    data = {"slug": slug, "title": title, "description": description}
    if body is not None:
        data["body"] = body
    data.update(
        tagList=tag_list,
        createdAt=created_at,
        updatedAt=updated_at,
        favorited=favorited,
        favoritesCount=favorites_count,
        author=author,
    )
    return data


def comment_view(comment_id: int, created_at: str, body: str, author: dict) -> dict:
    return {"id": comment_id, "createdAt": created_at, "updatedAt": created_at, "body": body, "author": author}
