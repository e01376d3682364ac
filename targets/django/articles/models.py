"""Articles and what hangs off them: tags, favorites, comments.

Timestamps are stored truncated to the millisecond (common.timestamps), so the stored value is
exactly what the API prints. Deleting an article deletes its comments, favorites and tag links
(Django's cascade, plus ON DELETE CASCADE-equivalent handling of the many-to-many tables).
"""
from django.db import models

from accounts.models import User


class Tag(models.Model):
    name = models.TextField(unique=True)

    class Meta:
        db_table = "tags"

    def __str__(self):
        return self.name


class Article(models.Model):
    slug = models.TextField(unique=True)
    title = models.TextField()
    description = models.TextField()
    body = models.TextField()
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="articles")
    tags = models.ManyToManyField(Tag, related_name="articles", db_table="article_tags")
    favorited_by = models.ManyToManyField(User, through="Favorite", related_name="favorites")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "articles"
        # Lists are newest first: createdAt descending, then id descending.
        indexes = [models.Index(fields=["-created_at", "-id"], name="articles_newest")]

    def __str__(self):
        return self.slug


class Favorite(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "favorites"
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="favorites_unique"),
        ]
        indexes = [models.Index(fields=["article"], name="favorites_article")]


class Comment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        db_table = "comments"
