"""Profiles and follows: /api/profiles/{username}[/follow]."""
from fastapi import APIRouter, Depends

from ..dependencies import get_current_user, get_optional_user
from ..errors import not_found
from ..paths import decode_segment
from ..repository import Repository, get_repo
from ..responses import JSONResponse
from ..schemas import ProfileResponse
from ..views import profile_view

router = APIRouter(prefix="/api/profiles", tags=["profiles"])


def _user_or_404(repo: Repository, raw_username: str):
    """The user named by a raw (percent-encoded) path segment, or 404 profile."""
    username = decode_segment(raw_username)
    user = repo.user_by_username(username) if username else None
    if user is None:
        raise not_found("profile")
    return user


def _profile_response(user, following) -> JSONResponse:
    return JSONResponse({"profile": profile_view(user.username, user.bio, user.image, following)})


@router.get("/{username}", response_model=ProfileResponse)
async def get_profile(username: str, viewer=Depends(get_optional_user), repo: Repository = Depends(get_repo)):
    user = _user_or_404(repo, username)
    return _profile_response(user, repo.is_following(viewer.id if viewer else None, user.id))


@router.post("/{username}/follow", response_model=ProfileResponse)
async def follow(username: str, viewer=Depends(get_current_user), repo: Repository = Depends(get_repo)):
    # The request body is ignored (contract, endpoint 6).
    user = _user_or_404(repo, username)
    repo.follow(viewer.id, user.id)
    await repo.commit()
    return _profile_response(user, True)


@router.delete("/{username}/follow", response_model=ProfileResponse)
async def unfollow(username: str, viewer=Depends(get_current_user), repo: Repository = Depends(get_repo)):
    user = _user_or_404(repo, username)
    repo.unfollow(viewer.id, user.id)
    await repo.commit()
    return _profile_response(user, False)
