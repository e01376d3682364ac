"""The web app: the blog as people use it in a browser (contract section 7).

Server-rendered pages (Jinja2, the app's ``templates`` folder) on one ``web``
blueprint, its views split by area as Flask's "larger applications" pattern
does: ``auth`` (register, sign in, sign out), ``blog`` (home, article,
editor, comments); ``forms`` holds the Flask-WTF forms, ``session`` the
Flask-Login set-up. The pages use the API's data layer (``conduit.repository``)
and its messages, so ``flask-raw`` (``DATA_LAYER=sql``) serves them too.

What each extension does here:

- Flask-WTF's ``CSRFProtect`` checks every POST of the web blueprint before
  its view runs (so before sign-in and validation); the JSON API, which
  authenticates with a token and never reads the cookie, is exempt
  (``conduit.create_app``). A failed check is a 403 HTML page
  (:func:`csrf_failed`), not Flask-WTF's default 400.
- Flask-Login keeps the signed-in user in Flask's signed cookie session,
  with an alternative token that signing out revokes (``session``).
- ``flash()`` / ``get_flashed_messages()`` carry the one-time messages.
"""
from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError

bp = Blueprint("web", __name__)

# The views register themselves on bp.
from . import auth, blog, session  # noqa: E402,F401


def _error_page(status, title, message):
    return render_template("error.html", title=title, message=message), status


@bp.errorhandler(CSRFError)
def csrf_failed(error):
    # Flask-WTF answers 400; a request refused for its origin is forbidden.
    return _error_page(403, "Forbidden", "The form was not sent from this site, or it has expired: reload the page and try again.")


@bp.errorhandler(403)
def forbidden(error):
    return _error_page(403, "Forbidden", "Only its author can change this.")


@bp.errorhandler(404)
def not_found(error):
    return _error_page(404, "Not Found", "There is nothing here.")
