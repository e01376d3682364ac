"""``manage.py querycount``: show that list endpoints cost a constant number of SQL queries.

Builds a throw-away database (a temp file, whatever DATABASE_PATH says; with DATABASE_URL,
Django's test database ``test_NAME`` on that server, created and dropped as by ``manage.py
test``) and requests every list endpoint through Django's test client twice: once with 1 article (1 comment) in the database,
once with 25 articles (20 comments) and a page of 20, counting queries with
CaptureQueriesContext. The API is asked with a token, the web app's article page with a signed-in
session (its session and user queries included). Exits 1 when a count grows with the number of
items (an N+1 query) or a response does not hold the expected number of items.
"""
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Follow, User
from accounts.tokens import issue_token
from articles.models import Article, Comment, Favorite, Tag
from common.timestamps import now_ms

from ..database import throwaway_database

# label, path, what to count in the response (a JSON list key, or a substring of the HTML)
ENDPOINTS = [
    ("GET /article/article-0 (page, signed in)", "/article/article-0", 'class="comment"'),
    ("GET /api/articles", "/api/articles?limit=20", "articles"),
    ("GET /api/articles?tag=common", "/api/articles?tag=common&limit=20", "articles"),
    ("GET /api/articles?favorited=reader", "/api/articles?favorited=reader&limit=20", "articles"),
    ("GET /api/articles?author=author0", "/api/articles?author=author0&limit=20", "articles"),
    ("GET /api/articles/feed", "/api/articles/feed?limit=20", "articles"),
    ("GET /api/articles/article-0/comments", "/api/articles/article-0/comments", "comments"),
    ("GET / (home page, signed in)", "/", "<tr>"),
]


class Command(BaseCommand):
    help = "Count the SQL queries of the list endpoints with 1 and with 20 items (N+1 check)."
    requires_system_checks = []

    def handle(self, *args, **options):
        with throwaway_database("querycount.sqlite3"):
            author, reader = self._users()
            api = Client(HTTP_AUTHORIZATION="Token " + issue_token(reader))
            browser = Client()
            browser.force_login(reader)  # contrib.auth's login() through EmailBackend
            # The first page with a form stores the session's CSRF token (a session write); later
            # pages only read the session.
            browser.get("/")
            self._add(author, reader, articles=1, comments=1)
            small = [self._measure(api, browser, path, key, 1) for _, path, key in ENDPOINTS]
            self._add(author, reader, articles=24, comments=19)
            large = [self._measure(api, browser, path, key, 20) for _, path, key in ENDPOINTS]
        growing = []
        for (label, _, _), few, many in zip(ENDPOINTS, small, large):
            self.stdout.write(f"{label:40} 1 item: {few} queries   20 items: {many} queries")
            if many != few:
                growing.append(label)
        if growing:
            raise CommandError("query count grows with the number of items: " + ", ".join(growing))
        self.stdout.write("constant: no list endpoint issues a query per item")

    def _measure(self, api, browser, path, key, expected):
        client = api if path.startswith("/api/") else browser
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{path}: status {response.status_code}")
        if not path.startswith("/api/"):
            items = response.content.decode().count(key)
        else:
            items = len(response.json()[key])
        if items != expected:
            raise CommandError(f"{path}: {items} items, expected {expected}")
        return len(queries)

    def _users(self):
        author = User.objects.create(username="author0", email="a@example.com", password="!")
        reader = User.objects.create(username="reader", email="r@example.com", password="!")
        Follow.objects.create(follower=reader, followee=author)
        return author, reader

    def _add(self, author, reader, articles, comments):
        common, _ = Tag.objects.get_or_create(name="common")
        start = Article.objects.count()
        for i in range(start, start + articles):
            created = now_ms()
            article = Article.objects.create(
                slug=f"article-{i}", title=f"Article {i}", description="d", body="b",
                author=author, created_at=created, updated_at=created)
            article.tags.add(common, Tag.objects.create(name=f"tag-{i}"))
            Favorite.objects.create(user=reader, article=article)
            Favorite.objects.create(user=author, article=article)
        first = Article.objects.get(slug="article-0")
        for i in range(comments):
            created = now_ms()
            Comment.objects.create(article=first, author=(author, reader)[i % 2], body="c",
                                   created_at=created, updated_at=created)
