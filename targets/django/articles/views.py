"""Articles (list, feed, create, read, update, delete), favorites, tags and the HTML home page.

Order of checks in every view: authentication (the method's decorator, 401), then the article
(404), then ownership (403), then the body (422).
"""
import re

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator

from accounts.auth import token_optional, token_required
from accounts.models import Follow
from common.http import ApiError, ApiResponse, forbidden, not_found, parse_json_body
from common.timestamps import later_than, now_ms
from common.validation import Payload
from common.views import ApiView

from .models import Article, Favorite, Tag
from .queries import NEWEST_FIRST, article_detail, with_details
from .serializers import article_data
from .slugs import make_slug

# limit/offset: digits only, at most 18 of them (always a 64-bit integer; the other targets
# draw the same line).
_DIGITS = re.compile(r"[0-9]{1,18}")
# SQLite caps the number of bound parameters per statement (Django assumes 999): large tag
# lists are looked up in batches.
_BATCH = 500


def query_param(request, name):
    """The first value of a query parameter (``?tag=a&tag=b`` filters by ``a``), or None.
    QueryDict's ``get`` would give the last one."""
    values = request.GET.getlist(name)
    return values[0] if values else None


def _page_param(request, name, default, lowest, highest, errors):
    """``limit``/``offset``: 1 to 18 digits, within range, else ``<name>: is invalid`` in
    ``errors`` (both parameters are judged before answering 422 with every failing one)."""
    raw = query_param(request, name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or int(raw) < lowest or (highest and int(raw) > highest):
        errors[name] = ["is invalid"]
        return default
    return int(raw)


def _article_list(request, articles):
    errors = {}
    limit = _page_param(request, "limit", 20, 1, 100, errors)
    offset = _page_param(request, "offset", 0, 0, None, errors)
    if errors:
        raise ApiError(422, errors)
    count = articles.count()
    # List items carry no body: do not load it (bodies may be up to 1 MiB).
    page = (with_details(articles.defer("body"), request.user)
            .order_by(*NEWEST_FIRST)[offset:offset + limit])
    return ApiResponse({
        "articles": [article_data(article, with_body=False) for article in page],
        "articlesCount": count,
    })


def _tag_ids(names):
    """Ids of the named tags, creating the missing ones."""
    Tag.objects.bulk_create([Tag(name=name) for name in names], ignore_conflicts=True)
    ids = []
    for start in range(0, len(names), _BATCH):
        batch = names[start:start + _BATCH]
        ids.extend(Tag.objects.filter(name__in=batch).values_list("id", flat=True))
    return ids


def _set_tags(article, names, replace):
    links = Article.tags.through
    if replace:
        links.objects.filter(article=article).delete()
    links.objects.bulk_create([links(article=article, tag_id=tag_id) for tag_id in _tag_ids(names)])


def article_or_404(slug):
    article = Article.objects.filter(slug=slug).first()
    if article is None:
        raise not_found("article")
    return article


def _own_article_or_error(request, slug):
    article = article_or_404(slug)
    if article.author_id != request.user.pk:
        raise forbidden("article")
    return article


def _detail_response(request, slug, status=200):
    article = article_detail(slug, request.user)
    if article is None:  # deleted by a concurrent request since the view looked it up
        raise not_found("article")
    return ApiResponse({"article": article_data(article)}, status=status)


class ArticleListView(ApiView):
    @method_decorator(token_optional)
    def get(self, request):
        articles = Article.objects.all()
        # A filter that is present, even empty, filters (an empty tag matches nothing). Each
        # join matches at most one row per article (tag names, usernames and favorites are
        # unique), so no DISTINCT is needed.
        if "tag" in request.GET:
            articles = articles.filter(tags__name=query_param(request, "tag"))
        if "author" in request.GET:
            articles = articles.filter(author__username=query_param(request, "author"))
        if "favorited" in request.GET:
            articles = articles.filter(favorited_by__username=query_param(request, "favorited"))
        return _article_list(request, articles)

    @method_decorator(token_required)
    def post(self, request):
        payload = Payload(parse_json_body(request, "article"))
        title = payload.text("title")
        description = payload.text("description")
        body = payload.text("body")
        tags = payload.tag_list("tagList") if payload.has("tagList") else []
        payload.validate()
        with transaction.atomic():
            created = now_ms()
            article = Article(title=title, description=description, body=body,
                              author=request.user, created_at=created, updated_at=created)
            # 32 random bits: a clash is rare; retry with a fresh suffix when it happens.
            for _ in range(5):
                article.slug = make_slug(title)
                if not Article.objects.filter(slug=article.slug).exists():
                    break
            article.save()
            _set_tags(article, tags, replace=False)
        return _detail_response(request, article.slug, status=201)


class FeedView(ApiView):
    @method_decorator(token_required)
    def get(self, request):
        followed = Follow.objects.filter(follower=request.user).values("followee")
        return _article_list(request, Article.objects.filter(author__in=followed))

    # /api/articles/feed also has the shape of /api/articles/{slug}: its PUT and DELETE are the
    # article's (401, then 404 article: no slug is "feed"), as in the other targets' routers.
    def put(self, request):
        return ArticleDetailView.as_view()(request, slug="feed")

    def delete(self, request):
        return ArticleDetailView.as_view()(request, slug="feed")


class ArticleDetailView(ApiView):
    @method_decorator(token_optional)
    def get(self, request, slug):
        article = article_detail(slug, request.user)
        if article is None:
            raise not_found("article")
        return ApiResponse({"article": article_data(article)})

    @method_decorator(token_required)
    def put(self, request, slug):
        _own_article_or_error(request, slug)
        payload = Payload(parse_json_body(request, "article"))
        changes = {key: payload.text(key) for key in ("title", "description", "body")
                   if payload.has(key)}
        tags = payload.tag_list("tagList") if payload.has("tagList") else None
        payload.validate()
        with transaction.atomic():
            # Re-read under the write lock: updatedAt must follow the latest committed one.
            article = _own_article_or_error(request, slug)
            for key, value in changes.items():
                setattr(article, key, value)
            article.updated_at = later_than(article.updated_at)
            article.save(update_fields=[*changes, "updated_at"])
            if tags is not None:
                _set_tags(article, tags, replace=True)
        return _detail_response(request, slug)

    @method_decorator(token_required)
    def delete(self, request, slug):
        article = _own_article_or_error(request, slug)
        with transaction.atomic():
            article.delete()  # its comments, favorites and tag links go with it
        return no_content()


class FavoriteView(ApiView):
    @method_decorator(token_required)
    def post(self, request, slug):
        article = article_or_404(slug)
        # Idempotent: favoriting twice is not an error (INSERT OR IGNORE on the unique pair).
        try:
            Favorite.objects.bulk_create([Favorite(user=request.user, article=article)],
                                         ignore_conflicts=True)
        except IntegrityError:  # the article was deleted since the lookup (foreign key)
            raise not_found("article") from None
        return _detail_response(request, slug)

    @method_decorator(token_required)
    def delete(self, request, slug):
        article = article_or_404(slug)
        Favorite.objects.filter(user=request.user, article=article).delete()
        return _detail_response(request, slug)


class TagListView(ApiView):
    def get(self, request):
        # Tags used by at least one existing article, in byte order (SQLite BINARY collation).
        names = (Tag.objects.filter(articles__isnull=False).distinct().order_by("name")
                 .values_list("name", flat=True))
        return ApiResponse({"tags": list(names)})


class HomePageView(ApiView):
    """The server-rendered page: the 20 newest articles, rendered by Django's template engine
    (autoescaping escapes & < > " ' in every value)."""

    def get(self, request):
        articles = (Article.objects.select_related("author").order_by(*NEWEST_FIRST)
                    .only("title", "created_at", "author__username")[:20])
        return render(request, "articles/home.html", {"articles": articles})


def no_content():
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response
