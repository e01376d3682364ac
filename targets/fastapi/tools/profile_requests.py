"""CPU cost of one request, in-process, and where it goes (cProfile).

Usage (from targets/fastapi): [DATA_LAYER=sql] /usr/bin/python3 tools/profile_requests.py [N]
Seeds a throw-away database (20 tagged, favorited articles by a followed
author), then calls the ASGI app directly N times (default 300) per request
kind: GET /api/articles (20 articles), GET /api/articles/{slug}, POST a comment.
Prints the mean CPU time per request (process_time: steadier than wall time on
a shared machine; one thread, no network, no server), the garbage collector's
passes during those requests (GC_FREEZE=1: after gc.freeze(), as
gunicorn.conf.py does) and the 12 functions with the most own time for the
list. On a shared machine, compare DATA_LAYER=orm and sql back to back.
"""
import asyncio
import cProfile
import gc
import io
import os
import pstats
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


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


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    tmp = tempfile.mkdtemp()
    os.environ["DATABASE_PATH"] = os.path.join(tmp, "profile.db")
    os.environ["BCRYPT_ROUNDS"] = "4"
    from asgi_call import call  # noqa: E402  (needs the environment above)

    from app.database import init_db

    init_db()

    async def seed():
        tokens = []
        for name in ("reader", "writer"):
            body = {"user": {"username": name, "email": name + "@example.com", "password": "password1"}}
            tokens.append((await call("POST", "/api/users", body))["user"]["token"])
        reader, writer = tokens
        await call("POST", "/api/profiles/writer/follow", token=reader)
        slug = None
        for number in range(20):
            article = {"title": f"t{number}", "description": "d", "body": "b" * 500, "tagList": ["x", "y", "z"]}
            slug = (await call("POST", "/api/articles", {"article": article}, writer))["article"]["slug"]
            await call("POST", f"/api/articles/{slug}/favorite", token=reader)
        return reader, slug

    async def measure(label, method, path, body=None, token=None, profile=False):
        await call(method, path, body, token)  # warm caches
        profiler = cProfile.Profile() if profile else None
        start = time.process_time()
        if profiler:
            profiler.enable()
        for _ in range(rounds):
            await call(method, path, body, token)
        if profiler:
            profiler.disable()
        elapsed = time.process_time() - start
        print(f"{label:32} {elapsed / rounds * 1e6:8.0f} us/request")
        return profiler

    async def run():
        reader, slug = await seed()
        if os.environ.get("GC_FREEZE") == "1":
            gc.freeze()  # what gunicorn.conf.py does once the app is loaded
        pauses = GcPauses()
        gc.callbacks.append(pauses)
        await measure("GET /api/articles (20)", "GET", "/api/articles", token=reader)
        await measure("GET /api/articles/{slug}", "GET", f"/api/articles/{slug}", token=reader)
        await measure("POST comment", "POST", f"/api/articles/{slug}/comments", {"comment": {"body": "hi"}}, reader)
        gc.callbacks.remove(pauses)
        pauses.report()
        return await measure("(profiled) GET /api/articles", "GET", "/api/articles", token=reader, profile=True)

    try:
        profiler = asyncio.run(run())
    finally:
        shutil.rmtree(tmp)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(12)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:4000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
