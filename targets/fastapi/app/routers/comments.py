"""Comments on an article: /api/articles/{slug}/comments[/{id}]."""
import re
from typing import Optional

from fastapi import APIRouter, Depends, Response
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..database import get_db
from ..dependencies import JSONBody, get_current_user, get_json_body, get_optional_user
from ..errors import forbidden, not_found
from ..models import Comment, User, utcnow
from ..paths import decode_segment
from ..queries import following_expr, get_article_or_404, is_following
from ..schemas import CommentListResponse, CommentResponse, NewCommentRequest, comment_of

router = APIRouter(prefix="/api/articles/{slug}/comments", tags=["comments"])

# An id that is not ^[0-9]+$ is a 404 comment (ruling 11); 18 digits fit int64.
_COMMENT_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


@router.post("", status_code=201, response_model=CommentResponse)
def add_comment(
    slug: str,
    viewer: User = Depends(get_current_user),
    body: JSONBody = Depends(get_json_body),
    db: Session = Depends(get_db),
):
    article = get_article_or_404(db, slug, for_update=True)  # the article cannot vanish before the insert
    new = body.parse(NewCommentRequest).comment
    comment = Comment(body=new.body, article_id=article.id, author=viewer, created_at=utcnow())
    db.add(comment)
    db.commit()
    # Following yourself is allowed, so even your own comment may say true.
    return CommentResponse(comment=comment_of(comment, is_following(db, viewer, viewer)))


@router.get("", response_model=CommentListResponse)
def list_comments(slug: str, viewer: Optional[User] = Depends(get_optional_user), db: Session = Depends(get_db)):
    article = get_article_or_404(db, slug)
    rows = db.execute(
        select(Comment, following_expr(viewer, Comment.author_id).label("following"))
        .where(Comment.article_id == article.id)
        .order_by(Comment.created_at, Comment.id)
    )
    return CommentListResponse(comments=[comment_of(comment, following) for comment, following in rows])


@router.delete("/{comment_id}", status_code=204, response_class=Response)
def delete_comment(
    slug: str, comment_id: str, viewer: User = Depends(get_current_user), db: Session = Depends(get_db)
):
    article = get_article_or_404(db, slug, for_update=True)
    comment = None
    decoded_id = decode_segment(comment_id)  # path parameters arrive raw (paths.py)
    if decoded_id is not None and _COMMENT_ID.fullmatch(decoded_id):
        comment = db.execute(
            select(Comment).where(Comment.id == int(decoded_id), Comment.article_id == article.id)
        ).scalar_one_or_none()
    if comment is None:
        raise not_found("comment")
    if comment.author_id != viewer.id:
        raise forbidden("comment")
    db.execute(delete(Comment).where(Comment.id == comment.id))
    db.commit()
    return Response(status_code=204)
