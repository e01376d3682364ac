#!/usr/bin/python3
"""Writes the report fixtures (run/ and the baselines base-*/) of tests/harness/test_report_*.c.

The JSON files are committed; this script documents how they were made and remakes them:
    /usr/bin/python3 tests/harness/data/report/make_fixtures.py

run/: four targets (django, express, flask, quill), two suites, three scenarios.
  django did not start (conformance and bench: status error with the reason, no results).
  conformance: quill passes with one skipped step (reason); flask fails suite "articles" at one
  step (a JSONPath assert, message and file:line) and skips the rest; express passes.
  bench (profile full, levels 16 and 64, 3 repetitions with spread):
    plaintext       every target at 16 and 64 connections; flask's 64 runs are client-bound
    article-read    quill wide spread (16k-23k), its 16k run in a host slow window, its run 2 a
                    make-up (host_superseded holds the slow run it replaced); flask
                    check-failed (not measured)
    comment-create  integrity: quill ok, flask FAILED with 12 status errors; express crashed
base-improve/   every throughput 30% lower than now                       -> better, exit 0
base-noise/     quill article-read median 22.5k (-6.7%, inside the spread) -> noise,  exit 0
base-regress/   quill plaintext 90k -> 60k (-33%): REGRESSION; express plaintext -4.9% outside
                the spreads: worse (below the 5% gate)                     -> exit 1 (0 at 50%)
base-crash/     express comment-create was measured, now crashed          -> gone, exit 1
base-lost/      flask passed every suite before                           -> lost, exit 1
base-django/    django ran and passed before; now it did not start        -> 3 regressions, lost, exit 1
"""
import copy, json, os, statistics

HERE = os.path.dirname(os.path.abspath(__file__))
WRK = "taskset -c 0 'wrk' '-t' '1' '-c' '{c}' '-d' '15s' '--timeout' '8s' '-s' 'run/wrk/{t}-{s}-c{c}-r{r}.lua' 'http://127.0.0.1:4{p:04d}/'"


def run_obj(t, s, c, r, rps, p50, client_bound=False, status_errors=0):
    dur = 15.0
    lat = {"min": p50 * 0.3, "mean": p50 * 1.1, "stdev": p50 * 0.4, "max": p50 * 20,
           "p50": p50, "p75": p50 * 1.3, "p90": p50 * 1.8, "p99": p50 * 4, "p99_9": p50 * 9, "p99_99": p50 * 15}
    lat = {k: round(v, 1) for k, v in lat.items()}
    hist = [[round(p50 * 0.3), 5], [round(p50 * 0.6), 300], [round(p50), 300], [round(p50 * 1.8), 300],
            [round(p50 * 4), 90], [round(p50 * 9), 4], [round(p50 * 20), 1]]
    cpu = round(dur * 0.9, 2)
    return {"repeat": r, "command": WRK.format(c=c, t=t, s=s, r=r, p=len(t) * 100 + c),
            "duration_s": dur, "requests": int(rps * dur), "rps": rps, "bytes": int(rps * dur * 120),
            "errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0, "status": status_errors, "total": status_errors},
            "latency_us": lat, "histogram": hist, "cpu_s": cpu, "rps_per_cpu_s": round(rps * dur / cpu, 3),
            "rss_peak_kb": 12000 + len(t) * 9000, "rss_mean_kb": 11000 + len(t) * 9000,
            "pss_peak_kb": 9000, "pss_mean_kb": 8500, "processes": 1,
            "wrk_cpu_util": 0.95 if client_bound else 0.4, "client_bound": client_bound}


def spread(vals):
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals)}


