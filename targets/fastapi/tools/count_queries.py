"""Show that list endpoints run a constant number of SQL queries.

Usage (from targets/fastapi): [DATA_LAYER=sql] /usr/bin/python3 tools/count_queries.py
Creates a throw-away database, lists 1 and then 20 articles (each with tags,
a favorite and a followed author) by calling the ASGI app in-process while an
engine event counts the statements, prints them, and exits 1 if the counts
differ. DATA_LAYER=sql checks the fastapi-raw data layer (3 queries: user,
count, page). With DATABASE_URL set it runs on that PostgreSQL database
instead (it must be empty: the tool creates the schema and its rows there).
"""
import asyncio
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    tmp = tempfile.mkdtemp()
    os.environ["DATABASE_PATH"] = os.path.join(tmp, "count.db")
    os.environ["BCRYPT_ROUNDS"] = "4"

    from sqlalchemy import event

    from app.database import engine, init_db
    from asgi_call import call

    init_db()
    statements = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))

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
