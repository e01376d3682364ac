"""GET /api/tags: every tag used by at least one article, sorted bytewise."""
from fastapi import APIRouter, Depends

from ..repository import Repository, get_repo
from ..responses import JSONResponse
from ..schemas import TagListResponse

router = APIRouter(prefix="/api/tags", tags=["tags"])


@router.get("", response_model=TagListResponse)
async def list_tags(repo: Repository = Depends(get_repo)):
    return JSONResponse({"tags": repo.tag_names()})
