"""CPU cost of one request, in-process, and where it goes (cProfile).

Usage (from targets/flask): [DATA_LAYER=sql] /usr/bin/python3 tools/profile_requests.py [N]
Seeds a throw-away database (20 tagged, favorited articles by a followed
author), then sends N requests (default 300) per kind through Flask's test
client (the whole WSGI app, no server, no network): GET /api/articles (20
articles), GET /api/articles/{slug}, POST a comment. Prints the mean CPU time
per request (process_time: steadier than wall time on a shared machine), the
garbage collector's passes during those requests (GC_FREEZE=1: after gc.freeze(),
as gunicorn.conf.py does) and the 12 functions with the most own time for the list.
"""
import cProfile
import gc
import io
import os
import pstats
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from conduit import create_app  # noqa: E402
from conduit.config import Config  # noqa: E402
from conduit.database import init_db  # noqa: E402


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
        for generation, pauses in self.passes.items():
            if pauses:
                pauses.sort()
                print(f"gc gen{generation}: {len(pauses):4} passes, {sum(pauses) * 1e3:7.1f} ms in all, "
                      f"median {pauses[len(pauses) // 2] * 1e3:6.2f} ms, max {pauses[-1] * 1e3:7.2f} ms")


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    with tempfile.TemporaryDirectory() as tmp:

        class ProfileConfig(Config):
            SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(tmp, "profile.db")
            BCRYPT_ROUNDS = 4

        app = create_app(ProfileConfig)
        with app.app_context():
            init_db()
        client = app.test_client()

        def register(name):
            body = {"user": {"username": name, "email": name + "@example.com", "password": "password1"}}
            return {"Authorization": "Token " + client.post("/api/users", json=body).json["user"]["token"]}

        reader, writer = register("reader"), register("writer")
        client.post("/api/profiles/writer/follow", headers=reader)
        for number in range(20):
            article = {"title": f"t{number}", "description": "d", "body": "b" * 500, "tagList": ["x", "y", "z"]}
            slug = client.post("/api/articles", json={"article": article}, headers=writer).json["article"]["slug"]
            client.post(f"/api/articles/{slug}/favorite", headers=reader)

        def measure(label, send, profile=False):
            send()  # warm caches
            profiler = cProfile.Profile() if profile else None
            start = time.process_time()
            if profiler:
                profiler.enable()
            for _ in range(rounds):
                send()
            if profiler:
                profiler.disable()
            print(f"{label:32} {(time.process_time() - start) / rounds * 1e6:8.0f} us/request")
            return profiler

        comment = {"comment": {"body": "hi"}}
        if os.environ.get("GC_FREEZE") == "1":
            gc.freeze()  # what gunicorn.conf.py does once the app is loaded
        pauses = GcPauses()
        gc.callbacks.append(pauses)
        measure("GET /api/articles (20)", lambda: client.get("/api/articles", headers=reader))
        measure("GET /api/articles/{slug}", lambda: client.get(f"/api/articles/{slug}", headers=reader))
        measure("POST comment", lambda: client.post(f"/api/articles/{slug}/comments", json=comment, headers=reader))
        gc.callbacks.remove(pauses)
        pauses.report()
        profiler = measure("(profiled) GET /api/articles", lambda: client.get("/api/articles", headers=reader), True)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
