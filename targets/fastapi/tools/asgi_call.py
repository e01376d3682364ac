"""Call the ASGI app in-process (Starlette's TestClient needs httpx, which
Debian 12's FastAPI does not pull in; a dozen lines of ASGI do the same).
Import after DATABASE_PATH is set: it imports the app."""
import json

from app.main import app


async def call(method, path, body=None, token=None):
    """The decoded JSON answer of one request (None for an empty body)."""
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]  # as HTTP/1.1 sends
    if token:
        headers.append((b"authorization", f"Token {token}".encode()))
    raw = json.dumps(body).encode() if body is not None else b""
    path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
             "root_path": "", "headers": headers, "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    messages = [{"type": "http.request", "body": raw, "more_body": False}]
    chunks = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        if message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return json.loads(b"".join(chunks) or b"null")
