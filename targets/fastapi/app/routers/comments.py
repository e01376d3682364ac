"""Comments on an article: /api/articles/{slug}/comments[/{id}]."""
import re
from typing import Optional

from fastapi import APIRouter, Depends, Response

from ..database import MAX_ID
from ..dependencies import JSONBody, get_current_user, get_json_body, get_optional_user
from ..errors import forbidden, not_found
from ..paths import decode_segment
from ..repository import Repository, get_repo
from ..responses import JSONResponse
from ..schemas import CommentListResponse, CommentResponse, NewCommentRequest

router = APIRouter(prefix="/api/articles/{slug}/comments", tags=["comments"])

# An id that is not ^[0-9]+$ is a 404 comment (ruling 11); 18 digits fit int64,
# and an id beyond the column's range (MAX_ID: PostgreSQL's integer) names none.
_COMMENT_ID = re.compile(r"[0-9]{1,18}", re.ASCII)  # parity-ruling: 11


def comment_id_or_none(decoded: Optional[str]) -> Optional[int]:
    """The comment id a decoded path segment names, or None (no query needed)."""
    if decoded is None or not _COMMENT_ID.fullmatch(decoded):
        return None
    value = int(decoded)
    return value if value <= MAX_ID else None  # parity-ruling: 11


def _article_or_404(repo: Repository, raw_slug: str, lock: bool = False):
    if lock:
        repo.lock()
    slug = decode_segment(raw_slug)
    article = repo.article_handle(slug, lock=lock) if slug else None
    if article is None:
        raise not_found("article")
    return article


@router.post("", status_code=201, response_model=CommentResponse)
async def add_comment(
    slug: str,
    viewer=Depends(get_current_user),
    body: JSONBody = Depends(get_json_body),
    repo: Repository = Depends(get_repo),
):
    new, invalid = body.parse_deferred(NewCommentRequest)
    if invalid:
        _article_or_404(repo, slug)  # 404 before 422
        raise invalid
    # No BEGIN IMMEDIATE: the repository checks the article and inserts in
    # one short write transaction (see its add_comment).
    decoded = decode_segment(slug)
    comment = await repo.add_comment(decoded, viewer, new.comment.body) if decoded else None
    if comment is None:
        raise not_found("article")
    return JSONResponse({"comment": comment}, status_code=201)


@router.get("", response_model=CommentListResponse)
async def list_comments(slug: str, viewer=Depends(get_optional_user), repo: Repository = Depends(get_repo)):
    article = _article_or_404(repo, slug)
    return JSONResponse({"comments": repo.list_comments(article, viewer.id if viewer else None)})


@router.delete("/{comment_id}", status_code=204, response_class=Response)
async def delete_comment(
    slug: str, comment_id: str, viewer=Depends(get_current_user), repo: Repository = Depends(get_repo)
):
    article = _article_or_404(repo, slug, lock=True)
    author_id = None
    wanted = comment_id_or_none(decode_segment(comment_id))  # path parameters arrive raw (paths.py)
    if wanted is not None:
        author_id = repo.comment_author(article, wanted)
    if author_id is None:
        raise not_found("comment")
    if author_id != viewer.id:
        raise forbidden("comment")
    repo.delete_comment(wanted)
    await repo.commit()
    return Response(status_code=204)
