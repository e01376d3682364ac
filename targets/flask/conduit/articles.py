"""Articles, the feed and favorites: /api/articles/...

Every article answer comes from :func:`article_select`: one SELECT returns the
articles with their author (joined), favorites count, and the viewer's
``favorited`` / ``following`` flags as correlated subqueries; tags arrive in
one more SELECT ... IN (selectin). A list of 20 articles therefore costs three
queries (count, page, tags) whatever its length.
"""
import re

from flask import Blueprint, g, jsonify, request
from sqlalchemy import delete, exists, false, func, select
from sqlalchemy.orm import defer
from sqlalchemy.dialects.sqlite import insert

from .auth import auth_optional, auth_required
from .database import begin_immediate
from .errors import ApiError, forbidden, not_found
from .extensions import db
from .models import Article, Tag, User, favorites, follows, utcnow
from .payload import Validator, json_body
from .serializers import article_json

bp = Blueprint("articles", __name__, url_prefix="/api/articles")

_DIGITS = re.compile(r"[0-9]+", re.ASCII)
# SQLite allows 32766 bound parameters per statement; tag lists are written in slices.
_SQL_BATCH = 500


def article_select(viewer):
    """SELECT (Article, favorites_count, favorited, following) for ``viewer``."""
    favorites_count = (
        select(func.count()).where(favorites.c.article_id == Article.id).scalar_subquery()
    )
    if viewer is None:
        favorited = following = false()
    else:
        favorited = exists().where(favorites.c.article_id == Article.id, favorites.c.user_id == viewer.id)
        following = exists().where(follows.c.follower_id == viewer.id, follows.c.followed_id == Article.author_id)
    return select(
        Article,
        favorites_count.label("favorites_count"),
        favorited.label("favorited"),
        following.label("following"),
    )


def get_article_or_404(slug, for_update=False):
    """The article named ``slug``, or 404.

    ``for_update=True`` first takes SQLite's write lock (BEGIN IMMEDIATE), so
    the article read here cannot change or vanish before this request's
    writes commit: concurrent PUTs of one article's tags would otherwise each
    delete the same old tag links (StaleDataError), and a favorite or comment
    racing a DELETE would insert a row pointing at a deleted article (a
    foreign key error). Every view that reads an article and then writes
    calls it this way, as its first database step after authentication.
    """
    if for_update:
        begin_immediate()
    article = db.session.execute(select(Article).where(Article.slug == slug)).scalar_one_or_none()
    if article is None:
        raise not_found("article")
    return article


def _commit_with_article(article_id, status=200):
    """Commit after building the answer inside the transaction: once the write
    lock is released, a concurrent DELETE could remove the article first."""
    row = db.session.execute(article_select(g.user).where(Article.id == article_id)).one()
    payload = {"article": article_json(row)}
    db.session.commit()
    return jsonify(payload), status


def _page_arg(name, default, minimum, maximum=None):
    """limit/offset: ^[0-9]+$ within range (the first occurrence counts), else None."""
    raw = request.args.get(name)
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw) or len(raw) > 18:
        return None
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        return None
    return value


def _article_list(filters):
    limit = _page_arg("limit", 20, 1, 100)
    offset = _page_arg("offset", 0, 0)
    invalid = {name: ["is invalid"] for name, value in (("limit", limit), ("offset", offset)) if value is None}
    if invalid:
        raise ApiError(422, invalid)  # both keys when both are wrong (ruling 9)
    count = db.session.scalar(select(func.count(Article.id)).where(*filters))
    page = db.session.execute(
        article_select(g.user)
        .options(defer(Article.body))  # lists leave the body out
        .where(*filters)
        .order_by(Article.created_at.desc(), Article.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return jsonify(articles=[article_json(row, with_body=False) for row in page], articlesCount=count)


def _tags_named(names):
    """Tag rows for ``names``, creating the missing ones (safe under concurrency)."""
    tags = []
    for start in range(0, len(names), _SQL_BATCH):
        batch = names[start : start + _SQL_BATCH]
        db.session.execute(insert(Tag).values([{"name": name} for name in batch]).on_conflict_do_nothing())
        tags.extend(db.session.scalars(select(Tag).where(Tag.name.in_(batch))))
    return tags


@bp.get("")
@auth_optional
def list_articles():
    args = request.args
    filters = []
    if "tag" in args:
        filters.append(Article.tags.any(Tag.name == args["tag"]))
    if "author" in args:
        filters.append(Article.author.has(User.username == args["author"]))
    if "favorited" in args:
        fans = select(favorites.c.article_id).join(User, User.id == favorites.c.user_id)
        filters.append(Article.id.in_(fans.where(User.username == args["favorited"])))
    return _article_list(filters)


@bp.get("/feed")
@auth_required
def feed():
    followed = select(follows.c.followed_id).where(follows.c.follower_id == g.user.id)
    return _article_list([Article.author_id.in_(followed)])


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

    begin_immediate()  # the slug check and the insert are atomic
    slug = Article.make_slug(title)
    while db.session.scalar(select(exists().where(Article.slug == slug))):
        slug = Article.make_slug(title)
    now = utcnow()
    article = Article(
        slug=slug,
        title=title,
        description=description,
        body=body,
        author=g.user,
        created_at=now,
        updated_at=now,
        tags=_tags_named(tag_names),
    )
    db.session.add(article)
    db.session.flush()
    return _commit_with_article(article.id, 201)


@bp.get("/<slug>")
@auth_optional
def get_article(slug):
    row = db.session.execute(article_select(g.user).where(Article.slug == slug)).one_or_none()
    if row is None:
        raise not_found("article")
    return jsonify(article=article_json(row))


@bp.put("/<slug>")
@auth_required
def update_article(slug):
    article = get_article_or_404(slug, for_update=True)
    if article.author_id != g.user.id:
        raise forbidden("article")
    data = json_body("article")
    fields = Validator(data)
    changes = {name: fields.text(name) for name in ("title", "description", "body") if name in data}
    tag_names = fields.string_list("tagList") if "tagList" in data else None
    fields.raise_if_invalid()

    for name, value in changes.items():
        setattr(article, name, value)
    if tag_names is not None:
        article.tags = _tags_named(tag_names)
    article.touch()
    return _commit_with_article(article.id)


@bp.delete("/<slug>")
@auth_required
def delete_article(slug):
    article = get_article_or_404(slug, for_update=True)
    if article.author_id != g.user.id:
        raise forbidden("article")
    # Comments, favorites and tag links go with it (ON DELETE CASCADE).
    db.session.execute(delete(Article).where(Article.id == article.id))
    db.session.commit()
    return "", 204


@bp.post("/<slug>/favorite")
@auth_required
def favorite(slug):
    article = get_article_or_404(slug, for_update=True)
    db.session.execute(
        insert(favorites).values(user_id=g.user.id, article_id=article.id).on_conflict_do_nothing()
    )
    return _commit_with_article(article.id)


@bp.delete("/<slug>/favorite")
@auth_required
def unfavorite(slug):
    article = get_article_or_404(slug, for_update=True)
    db.session.execute(
        delete(favorites).where(favorites.c.user_id == g.user.id, favorites.c.article_id == article.id)
    )
    return _commit_with_article(article.id)

