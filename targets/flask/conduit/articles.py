"""Articles, the feed and favorites: /api/articles/...

Writes whose outcome depends on a read (update, delete, create) parse and
validate their body first, then take SQLite's write lock (``repo.lock()``,
BEGIN IMMEDIATE) or, on PostgreSQL, the article's row lock (SELECT ... FOR
UPDATE), check existence (404) and ownership (403), raise the body's 422 if
any, write and commit: the lock covers the statements and little else.
Favorites are one idempotent statement each, in their own short transaction
(an article deleted meanwhile breaks the favorite's foreign key: 404). The
answer is read after the commit; an article deleted by a concurrent request
in between is a 404, as it would be a moment later.
"""
import re

from flask import Blueprint, g, jsonify, request

from .auth import auth_optional, auth_required
from .errors import ApiError, forbidden, not_found
from .models import Article
from .payload import Validator, json_body
from .repository import repo

bp = Blueprint("articles", __name__, url_prefix="/api/articles")

_DIGITS = re.compile(r"[0-9]+", re.ASCII)


def _viewer_id():
    return g.user.id if g.user is not None else None


def locked_article(slug):
    """Take SQLite's write lock, then the article named ``slug`` (a handle with
    ``id`` and ``author_id``; on PostgreSQL its row locked FOR UPDATE), or
    404. Every view that reads an article and then writes calls it first,
    after authentication: concurrent PUTs of one article's tags would
    otherwise each delete the same old tag links, and a write racing a
    DELETE would point at a deleted article."""
    repo.lock()
    article = repo.article_handle(slug, for_update=True) if slug is not None else None
    if article is None:
        raise not_found("article")
    return article


def article_or_404(slug):
    """The article named ``slug`` (a handle with ``id`` and ``author_id``), or 404."""
    article = repo.article_handle(slug) if slug is not None else None
    if article is None:
        raise not_found("article")
    return article


def _own_locked_article(slug):
    article = locked_article(slug)
    if article.author_id != g.user.id:
        raise forbidden("article")
    return article


def insert_article(author_id, title, description, body, tag_names):
    """Insert a new article under a fresh slug; (id, slug), not yet committed.
    The API and the web editor (conduit.web.blog) both publish through it."""
    repo.lock()  # the slug check and the insert are atomic (PostgreSQL: the unique index)
    slug = Article.make_slug(title)
    while repo.slug_taken(slug):
        slug = Article.make_slug(title)
    return repo.create_article(author_id, slug, title, description, body, tag_names), slug


def _article_response(article_id, status=200):
    """Commit, then read the answer outside the write lock."""
    repo.commit()
    article = repo.article_by_id(article_id, g.user.id)
    if article is None:  # deleted by a concurrent request since the commit
        raise not_found("article")
    return jsonify(article=article), status


def _page_arg(name, default, minimum, maximum=None):
    """limit/offset: ^[0-9]+$ within range (the first occurrence counts), else None."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or len(raw) > 18:  # parity-ruling: 9
        return None
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        return None
    return value


def _article_list(**filters):
    limit = _page_arg("limit", 20, 1, 100)
    offset = _page_arg("offset", 0, 0)
    invalid = {name: ["is invalid"] for name, value in (("limit", limit), ("offset", offset)) if value is None}
    if invalid:
        raise ApiError(422, invalid)  # both keys when both are wrong (ruling 9)
    articles, count = repo.list_articles(_viewer_id(), limit, offset, **filters)
    return jsonify(articles=articles, articlesCount=count)


def _deferred_fields(wrapper):
    """(Validator or None, the 422 to raise after the 404/403 checks or None):
    the body is parsed and validated before the write lock is taken."""
    try:
        return Validator(json_body(wrapper)), None
    except ApiError as error:
        return None, error


@bp.get("")
@auth_optional
def list_articles():
    # A filter that is present, even empty, filters (ruling 9).
    args = request.args
    return _article_list(tag=args.get("tag"), author=args.get("author"), favorited=args.get("favorited"))


@bp.get("/feed")
@auth_required
def feed():
    return _article_list(feed_of=g.user.id)


@bp.post("")
@auth_required
def create_article():
    data = json_body("article")
    fields = Validator(data)
    title = fields.text("title")
    description = fields.text("description")
    body = fields.text("body")
    tag_names = fields.string_list("tagList") if "tagList" in data else []
    fields.raise_if_invalid()

    article_id, _ = insert_article(g.user.id, title, description, body, tag_names)
    return _article_response(article_id, 201)


@bp.get("/<slug>")
@auth_optional
def get_article(slug):
    article = repo.article_by_slug(slug, _viewer_id()) if slug is not None else None
    if article is None:
        raise not_found("article")
    return jsonify(article=article)


@bp.put("/<slug>")
@auth_required
def update_article(slug):
    fields, invalid = _deferred_fields("article")
    if fields is not None:
        data = fields.data
        changes = {name: fields.text(name) for name in ("title", "description", "body") if name in data}
        tag_names = fields.string_list("tagList") if "tagList" in data else None
    article = _own_locked_article(slug)
    if invalid is not None:
        raise invalid
    fields.raise_if_invalid()
    repo.update_article(article, changes, tag_names)
    return _article_response(article.id)


@bp.delete("/<slug>")
@auth_required
def delete_article(slug):
    repo.delete_article(_own_locked_article(slug))
    repo.commit()
    return "", 204


@bp.post("/<slug>/favorite")
@auth_required
def favorite(slug):
    article = article_or_404(slug)
    if not repo.favorite(g.user.id, article):
        raise not_found("article")
    return _article_response(article.id)


@bp.delete("/<slug>/favorite")
@auth_required
def unfavorite(slug):
    article = article_or_404(slug)
    repo.unfavorite(g.user.id, article)
    return _article_response(article.id)
