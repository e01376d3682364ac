from django.apps import AppConfig


class WebConfig(AppConfig):
    """The blog as people use it in a browser (contract section 7): server-rendered pages with
    Django forms, contrib.auth sessions, messages for the flash and CSRF protection."""

    name = "web"
