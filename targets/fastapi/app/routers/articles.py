"""Articles, the feed and favorites: /api/articles/...

Writes whose outcome depends on a read (update, delete, create) parse and
validate their body first, then take SQLite's write lock (``repo.lock()``,
BEGIN IMMEDIATE; on PostgreSQL the article's row lock, ``lock=True``), check
existence (404) and ownership (403), raise the body's 422 if any, write and
commit: the lock covers the statements and little else.
Favorites are one idempotent statement each, in their own short transaction
(an article deleted meanwhile breaks the favorite's foreign key: 404). The
answer is read after the commit; an article deleted by a concurrent request
in between is a 404, as it would be a moment later.
"""
import re
from typing import List, Optional, Tuple

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy.exc import IntegrityError

from ..database import is_unique_violation
from ..dependencies import JSONBody, get_current_user, get_json_body, get_optional_user
from ..errors import ApiError, forbidden, not_found
from ..models import Article
from ..paths import decode_segment
from ..repository import Repository, get_repo
from ..responses import JSONResponse
from ..schemas import ArticleListResponse, ArticleResponse, ArticleUpdateRequest, NewArticleRequest

router = APIRouter(prefix="/api/articles", tags=["articles"])

_DIGITS = re.compile(r"[0-9]{1,18}", re.ASCII)
_PUBLISH_ATTEMPTS = 3


# parity-ruling: begin 9 a repeated parameter counts by its first occurrence
def _first(values: Optional[List[str]]) -> Optional[str]:
    """A repeated query parameter counts by its first occurrence (ruling 9);
    a plain ``str`` parameter would get Starlette's last one."""
    return values[0] if values else None
# parity-ruling: end


def _page_param(raw: Optional[str], default: int, minimum: int, maximum: Optional[int] = None) -> Optional[int]:
    """limit/offset: ^[0-9]+$ within range, else None (invalid).

    Declared as ``str`` query parameters: FastAPI's ``int`` would accept
    "+5" or " 5" and answer in its own error shape.
    """
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw):  # parity-ruling: 9
        return None
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        return None
    return value


def _article_list(repo: Repository, viewer, limit, offset, **filters) -> JSONResponse:
    page_size = _page_param(_first(limit), 20, 1, 100)
    start = _page_param(_first(offset), 0, 0)
    invalid = {name: ["is invalid"] for name, value in (("limit", page_size), ("offset", start)) if value is None}
    if invalid:
        raise ApiError(422, invalid)  # both keys when both are wrong (ruling 9)
    articles, count = repo.list_articles(viewer.id if viewer else None, page_size, start, **filters)
    return JSONResponse({"articles": articles, "articlesCount": count})


async def _article_response(repo: Repository, viewer, article_id: int, status_code: int = 200) -> JSONResponse:
    """Commit, then read the answer outside the write lock."""
    await repo.commit()
    article = repo.article_by_id(article_id, viewer.id)
    if article is None:  # deleted by a concurrent request since the commit
        raise not_found("article")
    return JSONResponse({"article": article}, status_code=status_code)


def _article(repo: Repository, raw_slug: str, lock: bool = False):
    """The article named by a raw path segment (after taking the write lock when
    ``lock``), or 404."""
    if lock:
        repo.lock()
    slug = decode_segment(raw_slug)
    article = repo.article_handle(slug, lock=lock) if slug else None
    if article is None:
        raise not_found("article")
    return article


async def publish(repo: Repository, author_id: int, new) -> Tuple[int, str]:
    """Insert and commit a new article under a fresh slug: (id, slug).

    SQLite: under the write lock, a slug found free stays free. PostgreSQL:
    the unique constraint has the last word; a slug taken between the check
    and the insert (8 random hex digits: very unlikely) rolls back and
    another is drawn."""
    for attempt in range(_PUBLISH_ATTEMPTS):
        repo.lock()  # the slug check and the insert are atomic
        slug = Article.make_slug(new.title)
        while repo.slug_taken(slug):
            slug = Article.make_slug(new.title)
        try:
            article_id = repo.create_article(author_id, slug, new.title, new.description, new.body, new.tag_list)
            await repo.commit()
        except IntegrityError as error:
            repo.rollback()
            if not is_unique_violation(error) or attempt + 1 == _PUBLISH_ATTEMPTS:
                raise
            continue
        return article_id, slug
    raise AssertionError("unreachable")


