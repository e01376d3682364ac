"""Show that list endpoints run a constant number of SQL queries.

Usage (from targets/fastapi): /usr/bin/python3 tools/count_queries.py
Creates a throw-away database, lists 1 and then 20 articles (each with tags,
a favorite and a followed author) by calling the ASGI app in-process while an
engine event counts the statements, prints them, and exits 1 if the counts
differ. (Starlette's TestClient needs httpx, which Debian 12's FastAPI does
not pull in; a dozen lines of ASGI do the same here.)
"""
import asyncio
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> int:
    tmp = tempfile.mkdtemp()
    os.environ["DATABASE_PATH"] = os.path.join(tmp, "count.db")
    os.environ["BCRYPT_ROUNDS"] = "4"

    from sqlalchemy import event

    from app.database import engine, init_db
    from app.main import app

    init_db()
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

    async def call(method, path, body=None, token=None):
        headers = [(b"content-type", b"application/json")]
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

    async def scenario():
        async def register(name):
            body = {"user": {"username": name, "email": name + "@example.com", "password": "password1"}}
            return (await call("POST", "/api/users", body))["user"]["token"]

        reader, writer = await register("reader"), await register("writer")
        await call("POST", "/api/profiles/writer/follow", token=reader)
        counts = {}
        for target in (1, 20):
            while len((await call("GET", "/api/articles?limit=100"))["articles"]) < target:
                article = {"title": "t", "description": "d", "body": "b", "tagList": ["x", "y"]}
                slug = (await call("POST", "/api/articles", {"article": article}, writer))["article"]["slug"]
                await call("POST", f"/api/articles/{slug}/favorite", token=reader)
            for path in ("/api/articles", "/api/articles/feed"):
                statements.clear()
                listed = (await call("GET", path, token=reader))["articles"]
                counts[(path, target)] = len(statements)
                print(f"{path}: {len(listed)} articles, {len(statements)} queries")
                for statement in statements:
                    print("   ", " ".join(statement.split())[:120])
        return counts

    try:
        counts = asyncio.run(scenario())
    finally:
        shutil.rmtree(tmp)
    constant = all(counts[(p, 1)] == counts[(p, 20)] for p in ("/api/articles", "/api/articles/feed"))
    print("constant number of queries:", "yes" if constant else "NO")
    return 0 if constant else 1


if __name__ == "__main__":
    sys.exit(main())
