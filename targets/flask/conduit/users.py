"""Registration, login and the current user: /api/users, /api/user."""
from flask import Blueprint, g, jsonify
from sqlalchemy import or_, select

from .auth import auth_required, create_token
from .database import begin_immediate
from .errors import ApiError
from .extensions import db
from .models import User
from .payload import Validator, json_body
from .serializers import user_json

bp = Blueprint("users", __name__, url_prefix="/api")

TAKEN = "has already been taken"


def _user_response(user, token, status=200):
    return jsonify(user=user_json(user, token)), status


def _raise_if_taken(username=None, email=None, exclude_id=None):
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
    errors = {}
    for taken_username, taken_email in db.session.execute(query):
        if username is not None and taken_username == username:
            errors["username"] = [TAKEN]
        if email is not None and taken_email == email:
            errors["email"] = [TAKEN]
    if errors:
        raise ApiError(409, errors)


@bp.post("/users")
def register():
    fields = Validator(json_body("user"))
    username = fields.text("username")
    email = fields.text("email")
    password = fields.text("password")
    fields.raise_if_invalid()

    # bcrypt (~50 ms) runs before the write lock is taken.
    user = User(username=username, email=email, password_hash=User.hash_password(password))
    begin_immediate()  # the duplicate check and the insert are one atomic step
    _raise_if_taken(username=username, email=email)
    db.session.add(user)
    db.session.commit()
    return _user_response(user, create_token(user), 201)


@bp.post("/users/login")
def login():
    fields = Validator(json_body("user"))
    email = fields.text("email")
    password = fields.text("password")
    fields.raise_if_invalid()

    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is None or not user.check_password(password):
        raise ApiError.single(401, "credentials", "invalid")
    return _user_response(user, create_token(user))


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
        changes["password_hash"] = User.hash_password(password)  # before the write lock

    user = g.user
    begin_immediate()
    _raise_if_taken(changes.get("username"), changes.get("email"), exclude_id=user.id)
    for name, value in changes.items():
        setattr(user, name, value)
    db.session.commit()
    return _user_response(user, create_token(user))