def _own_locked_article(repo: Repository, raw_slug: str, user):
    article = _article(repo, raw_slug, lock=True)
    if article.author_id != user.id:
        raise forbidden("article")
    return article


@router.get("", response_model=ArticleListResponse)
async def list_articles(
    tag: Optional[List[str]] = Query(None),
    author: Optional[List[str]] = Query(None),
    favorited: Optional[List[str]] = Query(None),
    limit: Optional[List[str]] = Query(None),
    offset: Optional[List[str]] = Query(None),
    viewer=Depends(get_optional_user),
    repo: Repository = Depends(get_repo),
):
    # A filter that is present, even empty, filters (ruling 9).
    filters = dict(tag=_first(tag), author=_first(author), favorited=_first(favorited))
    return _article_list(repo, viewer, limit, offset, **filters)


# Declared before "/{slug}": Starlette tries routes in order.
@router.get("/feed", response_model=ArticleListResponse)
async def feed(
    limit: Optional[List[str]] = Query(None),
    offset: Optional[List[str]] = Query(None),
    viewer=Depends(get_current_user),
    repo: Repository = Depends(get_repo),
):
    return _article_list(repo, viewer, limit, offset, feed_of=viewer.id)


@router.post("", status_code=201, response_model=ArticleResponse)
async def create_article(
    viewer=Depends(get_current_user),
    body: JSONBody = Depends(get_json_body),
    repo: Repository = Depends(get_repo),
):
    new = body.parse(NewArticleRequest).article
    article_id, _slug = await publish(repo, viewer.id, new)
    return await _article_response(repo, viewer, article_id, 201)


@router.get("/{slug}", response_model=ArticleResponse)
async def get_article(slug: str, viewer=Depends(get_optional_user), repo: Repository = Depends(get_repo)):
    decoded = decode_segment(slug)  # path parameters arrive raw (paths.py)
    article = repo.article_by_slug(decoded, viewer.id if viewer else None) if decoded else None
    if article is None:
        raise not_found("article")
    return JSONResponse({"article": article})


@router.put("/{slug}", response_model=ArticleResponse)
async def update_article(
    slug: str,
    viewer=Depends(get_current_user),
    body: JSONBody = Depends(get_json_body),
    repo: Repository = Depends(get_repo),
):
    update, invalid = body.parse_deferred(ArticleUpdateRequest)
    article = _own_locked_article(repo, slug, viewer)
    if invalid:
        raise invalid
    changes = update.article.dict(exclude_unset=True)
    tag_names = changes.pop("tag_list", None)
    repo.update_article(article, changes, tag_names)
    return await _article_response(repo, viewer, article.id)


@router.delete("/{slug}", status_code=204, response_class=Response)
async def delete_article(slug: str, viewer=Depends(get_current_user), repo: Repository = Depends(get_repo)):
    repo.delete_article(_own_locked_article(repo, slug, viewer))
    await repo.commit()
    return Response(status_code=204)


@router.post("/{slug}/favorite", response_model=ArticleResponse)
async def favorite(slug: str, viewer=Depends(get_current_user), repo: Repository = Depends(get_repo)):
    article = _article(repo, slug)
    if not repo.favorite(viewer.id, article):
        raise not_found("article")
    return await _article_response(repo, viewer, article.id)


@router.delete("/{slug}/favorite", response_model=ArticleResponse)
async def unfavorite(slug: str, viewer=Depends(get_current_user), repo: Repository = Depends(get_repo)):
    article = _article(repo, slug)
    repo.unfavorite(viewer.id, article)
    return await _article_response(repo, viewer, article.id)
