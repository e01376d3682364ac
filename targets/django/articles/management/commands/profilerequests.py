"""``manage.py profilerequests [N]``: CPU time per request, in-process, and where it goes.

Builds a throw-away database (a temp file, whatever DATABASE_PATH says; on PostgreSQL Django's
test database, articles/management/database.py) with 20 tagged, favorited articles by a
followed author, then sends N requests (default 300) per kind through
Django's test client (the whole middleware stack and view, no server, no network):
GET /api/articles (20 articles), GET /api/articles/{slug}, POST a comment. Prints the mean CPU
time per request (process_time: steadier than wall time on a shared machine), the garbage
collector's passes during those requests (GC_FREEZE=1: after gc.freeze(), as gunicorn.conf.py
does) and the 12 functions with the most own time for the list (cProfile). DATA_LAYER=sql
profiles django-raw.
"""
import cProfile
import gc
import io
import os
import pstats
import time

from django.core.management.base import BaseCommand
from django.test import Client

from accounts.models import Follow, User
from accounts.tokens import issue_token
from articles.models import Article, Favorite, Tag
from common.timestamps import now_ms

from ..database import throwaway_database


class GcPauses:
    """Every garbage-collector pass while enabled, by generation (gc.callbacks): a full (gen2)
    pass stops every thread of the worker, which is where a Python server's worst tails hide."""

    def __init__(self):
        self.passes = {0: [], 1: [], 2: []}
        self._start = 0.0

    def __call__(self, phase, info):
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.passes[info["generation"]].append(time.perf_counter() - self._start)

    def report(self):
        lines = []
        for generation, pauses in self.passes.items():
            if pauses:
                pauses.sort()
                lines.append(f"gc gen{generation}: {len(pauses):4} passes, {sum(pauses) * 1e3:7.1f} ms in all, "
                             f"median {pauses[len(pauses) // 2] * 1e3:6.2f} ms, max {pauses[-1] * 1e3:7.2f} ms")
        return "\n".join(lines)


class Command(BaseCommand):
    help = "CPU time per request of a list, a read and a comment, with a cProfile of the list."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("rounds", nargs="?", type=int, default=300)

    def handle(self, *args, rounds, **options):
        with throwaway_database("profile.sqlite3"):
            slug, token = self._seed()
            client = Client(HTTP_AUTHORIZATION="Token " + token)
            comment = {"comment": {"body": "hi"}}
            if os.environ.get("GC_FREEZE") == "1":
                gc.freeze()  # what gunicorn.conf.py does once the app is loaded
            pauses = GcPauses()
            gc.callbacks.append(pauses)
            self._measure("GET /api/articles (20)", rounds, lambda: client.get("/api/articles"))
            self._measure("GET /api/articles/{slug}", rounds, lambda: client.get(f"/api/articles/{slug}"))
            self._measure("POST comment", rounds, lambda: client.post(
                f"/api/articles/{slug}/comments", comment, content_type="application/json"))
            gc.callbacks.remove(pauses)
            self.stdout.write(pauses.report())
            profiler = self._measure("(profiled) GET /api/articles", rounds,
                                     lambda: client.get("/api/articles"), profile=True)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
        self.stdout.write("\n".join(line for line in out.getvalue().splitlines() if line.strip()))

    def _measure(self, label, rounds, send, profile=False):
        send()  # warm caches
        profiler = cProfile.Profile() if profile else None
        start = time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(rounds):
            send()
        if profiler:
            profiler.disable()
        self.stdout.write(f"{label:32} {(time.process_time() - start) / rounds * 1e6:8.0f} us/request")
        return profiler

    def _seed(self):
        author = User.objects.create(username="writer", email="w@example.com", password="!")
        reader = User.objects.create(username="reader", email="r@example.com", password="!")
        Follow.objects.create(follower=reader, followee=author)
        tags = [Tag.objects.create(name=name) for name in ("x", "y", "z")]
        for i in range(20):
            created = now_ms()
            article = Article.objects.create(
                slug=f"article-{i}", title=f"t{i}", description="d", body="b" * 500,
                author=author, created_at=created, updated_at=created)
            article.tags.add(*tags)
            Favorite.objects.create(user=reader, article=article)
        return "article-19", issue_token(reader)
