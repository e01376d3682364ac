"""Registration, login and the current user: /api/users, /api/user.

bcrypt (~50 ms of CPU, GIL released) is the one blocking call left: it runs in
the thread pool (``run_in_threadpool``), outside any transaction, so the event
loop keeps serving while a password hashes.
"""
from typing import List, Optional

from fastapi import APIRouter, Depends
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from ..database import is_unique_violation
from ..dependencies import Auth, JSONBody, get_auth, get_json_body
from ..errors import ApiError
from ..repository import Repository, get_repo
from ..responses import JSONResponse
from ..schemas import LoginRequest, NewUserRequest, UserResponse, UserUpdateRequest
from ..security import create_token, hash_password, verify_password
from ..views import user_view

router = APIRouter(prefix="/api", tags=["users"])

TAKEN = "has already been taken"


def _user_response(user, status_code: int = 200) -> JSONResponse:
    return JSONResponse({"user": user_view(user, create_token(user.id))}, status_code=status_code)


def taken_fields(
    repo: Repository, username: Optional[str] = None, email: Optional[str] = None, exclude_id: Optional[int] = None
) -> List[str]:
    """The fields ("username", "email", in that order) whose value another
    user holds (bytewise equality)."""
    taken = set()
    for taken_username, taken_email in repo.taken_names(username, email, exclude_id):
        if username is not None and taken_username == username:
            taken.add("username")
        if email is not None and taken_email == email:
            taken.add("email")
    return [field for field in ("username", "email") if field in taken]


def taken_after_race(
    repo: Repository, error: IntegrityError, username: Optional[str], email: Optional[str], exclude_id=None
) -> List[str]:
    """After an INSERT/UPDATE of users failed: the fields a concurrent
    request took between this one's check and its write, or re-raise.

    SQLite's write lock makes that impossible; PostgreSQL takes no such lock,
    and its unique constraint refuses the second writer (SQLSTATE 23505,
    after the first one committed): rolled back, the check now sees it."""
    repo.rollback()
    if not is_unique_violation(error):
        raise error
    taken = taken_fields(repo, username, email, exclude_id)
    if not taken:  # the holder is gone again: still a conflict, named by its constraint
        constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None) or ""
        taken = ["email" if "email" in constraint else "username"]
    return taken


def _raise_if_taken(
    repo: Repository, username: Optional[str] = None, email: Optional[str] = None, exclude_id: Optional[int] = None
) -> None:
    """409 naming every field already used by another user."""
    _raise_conflict(taken_fields(repo, username, email, exclude_id))


def _raise_conflict(taken: List[str]) -> None:
    if taken:
        raise ApiError(409, {field: [TAKEN] for field in taken})


@router.post("/users", status_code=201, response_model=UserResponse)
async def register(body: JSONBody = Depends(get_json_body), repo: Repository = Depends(get_repo)):
    new = body.parse(NewUserRequest).user
    password_hash = await run_in_threadpool(hash_password, new.password)  # before the write lock
    repo.lock()  # the duplicate check and the insert are one atomic step (SQLite)
    _raise_if_taken(repo, username=new.username, email=new.email)
    try:
        user = repo.create_user(new.username, new.email, password_hash)
        await repo.commit()
    except IntegrityError as error:
        _raise_conflict(taken_after_race(repo, error, new.username, new.email))
        raise
    return _user_response(user, 201)


@router.post("/users/login", response_model=UserResponse)
async def login(body: JSONBody = Depends(get_json_body), repo: Repository = Depends(get_repo)):
    credentials = body.parse(LoginRequest).user
    user = repo.user_by_email(credentials.email)
    if user is None or not await run_in_threadpool(verify_password, credentials.password, user.password_hash):
        raise ApiError.single(401, "credentials", "invalid")
    return _user_response(user)


@router.get("/user", response_model=UserResponse)
async def current_user(auth: Auth = Depends(get_auth)):
    return JSONResponse({"user": user_view(auth.user, auth.token)})


@router.put("/user", response_model=UserResponse)
async def update_user(
    auth: Auth = Depends(get_auth),
    body: JSONBody = Depends(get_json_body),
    repo: Repository = Depends(get_repo),
):
    changes = body.parse(UserUpdateRequest).user.dict(exclude_unset=True)
    password = changes.pop("password", None)
    if password is not None:
        changes["password_hash"] = await run_in_threadpool(hash_password, password)  # before the write lock
    repo.lock()
    user_id = auth.user.id
    _raise_if_taken(repo, changes.get("username"), changes.get("email"), exclude_id=user_id)
    try:
        user = repo.update_user(auth.user, changes)
        await repo.commit()
    except IntegrityError as error:
        _raise_conflict(taken_after_race(repo, error, changes.get("username"), changes.get("email"), user_id))
        raise
    return _user_response(user)
