"""Registration, login and the current user: /api/users, /api/user."""
from flask import Blueprint, g, jsonify
from sqlalchemy.exc import IntegrityError

from .auth import auth_required, create_token
from .errors import ApiError
from .models import hash_password, verify_password
from .payload import Validator, json_body
from .repository import repo
from .serializers import user_view

bp = Blueprint("users", __name__, url_prefix="/api")

TAKEN = "has already been taken"


def _user_response(user, token=None, status=200):
    return jsonify(user=user_view(user, token or create_token(user))), status


def taken_fields(username=None, email=None, exclude_id=None):
    """{"username": [TAKEN], "email": [TAKEN]} for each value already used by
    another user (bytewise equality), in that order; empty when both are free.
    The web's register form (conduit.web.auth) shows the same messages."""
    errors = {}
    for taken_username, taken_email in repo.taken_names(username, email, exclude_id):
        if username is not None and taken_username == username:
            errors["username"] = [TAKEN]
        if email is not None and taken_email == email:
            errors["email"] = [TAKEN]
    return {name: errors[name] for name in ("username", "email") if name in errors}


def commit_user(write, username=None, email=None, exclude_id=None):
    """The duplicate check, ``write()`` (a user's INSERT or UPDATE) and the
    commit, as one step: (what ``write`` returned, {}) or, with nothing
    written, (None, ``taken_fields``). The API and the register form
    (conduit.web.auth) both write users through it.

    SQLite: ``repo.lock()`` (BEGIN IMMEDIATE) makes the check and the write
    atomic. PostgreSQL has no such lock: a concurrent request can take the
    name between the check and the write, and the unique index then refuses
    the write (IntegrityError, SQLSTATE 23505 unique_violation); rolled back,
    the check run again names the field, as if it had been taken earlier."""
    repo.lock()
    taken = taken_fields(username, email, exclude_id)
    if taken:
        repo.rollback()
        return None, taken
    try:
        result = write()
        repo.commit()
    except IntegrityError:
        repo.rollback()
        taken = taken_fields(username, email, exclude_id)
        if not taken:
            raise  # not a duplicate name: a real error
        return None, taken
    return result, {}


@bp.post("/users")
def register():
    fields = Validator(json_body("user"))
    username = fields.text("username")
    email = fields.text("email")
    password = fields.text("password")
    fields.raise_if_invalid()

    password_hash = hash_password(password)  # bcrypt (~50 ms) before the write lock
    user, taken = commit_user(lambda: repo.create_user(username, email, password_hash), username, email)
    if taken:
        raise ApiError(409, taken)
    return _user_response(user, status=201)


@bp.post("/users/login")
def login():
    fields = Validator(json_body("user"))
    email = fields.text("email")
    password = fields.text("password")
    fields.raise_if_invalid()

    user = repo.user_by_email(email)
    if user is None or not verify_password(password, user.password_hash):
        raise ApiError.single(401, "credentials", "invalid")
    return _user_response(user)


@bp.get("/user")
@auth_required
def current_user():
    return _user_response(g.user, g.token)


@bp.put("/user")
@auth_required
def update_user():
    data = json_body("user")
    fields = Validator(data)
    changes = {}
    for name in ("username", "email"):
        if name in data:
            changes[name] = fields.text(name)
    for name in ("bio", "image"):
        if name in data:
            changes[name] = fields.nullable_text(name)
    password = fields.password("password") if "password" in data else None
    fields.raise_if_invalid()

    if password is not None:
        changes["password_hash"] = hash_password(password)  # before the write lock

    def write():
        user = repo.update_user(g.user, changes)
        if password is not None:
            # A new password signs the user out of every web session (Flask-Login's
            # advice for its alternative tokens); API tokens stay valid until they expire.
            repo.revoke_sessions(user.id)
        return user

    user, taken = commit_user(write, changes.get("username"), changes.get("email"), exclude_id=g.user.id)
    if taken:
        raise ApiError(409, taken)
    return _user_response(user)
