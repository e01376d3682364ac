from django.apps import AppConfig


class CommonConfig(AppConfig):
    """HTTP plumbing shared by every area: JSON responses and errors, body parsing, field
    validation, timestamps, the middleware (CORS, body limit) and the overhead endpoints."""

    name = "common"
