"""The overhead endpoints (contract section 2). The HTML pages, the home page
(section 4's table) included, are the web app's (app/web)."""
from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

router = APIRouter()


# No I/O: plain async endpoints, no thread pool hop.
@router.get("/plaintext", response_class=PlainTextResponse)
async def plaintext():
    return "Hello, World!"


@router.get("/json")
async def json_hello():
    return {"message": "Hello, World!"}
