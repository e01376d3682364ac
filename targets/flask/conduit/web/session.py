"""Who is signed in: Flask-Login on Flask's signed cookie session.

Flask's session is a cookie signed with ``SECRET_KEY``: it cannot be forged,
but it lives on the client, so clearing it at sign-out does not stop a copy
made before. Flask-Login's documented answer is an *alternative token*: the
session holds not the user id but a random per-user token stored in the
database (``users.session_token``), the user loader looks the user up by it,
and signing out sets it back to NULL, after which every cookie that carried
it loads nobody. The token is per user, so signing out ends the user's
sessions in every browser, and so does a password change through the API.

Pages never read ``Authorization`` (no request loader), and the API never
reads this cookie (it has its own token, ``conduit.auth``).
"""
from flask import redirect, request, session, url_for
from flask_login import UserMixin, current_user, login_url, login_user, logout_user

from ..extensions import login_manager
from ..repository import repo

# Space and control characters: never in a path we redirect to (see is_local_path).
_CONTROL_OR_SPACE = frozenset(map(chr, range(0x21))) | {"\x7f"}


class SessionUser(UserMixin):
    """The signed-in user of a page: the data layer's user record (``record``,
    which the repository takes) and the session token that loaded it."""

    def __init__(self, record, token):
        self.record = record
        self.id = record.id
        self.username = record.username
        self.token = token

    def get_id(self):
        # What Flask-Login stores in the session: the token, not the id.
        return self.token


@login_manager.user_loader
def load_user(token):
    record = repo.user_by_session_token(token) if isinstance(token, str) else None
    return SessionUser(record, token) if record is not None else None


@login_manager.unauthorized_handler
def sign_in_first():
    """Flask-Login redirects with 302 and flashes a message; here a GET goes to
    the login page with ``next`` (303, no message) and any other method to the
    login page alone: the form that was posted is gone by then."""
    if request.method in ("GET", "HEAD"):
        # The path as sent (conduit.paths routes on the raw, still
        # percent-encoded path; request.url would encode its "%" again).
        here = request.full_path.removesuffix("?")
        return redirect(login_url("web.login", next_url=here), 303)
    return redirect(url_for("web.login"), 303)


def sign_in(record):
    login_user(SessionUser(record, repo.session_token(record.id)))


def sign_out():
    """Revoke the user's session token, then start an empty session."""
    repo.revoke_sessions(current_user.id)
    repo.commit()
    logout_user()
    session.clear()


def is_local_path(target):
    """``next`` is followed only when it is a path on this site: one leading
    "/", not "//" or "/\\" (another host to a browser), no backslash, no
    space or control character (browsers drop some, which could make "//")."""
    return (
        isinstance(target, str)
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and _CONTROL_OR_SPACE.isdisjoint(target)
    )
