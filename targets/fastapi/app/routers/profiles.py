"""Profiles and follows: /api/profiles/{username}[/follow]."""
from typing import Optional

from fastapi import APIRouter, Depends
from sqlalchemy import delete
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from ..database import get_db
from ..dependencies import get_current_user, get_optional_user
from ..models import User, follows
from ..queries import get_user_by_username_or_404, is_following
from ..schemas import ProfileResponse, profile_of

router = APIRouter(prefix="/api/profiles", tags=["profiles"])


@router.get("/{username}", response_model=ProfileResponse)
def get_profile(username: str, viewer: Optional[User] = Depends(get_optional_user), db: Session = Depends(get_db)):
    user = get_user_by_username_or_404(db, username)
    return ProfileResponse(profile=profile_of(user, is_following(db, viewer, user)))


@router.post("/{username}/follow", response_model=ProfileResponse)
def follow(username: str, viewer: User = Depends(get_current_user), db: Session = Depends(get_db)):
    # The request body is ignored (contract, endpoint 6).
    user = get_user_by_username_or_404(db, username)
    db.execute(insert(follows).values(follower_id=viewer.id, followed_id=user.id).on_conflict_do_nothing())
    db.commit()
    return ProfileResponse(profile=profile_of(user, True))


@router.delete("/{username}/follow", response_model=ProfileResponse)
def unfollow(username: str, viewer: User = Depends(get_current_user), db: Session = Depends(get_db)):
    user = get_user_by_username_or_404(db, username)
    db.execute(delete(follows).where(follows.c.follower_id == viewer.id, follows.c.followed_id == user.id))
    db.commit()
    return ProfileResponse(profile=profile_of(user, False))
