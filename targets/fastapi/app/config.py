"""Settings from the environment (parity's environment contract)."""
from functools import lru_cache

from pydantic import BaseSettings


class Settings(BaseSettings):
    """Read from SECRET_KEY, DATABASE_PATH... (case-insensitive)."""

    secret_key: str = "change-me"
    database_path: str = "conduit.db"
    # DATABASE_URL (a libpq URI, postgresql://...): PostgreSQL instead of the
    # SQLite file DATABASE_PATH, exactly when set and non-empty (app/database.py).
    database_url: str = ""
    # PostgreSQL connections per worker process, kept open (README "Database":
    # workers x DB_POOL_SIZE must stay under the server's max_connections).
    db_pool_size: int = 10
    max_body_size: int = 1024 * 1024
    jwt_expires_seconds: int = 60 * 24 * 3600
    bcrypt_rounds: int = 10
    # DATA_LAYER: "orm" (SQLAlchemy ORM, target fastapi) or "sql" (hand-written
    # SQL through SQLAlchemy Core, target fastapi-raw); see app/repository.
    data_layer: str = "orm"
    # Threads for bcrypt (the only blocking work left): libuv's default, as Express.
    blocking_threads: int = 4
    # Lifetime of a web session (cookie Max-Age and server-side row): Starlette's default.
    session_max_age: int = 14 * 24 * 3600


@lru_cache()
def get_settings() -> Settings:
    return Settings()
