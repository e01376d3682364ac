#!/usr/bin/python3
"""summarize.py BENCH_JSON...: one line per target and scenario of parity bench runs.

For each measured run: requests/s, the target's CPU microseconds per request (cpu_s / requests,
meaningful on a shared machine where throughput is not) and p99. Per scenario: the median and
the coefficient of variation (stdev / mean) of req/s and of CPU us/request over the repetitions.
Exit 2 on a missing or malformed file."""
import json
import statistics
import sys


def cv(xs):
    if len(xs) < 2 or statistics.mean(xs) == 0:
        return 0.0
    return statistics.stdev(xs) / statistics.mean(xs) * 100


def main(paths):
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    print("| run | target | scenario | req/s per run | req/s median | CV req/s | CPU us/req per run "
          "| CPU us/req median | CV CPU | p99 ms median | errors |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for path in paths:
        try:
            with open(path) as f:
                b = json.load(f)
        except (OSError, ValueError) as e:
            print(f"summarize: {path}: {e}", file=sys.stderr)
            return 2
        for t in b["targets"]:
            for s in t.get("scenarios", []):
                for lv in s.get("levels", []):
                    runs = lv["runs"]
                    rps = [r["rps"] for r in runs]
                    us = [r["cpu_s"] / r["requests"] * 1e6 for r in runs if r["requests"]]
                    p99 = [r["latency_us"]["p99"] / 1000 for r in runs]
                    errs = sum(r["errors"]["total"] for r in runs)
                    print(f"| {b['run_id']} | {t['name']} | {s['name']} (c={lv['connections']}) | "
                          f"{', '.join(f'{x:.0f}' for x in rps)} | {statistics.median(rps):.0f} | "
                          f"{cv(rps):.1f}% | {', '.join(f'{x:.1f}' for x in us)} | "
                          f"{statistics.median(us):.1f} | {cv(us):.1f}% | "
                          f"{statistics.median(p99):.2f} | {errs} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
