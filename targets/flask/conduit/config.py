"""Configuration from the environment (parity's environment contract)."""
import os


class Config:
    """Production settings; every value can come from the environment."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "change-me")
    DATABASE_PATH = os.path.abspath(os.environ.get("DATABASE_PATH", "conduit.db"))
    SQLALCHEMY_DATABASE_URI = "sqlite:///" + DATABASE_PATH
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # Off in production; SQLALCHEMY_RECORD_QUERIES=1 lets a developer count the
    # queries of a request (see README: lists run a constant number of them).
    SQLALCHEMY_RECORD_QUERIES = os.environ.get("SQLALCHEMY_RECORD_QUERIES") == "1"
    # Werkzeug only enforces this for form parsing; conduit.limits applies it to
    # every request (Content-Length and chunked bodies alike).
    MAX_CONTENT_LENGTH = 1024 * 1024
    JWT_EXPIRES_SECONDS = 60 * 24 * 3600
    BCRYPT_ROUNDS = 10
    # "orm" (Flask-SQLAlchemy models, target flask) or "sql" (hand-written SQL
    # through SQLAlchemy Core, target flask-raw): see conduit/repository.
    DATA_LAYER = os.environ.get("DATA_LAYER", "orm")
