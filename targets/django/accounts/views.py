"""Users (register, login, current user) and profiles (read, follow, unfollow)."""
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils.decorators import method_decorator

from common.http import ApiError, ApiResponse, not_found, parse_json_body
from common.repository import repo
from common.validation import Payload
from common.views import ApiView

from .auth import token_optional, token_required
from .serializers import profile_json, user_json

TAKEN = "has already been taken"


def _raise_if_taken(username=None, email=None, exclude=None):
    """409 naming every field whose value another user already has (bytewise comparison:
    ``=`` on text, on SQLite and on PostgreSQL alike)."""
    taken = repo.taken_fields(username, email, exclude)
    if taken:
        raise ApiError(409, {field: [TAKEN] for field in taken})


def _save_unique(write, username=None, email=None, exclude=None):
    """Run ``write()`` (an insert or update of a user) after the duplicate check, both in one
    transaction. On SQLite (BEGIN IMMEDIATE) two concurrent registrations cannot both pass the
    check; on PostgreSQL (READ COMMITTED) they can, and the unique index then makes the second
    insert wait for the first and fail with a unique violation (SQLSTATE 23505)."""
    try:
        with transaction.atomic():
            _raise_if_taken(username, email, exclude)
            return write()
    except IntegrityError:
        # The unique indexes are the last line of defence (a concurrent registration on
        # PostgreSQL, a writer outside this code path): the transaction is rolled back, and the
        # check, re-run in autocommit, reports whichever field now clashes.
        _raise_if_taken(username, email, exclude)
        raise


class RegistrationView(ApiView):
    def post(self, request):
        payload = Payload(parse_json_body(request, "user"))
        username = payload.text("username")
        email = payload.text("email")
        password = payload.text("password")
        payload.validate()
        # bcrypt takes ~50 ms: hash before taking the database write lock.
        password_hash = make_password(password)
        user = _save_unique(lambda: repo.create_user(username, email, password_hash),
                            username=username, email=email)
        return ApiResponse(user_json(user), status=201)


class LoginView(ApiView):
    def post(self, request):
        payload = Payload(parse_json_body(request, "user"))
        email = payload.text("email")
        password = payload.text("password")
        payload.validate()
        user = repo.user_by_email(email)
        if user is None:
            # Hash anyway, as Django's ModelBackend does: an unknown e-mail takes as long as a
            # wrong password, so response times do not reveal which e-mails are registered.
            make_password(password)
        if user is None or not check_password(password, user.password):
            raise ApiError.one(401, "credentials", "invalid")
        return ApiResponse(user_json(user))


class CurrentUserView(ApiView):
    # Authentication decorates each method, not dispatch(): an unsupported method is 405 even
    # without a token (the contract checks the method before authentication).
    @method_decorator(token_required)
    def get(self, request):
        return ApiResponse(user_json(request.user))

    @method_decorator(token_required)
    def put(self, request):
        user = request.user
        payload = Payload(parse_json_body(request, "user"))
        changes = {}
        for key in ("email", "username"):
            if payload.has(key):
                changes[key] = payload.text(key)
        for key in ("bio", "image"):
            if payload.has(key):
                changes[key] = payload.nullable_text(key)
        password = payload.new_password("password") if payload.has("password") else None
        payload.validate()
        if password is not None:
            changes["password"] = make_password(password)  # before the write lock
        if changes:
            user = _save_unique(lambda: repo.update_user(user, changes), username=changes.get("username"),
                                email=changes.get("email"), exclude=user.id)
        return ApiResponse(user_json(user))


def _profile_or_404(username):
    user = repo.user_by_username(username)
    if user is None:
        raise not_found("profile")
    return user


class ProfileView(ApiView):
    @method_decorator(token_optional)
    def get(self, request, username):
        user = _profile_or_404(username)
        viewer = request.user
        return ApiResponse(profile_json(user, repo.is_following(viewer.id if viewer else None, user.id)))


class FollowView(ApiView):
    @method_decorator(token_required)
    def post(self, request, username):
        user = _profile_or_404(username)
        repo.follow(request.user.id, user.id)
        return ApiResponse(profile_json(user, True))

    @method_decorator(token_required)
    def delete(self, request, username):
        user = _profile_or_404(username)
        repo.unfollow(request.user.id, user.id)
        return ApiResponse(profile_json(user, False))
