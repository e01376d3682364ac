"""Show that list endpoints run a constant number of SQL queries.

Usage (from targets/flask): [DATA_LAYER=sql] /usr/bin/python3 tools/count_queries.py
Creates a throw-away database, lists 1 and then 20 articles (each with tags,
a favorite and a followed author) through Flask's test client with
SQLALCHEMY_RECORD_QUERIES on, prints the queries, and exits 1 if the counts
differ.
"""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask_sqlalchemy.record_queries import get_recorded_queries  # noqa: E402

from conduit import create_app  # noqa: E402
from conduit.config import Config  # noqa: E402
from conduit.database import init_db  # noqa: E402


def main():
    with tempfile.TemporaryDirectory() as tmp:

        class TestConfig(Config):
            SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(tmp, "count.db")
            SQLALCHEMY_RECORD_QUERIES = True
            BCRYPT_ROUNDS = 4

        app = create_app(TestConfig)
        with app.app_context():
            init_db()
        client = app.test_client()

        def register(name):
            body = {"user": {"username": name, "email": name + "@example.com", "password": "password1"}}
            return {"Authorization": "Token " + client.post("/api/users", json=body).json["user"]["token"]}

        reader, writer = register("reader"), register("writer")
        client.post("/api/profiles/writer/follow", headers=reader)
        counts = {}
        for target in (1, 20):
            while len(client.get("/api/articles?limit=100").json["articles"]) < target:
                article = {"title": "t", "description": "d", "body": "b", "tagList": ["x", "y"]}
                slug = client.post("/api/articles", json={"article": article}, headers=writer).json["article"]["slug"]
                client.post(f"/api/articles/{slug}/favorite", headers=reader)
            for path in ("/api/articles", "/api/articles/feed"):
                with client:
                    listed = client.get(path, headers=reader).json["articles"]
                    queries = get_recorded_queries()
                counts[(path, target)] = len(queries)
                print(f"{path}: {len(listed)} articles, {len(queries)} queries")
                for query in queries:
                    print("   ", " ".join(query.statement.split())[:120])
    constant = all(counts[(p, 1)] == counts[(p, 20)] for p in ("/api/articles", "/api/articles/feed"))
    print("constant number of queries:", "yes" if constant else "NO")
    return 0 if constant else 1


if __name__ == "__main__":
    sys.exit(main())
