"""Queries shared by the routers.

Every article answer comes from :func:`article_select`: one SELECT returns the
articles with their author (joined), favorites count, and the viewer's
``favorited`` / ``following`` flags as correlated subqueries; tags arrive in
one more SELECT ... IN (selectin). A list of 20 articles therefore costs three
queries (count, page, tags) whatever its length.
"""
from typing import List, Optional, Sequence

from sqlalchemy import exists, false, func, select
from sqlalchemy.dialects.sqlite import insert
from sqlalchemy.orm import Session

from .database import begin_immediate
from .errors import not_found
from .paths import decode_segment
from .models import Article, Tag, User, favorites, follows

# SQLite allows 32766 bound parameters per statement; tag lists are written in slices.
_SQL_BATCH = 500


def following_expr(viewer: Optional[User], author_id_column):
    """SQL boolean: does ``viewer`` follow the user in ``author_id_column``?"""
    if viewer is None:
        return false()
    return exists().where(follows.c.follower_id == viewer.id, follows.c.followed_id == author_id_column)


def article_select(viewer: Optional[User]):
    """SELECT (Article, favorites_count, favorited, following) for ``viewer``."""
    favorites_count = select(func.count()).where(favorites.c.article_id == Article.id).scalar_subquery()
    if viewer is None:
        favorited = false()
    else:
        favorited = exists().where(favorites.c.article_id == Article.id, favorites.c.user_id == viewer.id)
    return select(
        Article,
        favorites_count.label("favorites_count"),
        favorited.label("favorited"),
        following_expr(viewer, Article.author_id).label("following"),
    )


def get_article_or_404(db: Session, raw_slug: str, for_update: bool = False) -> Article:
    """The article named by a raw (percent-encoded) path segment, or 404.

    ``for_update=True`` first takes SQLite's write lock (BEGIN IMMEDIATE), so
    the article read here cannot change or vanish before this request's
    writes commit: concurrent PUTs of one article's tags would otherwise each
    delete the same old tag links (StaleDataError), and a favorite or comment
    racing a DELETE would insert a row pointing at a deleted article (a
    foreign key error). Every endpoint that reads an article and then writes
    calls it this way, as its first database step after authentication.
    """
    if for_update:
        begin_immediate(db)
    slug = decode_segment(raw_slug)
    article = db.execute(select(Article).where(Article.slug == slug)).scalar_one_or_none() if slug else None
    if article is None:
        raise not_found("article")
    return article


def get_user_by_username_or_404(db: Session, raw_username: str) -> User:
    """The user named by a raw (percent-encoded) path segment, or 404 profile."""
    username = decode_segment(raw_username)
    user = db.execute(select(User).where(User.username == username)).scalar_one_or_none() if username else None
    if user is None:
        raise not_found("profile")
    return user


def is_following(db: Session, viewer: Optional[User], user: User) -> bool:
    if viewer is None:
        return False
    return bool(db.scalar(select(following_expr(viewer, user.id))))


def tags_named(db: Session, names: Sequence[str]) -> List[Tag]:
    """Tag rows for ``names``, creating the missing ones (safe under concurrency)."""
    tags: List[Tag] = []
    for start in range(0, len(names), _SQL_BATCH):
        batch = list(names[start : start + _SQL_BATCH])
        db.execute(insert(Tag).values([{"name": name} for name in batch]).on_conflict_do_nothing())
        tags.extend(db.scalars(select(Tag).where(Tag.name.in_(batch))))
    return tags
