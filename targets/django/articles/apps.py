from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    """Articles, tags, favorites, comments, and the HTML home page that lists articles."""

    name = "articles"
