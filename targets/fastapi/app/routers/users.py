"""Registration, login and the current user: /api/users, /api/user."""
from typing import Dict, List, Optional

from fastapi import APIRouter, Depends
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..database import begin_immediate, get_db
from ..dependencies import Auth, JSONBody, get_auth, get_json_body
from ..errors import ApiError
from ..models import User
from ..schemas import LoginRequest, NewUserRequest, UserOut, UserResponse, UserUpdateRequest
from ..security import create_token, hash_password, verify_password

router = APIRouter(prefix="/api", tags=["users"])

TAKEN = "has already been taken"


def _user_response(user: User, token: str) -> UserResponse:
    return UserResponse(
        user=UserOut(email=user.email, token=token, username=user.username, bio=user.bio, image=user.image)
    )


def _raise_if_taken(
    db: Session, username: Optional[str] = None, email: Optional[str] = None, exclude_id: Optional[int] = None
) -> None:
    """409 naming every field already used by another user (bytewise equality)."""
    conditions = []
    if username is not None:
        conditions.append(User.username == username)
    if email is not None:
        conditions.append(User.email == email)
    if not conditions:
        return
    query = select(User.username, User.email).where(or_(*conditions))
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    errors: Dict[str, List[str]] = {}
    for taken_username, taken_email in db.execute(query):
        if username is not None and taken_username == username:
            errors["username"] = [TAKEN]
        if email is not None and taken_email == email:
            errors["email"] = [TAKEN]
    if errors:
        raise ApiError(409, errors)


@router.post("/users", status_code=201, response_model=UserResponse)
def register(body: JSONBody = Depends(get_json_body), db: Session = Depends(get_db)):
    new = body.parse(NewUserRequest).user
    # bcrypt (~50 ms) runs before the write lock is taken.
    user = User(username=new.username, email=new.email, password_hash=hash_password(new.password))
    begin_immediate(db)  # the duplicate check and the insert are one atomic step
    _raise_if_taken(db, username=new.username, email=new.email)
    db.add(user)
    db.commit()
    return _user_response(user, create_token(user.id))


@router.post("/users/login", response_model=UserResponse)
def login(body: JSONBody = Depends(get_json_body), db: Session = Depends(get_db)):
    credentials = body.parse(LoginRequest).user
    user = db.execute(select(User).where(User.email == credentials.email)).scalar_one_or_none()
    if user is None or not verify_password(credentials.password, user.password_hash):
        raise ApiError.single(401, "credentials", "invalid")
    return _user_response(user, create_token(user.id))


@router.get("/user", response_model=UserResponse)
def current_user(auth: Auth = Depends(get_auth)):
    return _user_response(auth.user, auth.token)


@router.put("/user", response_model=UserResponse)
def update_user(
    auth: Auth = Depends(get_auth),
    body: JSONBody = Depends(get_json_body),
    db: Session = Depends(get_db),
):
    changes = body.parse(UserUpdateRequest).user.dict(exclude_unset=True)
    password = changes.pop("password", None)
    if password is not None:
        changes["password_hash"] = hash_password(password)  # before the write lock

    user = auth.user
    begin_immediate(db)
    _raise_if_taken(db, changes.get("username"), changes.get("email"), exclude_id=user.id)
    for name, value in changes.items():
        setattr(user, name, value)
    db.commit()
    return _user_response(user, create_token(user.id))