def level(t, s, c, rpss, p50, client_bound=False, status_errors=0):
    runs = [run_obj(t, s, c, i + 1, v, p50 * (1 + 0.05 * i), client_bound and i == 1, status_errors // 3)
            for i, v in enumerate(rpss)]
    if t == "quill" and s == "article-read":  # its slowest run measured in a host slow window
        for i, r in enumerate(runs):
            r["host"] = {"before_us": 700.0, "after_us": 1400.0 if i == 0 else 720.0,
                         "waited_s": 0.1, "slow": i == 0}
        runs[1]["makeup"] = True  # found slow at the end, measured again (bench_host.c)
    summ = {"runs": len(runs)}
    for key, src in (("rps", "rps"), ("cpu_s", "cpu_s"), ("rps_per_cpu_s", "rps_per_cpu_s"),
                     ("rss_peak_kb", "rss_peak_kb"), ("pss_peak_kb", "pss_peak_kb")):
        summ[key] = spread([r[src] for r in runs])
    for key, src in (("p50_us", "p50"), ("p90_us", "p90"), ("p99_us", "p99"), ("p99_9_us", "p99_9")):
        summ[key] = spread([r["latency_us"][src] for r in runs])
    summ["errors"] = sum(r["errors"]["total"] for r in runs)
    summ["client_bound"] = any(r["client_bound"] for r in runs)
    lv = {"connections": c, "runs": runs, "summary": summ}
    if t == "quill" and s == "article-read":
        slow = copy.deepcopy(runs[1])
        del slow["makeup"]
        slow["rps"] = round(slow["rps"] * 0.7)
        slow["requests"] = int(slow["rps"] * slow["duration_s"])
        slow["host"] = dict(slow["host"], after_us=1400.0, slow=True)
        lv["host_superseded"] = [slow]
    return lv


DESC = {"plaintext": "GET /plaintext: framework overhead",
        "article-read": "GET /api/articles/{slug}, anonymous",
        "comment-create": "POST a unique comment, authenticated"}


def scenario(t, s, levels, status="ok", error=None, check_msg=None, integrity=None):
    o = {"name": s, "description": DESC[s],
         "commands": {"primer": "taskset -c 0 'wrk' '-c' '8' primer", "warmup": "taskset -c 0 'wrk' '-c' '64' warmup"},
         "check": {"pass": check_msg is None, "message": check_msg}}
    if levels is not None:
        o["levels"] = levels
    if integrity is not None:
        o["integrity"] = integrity
    o["status"], o["error"] = status, error
    return o


def bench(rps):
    """rps: {target: {scenario: {conn: [r1, r2, r3]}}}; the statuses are those of run/."""
    targets = []
    versions = {"express": "Express 4.18.2 / Node v18.19.0", "flask": "Flask 2.2.2 / gunicorn 20.1.0",
                "quill": "quill 0.1.0, SQLite 3.40.1"}
    p50 = {"express": 2000, "flask": 9000, "quill": 900, "django": 12000}
    versions["django"] = "Django 3.2.19 / gunicorn 20.1.0"
    for t in ("quill", "flask", "express") + (("django",) if "django" in rps else ()):
        scns = []
        for s in ("plaintext", "article-read", "comment-create"):
            spec = rps[t][s]
            if spec == "check-failed":
                scns.append(scenario(t, s, None, "check-failed", "the sample request was answered wrongly: not measured",
                                     check_msg='status: expected 200, got 500'))
                continue
            if spec == "crashed":
                lv = level(t, s, 64, [4000.0], p50[t])
                del lv["summary"]  # the run before the crash is kept; the level was never summarised
                scns.append(scenario(t, s, [lv], "crashed", "the target exited during this scenario"))
                continue
            lvls = [level(t, s, c, v, p50[t] * (c / 64), client_bound=(t == "flask" and s == "plaintext" and c == 64),
                          status_errors=(12 if t == "flask" and s == "comment-create" else 0))
                    for c, v in sorted(spec.items())]
            integ = None
            if s == "comment-create":
                ok = t != "flask"
                integ = {"checked": True, "pass": ok, "acknowledged": 1000, "found": 1000 if ok else 990,
                         "in_flight_max": 128, "message": None if ok else "10 acknowledged comments are missing"}
            scns.append(scenario(t, s, lvls, integrity=integ))
        targets.append({"name": t, "version": versions[t], "status": "ok", "error": None,
                        "seed": {"duration_s": 2.1, "steps": 460, "pools": {"slugs": 40, "tokens": 20}},
                        "scenarios": scns})
    # django did not start: no scenarios
    if "django" not in rps:
        targets.insert(0, {"name": "django", "version": None, "status": "error",
                       "error": "django did not start: exited with status 1; last log lines:\nModuleNotFoundError: No module named 'blog'",
                       "seed": None, "scenarios": []})
    return {"kind": "parity-bench", "format": 1, "parity_version": "0.1.0", "run_id": "20261123T190501Z",
            "started": "2026-11-23T19:05:01.000Z", "finished": "2026-11-23T19:09:01.000Z", "profile": "full",
            "settings": {"connections": [16, 64], "duration_s": 15, "repeat": 3, "primer_s": 5, "primer_connections": 8,
                         "warmup_s": 15, "pause_ms": 2000, "wrk_timeout_s": 8, "sample_hz": 10},
            "environment": {"cpu_model": "Fixture CPU 3000", "cpus_online": 2, "kernel": "Linux 6.1.0 x86_64",
                            "memory_mib": 24000, "wrk_version": "wrk debian/4.1.0-3+b2 [epoll]",
                            "git_commit": "b9e4eba12345", "git_dirty": False,
                            "pinning": {"mode": "auto", "wrk_cpus": [0], "target_cpus": [1], "workers": 1}},
            "targets": targets}


RPS = {
    "quill": {"plaintext": {16: [40000.0, 42000.0, 41000.0], 64: [58000.0, 60000.0, 62000.0]},
              "article-read": {64: [16000.0, 21000.0, 23000.0]},
              "comment-create": {64: [5000.0, 5200.0, 5100.0]}},
    "flask": {"plaintext": {16: [3000.0, 3100.0, 3200.0], 64: [3300.0, 3400.0, 3500.0]},
              "article-read": "check-failed",
              "comment-create": {64: [800.0, 820.0, 840.0]}},
    "express": {"plaintext": {16: [12000.0, 12500.0, 13000.0], 64: [15000.0, 15500.0, 16000.0]},
                "article-read": {64: [9000.0, 9500.0, 10000.0]},
                "comment-create": "crashed"},
}


def step(name, status, line, **kw):
    s = {"name": name, "phase": "steps", "file": "specs/blog/%s.json" % kw.pop("suite"), "line": line, "col": 5,
         "iteration": None, "status": status, "reason": kw.pop("reason", None), "duration_ms": 1.5,
         "attempts": 0 if status == "skip" else 1,
         "request": None if status == "skip" else {"method": "GET", "url": "http://127.0.0.1:40001/api/x"},
         "http_status": None if status == "skip" else 200, "timings": None, "failures": kw.pop("failures", [])}
    s.update(kw)
    return s


def suite(name, steps):
    counts = {k: sum(1 for s in steps if s["status"] == k) for k in ("pass", "fail", "skip", "error")}
    status = "fail" if counts["fail"] else "error" if counts["error"] else "pass"
    return {"name": name, "file": "specs/blog/%s.json" % name, "status": status, "duration_ms": 20.0,
            "counts": counts, "steps": steps}


def conformance(flask_fails, django_ran=False):
    targets = []
    for t in ("express", "flask", "quill") + (("django",) if django_ran else ()):
        users = [step("register alice", "pass", 12, suite="users"), step("login alice", "pass", 30, suite="users")]
        if t == "quill":
            users.append(step("login with an unknown field", "skip", 48, suite="users",
                              reason="quill rejects unknown JSON fields on purpose (targets/quill/README.md)"))
        else:
            users.append(step("login with an unknown field", "pass", 48, suite="users"))
        arts = [step("create article", "pass", 20, suite="articles")]
        if t == "flask" and flask_fails:
            arts.append(step("update article: title changes slug", "fail", 88, suite="articles",
                             failures=[{"check": "[\"jsonpath\", \"$.article.slug\", \"==\", \"new-title\"]",
                                        "file": "specs/blog/articles.json", "line": 97, "col": 11,
                                        "message": "expected == \"new-title\", got \"old-title\""}],
                             response="HTTP 200\nContent-Type: application/json\n\n{\"article\":{\"slug\":\"old-title\"}}",
                             curl="curl -i -X PUT 'http://127.0.0.1:40001/api/articles/old-title'"))
            arts.append(step("delete article", "skip", 120, suite="articles",
                             reason="after failed step \"update article: title changes slug\""))
        else:
            arts.append(step("update article: title changes slug", "pass", 88, suite="articles"))
            arts.append(step("delete article", "pass", 120, suite="articles"))
        suites = [suite("users", users), suite("articles", arts)]
        counts = {k: sum(s["counts"][k] for s in suites) for k in ("pass", "fail", "skip", "error")}
        targets.append({"name": t, "version": None, "url": "http://127.0.0.1:40001", "external": False,
                        "status": "fail" if any(s["status"] != "pass" for s in suites) else "pass",
                        "error": None, "log": "run/logs/%s.log" % t, "start_ms": 500.0,
                        "counts": counts, "suites": suites})
    if not django_ran:
        targets.insert(0, {"name": "django", "version": "Django 3.2.19 / gunicorn 20.1.0", "url": None, "external": False,
                       "status": "error", "error": "target django did not start: exited with status 1\n"
                       "last log lines:\nModuleNotFoundError: No module named 'blog'",
                       "log": "run/logs/django.log", "start_ms": None,
                       "counts": {"pass": 0, "fail": 0, "skip": 0, "error": 0}, "suites": []})
    tot = {k: sum(t["counts"][k] for t in targets) for k in ("pass", "fail", "skip", "error")}
    stot = {k: sum(1 for t in targets for s in t["suites"] if s["status"] == k) for k in ("pass", "fail", "skip", "error")}
    return {"kind": "parity-conformance", "schema": 1, "run": "20261123T190501Z", "parity_version": "0.1.0",
            "started": "2026-11-23T19:05:01.000Z", "finished": "2026-11-23T19:05:06.000Z", "duration_ms": 5000.0,
            "totals": {"steps": tot, "suites": stot}, "targets": targets}


def dumps(v, depth):
    """Indented to the level of a run or step; anything deeper on one line (small, diffable)."""
    if depth >= 7 or not isinstance(v, (dict, list)) or not v or (isinstance(v, dict) and "repeat" in v) \
            or (isinstance(v, dict) and "phase" in v):
        return json.dumps(v, ensure_ascii=False)
    pad = " " * (depth + 1)
    if isinstance(v, list):
        return "[\n" + ",\n".join(pad + dumps(x, depth + 1) for x in v) + "\n" + " " * depth + "]"
    return "{\n" + ",\n".join(pad + json.dumps(k) + ": " + dumps(x, depth + 1) for k, x in v.items()) + "\n" + " " * depth + "}"


def write(name, conf, b):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    for f, doc in (("conformance.json", conf), ("bench.json", b)):
        with open(os.path.join(d, f), "w") as fh:
            fh.write(dumps(doc, 0) + "\n")


def scaled(k):
    r = copy.deepcopy(RPS)
    for t in r.values():
        for s, v in t.items():
            if isinstance(v, dict):
                t[s] = {c: [x * k for x in xs] for c, xs in v.items()}
    return r


write("run", conformance(True), bench(RPS))
write("base-improve", conformance(True), bench(scaled(0.7)))
noise = copy.deepcopy(RPS)
noise["quill"]["article-read"] = {64: [22000.0, 22500.0, 23000.0]}
write("base-noise", conformance(True), bench(noise))
regress = copy.deepcopy(RPS)
regress["quill"]["plaintext"][64] = [88000.0, 90000.0, 92000.0]
regress["express"]["plaintext"][64] = [16100.0, 16300.0, 16500.0]
write("base-regress", conformance(True), bench(regress))
crash = copy.deepcopy(RPS)
crash["express"]["comment-create"] = {64: [4000.0, 4100.0, 4200.0]}
write("base-crash", conformance(True), bench(crash))
write("base-lost", conformance(False), bench(RPS))
django = copy.deepcopy(RPS)
django["django"] = {"plaintext": {64: [2000.0, 2100.0, 2200.0]}, "article-read": {64: [500.0, 510.0, 520.0]},
                    "comment-create": {64: [300.0, 310.0, 320.0]}}
write("base-django", conformance(True, django_ran=True), bench(django))
