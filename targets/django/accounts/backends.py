"""The authentication backend of the web pages (settings.AUTHENTICATION_BACKENDS).

django.contrib.auth's ModelBackend looks users up with the ORM by USERNAME_FIELD; this one signs
in by e-mail through the data layer the API uses (``common.repository.repo``), so the django-raw
variant's pages read users with its hand-written SQL too. contrib.auth's login() and get_user()
need a model instance (``user._meta.pk``, ``get_session_auth_hash()``): the SQL layer's records
become unsaved-looking ``User`` instances built from the row, without another query.
"""
from django.contrib.auth.hashers import check_password, make_password

from common.repository import repo

from .models import User


def as_user(record):
    """A User instance for a data-layer user record (None stays None)."""
    if record is None or isinstance(record, User):
        return record
    user = User(**record._asdict())
    user._state.adding = False  # it is a stored row, not a new one
    return user


class EmailBackend:
    def authenticate(self, request, email=None, password=None):
        if email is None or password is None:
            return None
        user = repo.user_by_email(email)
        if user is None:
            # Hash anyway, as ModelBackend does: an unknown e-mail takes as long as a wrong
            # password, so response times do not reveal which e-mails are registered.
            make_password(password)
            return None
        return as_user(user) if check_password(password, user.password) else None

    def get_user(self, user_id):
        return as_user(repo.user_by_id(user_id))
