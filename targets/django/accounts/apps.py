from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users, token authentication, profiles and follows."""

    name = "accounts"
