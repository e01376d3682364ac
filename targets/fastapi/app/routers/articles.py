"""Articles, the feed and favorites: /api/articles/..."""
import re
from typing import List, Optional

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import delete, exists, func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session, defer

from ..database import begin_immediate, get_db
from ..dependencies import JSONBody, get_current_user, get_json_body, get_optional_user
from ..errors import ApiError, forbidden, not_found
from ..models import Article, Tag, User, favorites, follows, utcnow
from ..paths import decode_segment
from ..queries import article_select, get_article_or_404, tags_named
from ..schemas import ArticleListResponse, ArticleResponse, ArticleUpdateRequest, NewArticleRequest, article_of

router = APIRouter(prefix="/api/articles", tags=["articles"])

_DIGITS = re.compile(r"[0-9]{1,18}", re.ASCII)


def _first(values: Optional[List[str]]) -> Optional[str]:
    """A repeated query parameter counts by its first occurrence (ruling 9);
    a plain ``str`` parameter would get Starlette's last one."""
    return values[0] if values else None


def _page_param(raw: Optional[str], default: int, minimum: int, maximum: Optional[int] = None) -> Optional[int]:
    """limit/offset: ^[0-9]+$ within range, else None (invalid).

    Declared as ``str`` query parameters: FastAPI's ``int`` would accept
    "+5" or " 5" and answer in its own error shape.
    """
    if raw is None:
        return default
    if not _DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    if value < minimum or (maximum is not None and value > maximum):
        return None
    return value


def _article_list(
    db: Session, viewer: Optional[User], filters, limit: Optional[List[str]], offset: Optional[List[str]]
):
    page_size = _page_param(_first(limit), 20, 1, 100)
    start = _page_param(_first(offset), 0, 0)
    invalid = {name: ["is invalid"] for name, value in (("limit", page_size), ("offset", start)) if value is None}
    if invalid:
        raise ApiError(422, invalid)  # both keys when both are wrong (ruling 9)
    count = db.scalar(select(func.count(Article.id)).where(*filters))
    rows = db.execute(
        article_select(viewer)
        .options(defer(Article.body))  # lists leave the body out
        .where(*filters)
        .order_by(Article.created_at.desc(), Article.id.desc())
        .limit(page_size)
        .offset(start)
    ).all()
    return ArticleListResponse(articles=[article_of(row, with_body=False) for row in rows], articles_count=count)


def _commit_with_article(db: Session, viewer: User, article_id: int) -> ArticleResponse:
    """Commit after building the answer inside the transaction: once the write
    lock is released, a concurrent DELETE could remove the article first."""
    row = db.execute(article_select(viewer).where(Article.id == article_id)).one()
    response = ArticleResponse(article=article_of(row))
    db.commit()
    return response


def _own_article_or_error(db: Session, slug: str, user: User) -> Article:
    article = get_article_or_404(db, slug, for_update=True)
    if article.author_id != user.id:
        raise forbidden("article")
    return article


@router.get("", response_model=ArticleListResponse)
def list_articles(
    tag: Optional[List[str]] = Query(None),
    author: Optional[List[str]] = Query(None),
    favorited: Optional[List[str]] = Query(None),
    limit: Optional[List[str]] = Query(None),
    offset: Optional[List[str]] = Query(None),
    viewer: Optional[User] = Depends(get_optional_user),
    db: Session = Depends(get_db),
):
    # A filter that is present, even empty, filters (ruling 9).
    filters = []
    if tag:
        filters.append(Article.tags.any(Tag.name == _first(tag)))
    if author:
        filters.append(Article.author.has(User.username == _first(author)))
    if favorited:
        fans = select(favorites.c.article_id).join(User, User.id == favorites.c.user_id)
        filters.append(Article.id.in_(fans.where(User.username == _first(favorited))))
    return _article_list(db, viewer, filters, limit, offset)


# Declared before "/{slug}": Starlette tries routes in order.
@router.get("/feed", response_model=ArticleListResponse)
def feed(
    limit: Optional[List[str]] = Query(None),
    offset: Optional[List[str]] = Query(None),
    viewer: User = Depends(get_current_user),
    db: Session = Depends(get_db),
):
    followed = select(follows.c.followed_id).where(follows.c.follower_id == viewer.id)
    return _article_list(db, viewer, [Article.author_id.in_(followed)], limit, offset)


@router.post("", status_code=201, response_model=ArticleResponse)
def create_article(
    viewer: User = Depends(get_current_user),
    body: JSONBody = Depends(get_json_body),
    db: Session = Depends(get_db),
):
    new = body.parse(NewArticleRequest).article
    begin_immediate(db)  # the slug check and the insert are atomic
    slug = Article.make_slug(new.title)
    while db.scalar(select(exists().where(Article.slug == slug))):
        slug = Article.make_slug(new.title)
    now = utcnow()
    article = Article(
        slug=slug,
        title=new.title,
        description=new.description,
        body=new.body,
        author=viewer,
        created_at=now,
        updated_at=now,
        tags=tags_named(db, new.tag_list),
    )
    db.add(article)
    db.flush()
    return _commit_with_article(db, viewer, article.id)


@router.get("/{slug}", response_model=ArticleResponse)
def get_article(slug: str, viewer: Optional[User] = Depends(get_optional_user), db: Session = Depends(get_db)):
    decoded = decode_segment(slug)  # path parameters arrive raw (paths.py)
    row = db.execute(article_select(viewer).where(Article.slug == decoded)).one_or_none() if decoded else None
    if row is None:
        raise not_found("article")
    return ArticleResponse(article=article_of(row))


@router.put("/{slug}", response_model=ArticleResponse)
def update_article(
    slug: str,
    viewer: User = Depends(get_current_user),
    body: JSONBody = Depends(get_json_body),
    db: Session = Depends(get_db),
):
    article = _own_article_or_error(db, slug, viewer)
    changes = body.parse(ArticleUpdateRequest).article.dict(exclude_unset=True)
    tag_names = changes.pop("tag_list", None)
    for name, value in changes.items():
        setattr(article, name, value)
    if tag_names is not None:
        article.tags = tags_named(db, tag_names)
    article.touch()
    return _commit_with_article(db, viewer, article.id)


@router.delete("/{slug}", status_code=204, response_class=Response)
def delete_article(slug: str, viewer: User = Depends(get_current_user), db: Session = Depends(get_db)):
    article = _own_article_or_error(db, slug, viewer)
    # Comments, favorites and tag links go with it (ON DELETE CASCADE).
    db.execute(delete(Article).where(Article.id == article.id))
    db.commit()
    return Response(status_code=204)


@router.post("/{slug}/favorite", response_model=ArticleResponse)
def favorite(slug: str, viewer: User = Depends(get_current_user), db: Session = Depends(get_db)):
    article = get_article_or_404(db, slug, for_update=True)
    db.execute(insert(favorites).values(user_id=viewer.id, article_id=article.id).on_conflict_do_nothing())
    return _commit_with_article(db, viewer, article.id)


@router.delete("/{slug}/favorite", response_model=ArticleResponse)
def unfavorite(slug: str, viewer: User = Depends(get_current_user), db: Session = Depends(get_db)):
    article = get_article_or_404(db, slug, for_update=True)
    db.execute(delete(favorites).where(favorites.c.user_id == viewer.id, favorites.c.article_id == article.id))
    return _commit_with_article(db, viewer, article.id)
