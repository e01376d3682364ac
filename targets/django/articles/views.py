"""Articles (list, feed, create, read, update, delete), favorites and tags.

Order of checks in every view: authentication (the method's decorator, 401), then the article
(404), then ownership (403), then the body (422). Writes run in autocommit (one statement, its
own short transaction) unless a read decides the write: then ``transaction.atomic()`` (BEGIN
IMMEDIATE, common/sqlite/base.py) holds SQLite's write lock from that read to the commit, and
nothing else (bodies are parsed and bcrypt runs before it). On PostgreSQL (READ COMMITTED, no
database-wide write lock) the article re-read inside the block is ``SELECT ... FOR UPDATE``:
concurrent updates of one article queue on its row, and a comment or favorite inserted while
it is being deleted waits for the delete (its foreign key check) and then finds it gone.
"""
import re

from django.db import transaction
from django.http import HttpResponse
from django.utils.decorators import method_decorator

from accounts.auth import token_optional, token_required
from common.http import ApiError, ApiResponse, forbidden, not_found, parse_json_body
from common.repository import repo
from common.validation import Payload
from common.views import ApiView

from .slugs import make_slug

# limit/offset: digits only, at most 18 of them (always a 64-bit integer; the other targets
# draw the same line).
_DIGITS = re.compile(r"[0-9]{1,18}")


def _viewer_id(request):
    return request.user.id if request.user is not None else None


# parity-ruling: begin 9 a repeated parameter counts by its first occurrence
def query_param(request, name):
    """The first value of a query parameter (``?tag=a&tag=b`` filters by ``a``), or None.
    QueryDict's ``get`` would give the last one."""
    values = request.GET.getlist(name)
    return values[0] if values else None
# parity-ruling: end


def _page_param(request, name, default, lowest, highest, errors):
    """``limit``/``offset``: 1 to 18 digits, within range, else ``<name>: is invalid`` in
    ``errors`` (both parameters are judged before answering 422 with every failing one)."""
    raw = query_param(request, name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or int(raw) < lowest or (highest and int(raw) > highest):  # parity-ruling: 9
        errors[name] = ["is invalid"]
        return default
    return int(raw)


def _article_list(request, **filters):
    errors = {}
    limit = _page_param(request, "limit", 20, 1, 100, errors)
    offset = _page_param(request, "offset", 0, 0, None, errors)
    if errors:
        raise ApiError(422, errors)
    articles, count = repo.list_articles(_viewer_id(request), limit, offset, **filters)
    return ApiResponse({"articles": articles, "articlesCount": count})


def publish_article(author_id, title, description, body, tags):
    """Create an article (the API's POST and the web editor) and return its slug."""
    with transaction.atomic():
        # 32 random bits: a clash is rare; retry with a fresh suffix when it happens.
        for _ in range(5):
            slug = make_slug(title)
            if not repo.slug_taken(slug):
                break
        repo.create_article(author_id, slug, title, description, body, tags)
    return slug


def article_or_404(slug, lock=False):
    """The article to write to (``id``, ``author_id``, ``updated_at``), or 404. ``lock`` (inside
    ``transaction.atomic()`` only) locks its row until the commit (see repo.article_handle)."""
    article = repo.article_handle(slug, lock=lock)
    if article is None:
        raise not_found("article")
    return article


def _own_article_or_error(request, slug, lock=False):
    article = article_or_404(slug, lock=lock)
    if article.author_id != request.user.id:
        raise forbidden("article")
    return article


def _detail_response(request, slug, status=200):
    article = repo.article_by_slug(slug, _viewer_id(request))
    if article is None:  # deleted by a concurrent request since the view looked it up
        raise not_found("article")
    return ApiResponse({"article": article}, status=status)


class ArticleListView(ApiView):
    @method_decorator(token_optional)
    def get(self, request):
        # A filter that is present, even empty, filters (an empty tag matches nothing).
        return _article_list(request, **{name: query_param(request, name)
                                         for name in ("tag", "author", "favorited") if name in request.GET})

    @method_decorator(token_required)
    def post(self, request):
        payload = Payload(parse_json_body(request, "article"))
        title = payload.text("title")
        description = payload.text("description")
        body = payload.text("body")
        tags = payload.tag_list("tagList") if payload.has("tagList") else []
        payload.validate()
        slug = publish_article(request.user.id, title, description, body, tags)
        return _detail_response(request, slug, status=201)


class FeedView(ApiView):
    @method_decorator(token_required)
    def get(self, request):
        return _article_list(request, feed_of=request.user.id)

    # /api/articles/feed also has the shape of /api/articles/{slug}: its PUT and DELETE are the
    # article's (401, then 404 article: no slug is "feed"), as in the other targets' routers.
    def put(self, request):
        return ArticleDetailView.as_view()(request, slug="feed")

    def delete(self, request):
        return ArticleDetailView.as_view()(request, slug="feed")


class ArticleDetailView(ApiView):
    @method_decorator(token_optional)
    def get(self, request, slug):
        article = repo.article_by_slug(slug, _viewer_id(request))
        if article is None:
            raise not_found("article")
        return ApiResponse({"article": article})

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
            article = _own_article_or_error(request, slug, lock=True)
            repo.update_article(article, changes, tags)
        return _detail_response(request, slug)

    @method_decorator(token_required)
    def delete(self, request, slug):
        _own_article_or_error(request, slug)
        with transaction.atomic():
            # Under the write lock: its comments, favorites and tag links go with it.
            article = _own_article_or_error(request, slug, lock=True)
            repo.delete_article(article)
        return no_content()


class FavoriteView(ApiView):
    @method_decorator(token_required)
    def post(self, request, slug):
        article = article_or_404(slug)
        # Idempotent: favoriting twice is not an error (INSERT OR IGNORE on the unique pair).
        if not repo.favorite(request.user.id, article):
            raise not_found("article")
        return _detail_response(request, slug)

    @method_decorator(token_required)
    def delete(self, request, slug):
        repo.unfavorite(request.user.id, article_or_404(slug))
        return _detail_response(request, slug)


class TagListView(ApiView):
    def get(self, request):
        return ApiResponse({"tags": repo.tag_names()})


def no_content():
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response
