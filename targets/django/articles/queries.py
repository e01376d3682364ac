"""Querysets that load an article page in a constant number of queries, whatever its size.

One query selects the articles joined with their authors (``select_related``) and annotated
with ``favorites_count`` (a correlated COUNT subquery), ``favorited`` and ``following`` (EXISTS
subqueries for the viewer); one more query fetches the tags of all of them
(``prefetch_related``). A list of 20 articles costs those two queries plus the COUNT of matches.

The count is a subquery rather than ``Count("favorited_by")``: with a ``favorited=`` filter the
join would already be narrowed to one user's favorite and the count would always say 1.
"""
from django.db.models import BooleanField, Count, Exists, IntegerField, OuterRef, Prefetch, \
    Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Follow

from .models import Article, Favorite, Tag

NEWEST_FIRST = ("-created_at", "-id")


def with_details(articles, viewer):
    """``articles`` (a queryset) with everything the Article JSON needs, for ``viewer`` (a User
    or None)."""
    favorites_count = (
        Favorite.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    articles = articles.select_related("author").prefetch_related(
        Prefetch("tags", queryset=Tag.objects.order_by("name"))
    ).annotate(favorites_count=Coalesce(Subquery(favorites_count, output_field=IntegerField()), 0))
    if viewer is None:
        return articles.annotate(
            favorited=Value(False, output_field=BooleanField()),
            following=Value(False, output_field=BooleanField()),
        )
    return articles.annotate(
        favorited=Exists(Favorite.objects.filter(article=OuterRef("pk"), user=viewer)),
        following=Exists(Follow.objects.filter(follower=viewer, followee=OuterRef("author_id"))),
    )


def article_detail(slug, viewer):
    """The article with that slug, with details, or None (two queries)."""
    return with_details(Article.objects.filter(slug=slug), viewer).first()
