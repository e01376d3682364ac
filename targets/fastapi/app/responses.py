"""Response classes with the exact Content-Types of the contract."""
from starlette.responses import JSONResponse as StarletteJSONResponse


class JSONResponse(StarletteJSONResponse):
    """Starlette adds a charset only to text/* types; the contract wants it here too."""

    media_type = "application/json; charset=utf-8"
