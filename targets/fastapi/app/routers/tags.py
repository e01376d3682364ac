"""GET /api/tags: every tag used by at least one article, sorted bytewise."""
from fastapi import APIRouter, Depends
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ..database import get_db
from ..models import Tag, article_tags
from ..schemas import TagListResponse

router = APIRouter(prefix="/api/tags", tags=["tags"])


@router.get("", response_model=TagListResponse)
def list_tags(db: Session = Depends(get_db)):
    # SQLite's BINARY collation compares UTF-8 bytes, i.e. bytewise order.
    used = exists().where(article_tags.c.tag_id == Tag.id)
    return TagListResponse(tags=list(db.scalars(select(Tag.name).where(used).order_by(Tag.name))))
