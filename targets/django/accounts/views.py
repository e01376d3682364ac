"""Users (register, login, current user) and profiles (read, follow, unfollow)."""
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils.decorators import method_decorator

from common.http import ApiError, ApiResponse, not_found, parse_json_body
from common.validation import Payload
from common.views import ApiView

from .auth import token_optional, token_required
from .models import Follow, User
from .serializers import profile_data, user_json

TAKEN = "has already been taken"


def _raise_if_taken(username=None, email=None, exclude=None):
    """409 naming every field whose value another user already has (bytewise comparison:
    SQLite's default BINARY collation)."""
    others = User.objects.exclude(pk=exclude) if exclude else User.objects.all()
    taken = {}
    if username is not None and others.filter(username=username).exists():
        taken["username"] = [TAKEN]
    if email is not None and others.filter(email=email).exists():
        taken["email"] = [TAKEN]
    if taken:
        raise ApiError(409, taken)


def _save_unique(user, username=None, email=None, update_fields=None):
    """Insert or update a user, with the duplicate check and the write in one BEGIN IMMEDIATE
    transaction: two concurrent registrations cannot both pass the check. ``update_fields``
    limits an UPDATE to the fields the request changed."""
    try:
        with transaction.atomic():
            _raise_if_taken(username, email, exclude=user.pk)
            user.save(update_fields=update_fields)
    except IntegrityError:
        # The unique indexes are the last line of defence (a writer outside this code path):
        # report whichever field now clashes.
        _raise_if_taken(username, email, exclude=user.pk)
        raise


class RegistrationView(ApiView):
    def post(self, request):
        payload = Payload(parse_json_body(request, "user"))
        username = payload.text("username")
        email = payload.text("email")
        password = payload.text("password")
        payload.validate()
        # bcrypt takes ~50 ms: hash before taking the database write lock.
        user = User(username=username, email=email, password=make_password(password))
        _save_unique(user, username=username, email=email)
        return ApiResponse(user_json(user), status=201)


class LoginView(ApiView):
    def post(self, request):
        payload = Payload(parse_json_body(request, "user"))
        email = payload.text("email")
        password = payload.text("password")
        payload.validate()
        user = User.objects.filter(email=email).first()
        if user is None:
            # Hash anyway, as Django's ModelBackend does: an unknown e-mail takes as long as a
            # wrong password, so response times do not reveal which e-mails are registered.
            make_password(password)
        if user is None or not user.check_password(password):
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
        for key, value in changes.items():
            setattr(user, key, value)
        if password is not None:
            user.set_password(password)
        if changes or password is not None:
            fields = [*changes, *(["password"] if password is not None else [])]
            _save_unique(user, username=changes.get("username"), email=changes.get("email"),
                         update_fields=fields)
        return ApiResponse(user_json(user))


def _profile_or_404(username):
    user = User.objects.filter(username=username).first()
    if user is None:
        raise not_found("profile")
    return user


def _follows(viewer, user):
    return viewer is not None and Follow.objects.filter(follower=viewer, followee=user).exists()


class ProfileView(ApiView):
    @method_decorator(token_optional)
    def get(self, request, username):
        user = _profile_or_404(username)
        return ApiResponse({"profile": profile_data(user, _follows(request.user, user))})


class FollowView(ApiView):
    @method_decorator(token_required)
    def post(self, request, username):
        user = _profile_or_404(username)
        # Idempotent: following twice is not an error (INSERT OR IGNORE on the unique pair).
        Follow.objects.bulk_create([Follow(follower=request.user, followee=user)],
                                   ignore_conflicts=True)
        return ApiResponse({"profile": profile_data(user, True)})

    @method_decorator(token_required)
    def delete(self, request, username):
        user = _profile_or_404(username)
        Follow.objects.filter(follower=request.user, followee=user).delete()
        return ApiResponse({"profile": profile_data(user, False)})
