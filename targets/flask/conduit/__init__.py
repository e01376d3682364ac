"""Conduit (RealWorld) blog on Flask: the application factory.

Two faces on one database: the JSON API under /api (token authentication,
JSON errors) and the web pages of ``conduit.web`` (Jinja2 templates, Flask-WTF
forms and CSRF, Flask-Login sessions, flash messages, HTML errors)."""
from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map

from . import articles, comments, pages, profiles, repository, tags, users, web
from .config import Config
from .database import engine_options, init_db
from .errors import register_error_handlers
from .extensions import csrf, db, login_manager
from .hostcheck import HostCheck
from .limits import BufferedChunkedBody, enforce_body_limit
from .paths import PercentEncodedSegment, RawPathMiddleware

CORS_PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, PUT, DELETE, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Authorization",
}


class ConduitJSONProvider(DefaultJSONProvider):
    """The contract wants the charset spelled out, and keys in schema order."""

    mimetype = "application/json; charset=utf-8"
    sort_keys = False
    ensure_ascii = False

    def response(self, *args, **kwargs):
        # Compact and without Flask's trailing newline: /json must be exactly
        # {"message":"Hello, World!"} (27 bytes), like every other target.
        obj = self._prepare_response_obj(args, kwargs)
        return self._app.response_class(self.dumps(obj, separators=(",", ":")), mimetype=self.mimetype)


class ConduitURLMap(Map):
    """A trailing or doubled slash makes another (unknown) path, answered 404,
    never redirected (ruling 12). No rule ends in "/" (except "/" itself), so
    strict slashes never redirect; merging "//" would, so it is off. It must be
    set when the Map is built: Werkzeug's matcher copies it at construction.
    (Werkzeug strips leading slashes itself: see reject_leading_double_slash.)
    Variables are raw segments, decoded by PercentEncodedSegment (paths.py)."""

    default_converters = dict(Map.default_converters, default=PercentEncodedSegment)  # parity-ruling: 10

    def __init__(self, *args, **kwargs):
        # parity-ruling: begin 12 a doubled slash is an unknown path, not merged
        kwargs["merge_slashes"] = False
        super().__init__(*args, **kwargs)
        # parity-ruling: end


class Conduit(Flask):
    url_map_class = ConduitURLMap
    json_provider_class = ConduitJSONProvider
    # Block tags leave no blank lines behind in the pages.
    jinja_options = dict(Flask.jinja_options, trim_blocks=True, lstrip_blocks=True)


def create_app(config=Config):
    # No static files: every path is a route, unknown ones are a JSON 404.
    app = Conduit(__name__, static_folder=None)
    app.config.from_object(config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))

    db.init_app(app)
    repository.init_app(app)

    api_blueprints = [module.bp for module in (users, profiles, articles, comments, tags, pages)]
    for blueprint in api_blueprints:
        app.register_blueprint(blueprint)
    app.register_blueprint(web.bp)

    register_error_handlers(app)
    app.before_request(enforce_body_limit)  # first: 413 precedes everything  # parity-ruling: 1

    @app.before_request
    def answer_preflight():
        # Every path, known or not, answers OPTIONS with 204 (ruling 12).
        if request.method == "OPTIONS":
            return app.response_class(status=204, headers=CORS_PREFLIGHT_HEADERS)
        return None

    # parity-ruling: begin 12 //api/tags is an unknown path
    @app.before_request
    def reject_leading_double_slash():
        # Werkzeug matches "//api/tags" as "/api/tags"; ruling 12: unknown path.
        if request.environ["PATH_INFO"].startswith("//"):
            raise NotFound()
    # parity-ruling: end

    # After the hooks above: a body too large or an OPTIONS request is answered
    # before CSRF is looked at. The API authenticates every write with its token
    # in a header, which a cross-site form cannot send: no CSRF check there.
    csrf.init_app(app)
    for blueprint in api_blueprints:
        csrf.exempt(blueprint)
    login_manager.init_app(app)

    @app.after_request
    def finish_headers(response):
        response.headers["Access-Control-Allow-Origin"] = "*"
        if response.status_code == 204:
            del response.headers["Content-Type"]  # no body, no type
        return response

    @app.cli.command("init-db")
    def init_db_command():
        """Create the schema (SQLite: in WAL mode; PostgreSQL: under an advisory lock)."""
        init_db()

    app.wsgi_app = RawPathMiddleware(BufferedChunkedBody(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"]))  # parity-ruling: 10
    app.wsgi_app = HostCheck(app.wsgi_app)  # RFC 9112 3.2, before everything
    return app
