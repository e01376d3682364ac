#!/usr/bin/python3
"""Builds the baseline-gate fixtures of tests/harness/report/test_report_baseline.c from two
RECORDED runs of `parity bench --target quill --scenario json --scenario article-read --profile
quick` on the project machine (2 vCPUs shared with other helpers' builds, load average 10-20):

  recorded-3/   a quick run (3 repetitions), histograms stripped
  split-a/, split-b/   one run of 6 repetitions split into its odd and even repetitions: an
                A/A comparison under the same machine state (the repetitions were interleaved)
  drop10/       recorded-3 with every repetition's successful req/s lowered by 10%
  p99x2/        recorded-3 with every repetition's p99 doubled
  single/, single-40/, single-p99x2/   the first repetition of recorded-3 alone (as the smoke
                profile measures), the same with req/s lowered by 40%, and with p99 doubled: the
                gate without a test

usage: make_aa.py RECORDED_3_BENCH_JSON RECORDED_6_BENCH_JSON (writes next to this file)."""
import copy, json, os, statistics, sys

here = os.path.dirname(os.path.abspath(__file__))


def spread(vals):
    s = sorted(vals)
    n = len(s)
    med = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    o = {"median": med, "min": s[0], "max": s[-1], "n": n}
    o["cv_pct"] = round(100 * statistics.stdev(s) / statistics.mean(s), 3) if n >= 2 else None
    o["unstable"] = bool(n >= 2 and o["cv_pct"] > 5)
    return o


def resummarise(doc):
    for t in doc["targets"]:
        for s in t.get("scenarios", []):
            for lv in s.get("levels", []):
                runs = lv["runs"]
                for r in runs:
                    r.pop("histogram", None)
                sm = lv["summary"]
                sm["runs"] = len(runs)
                sm["rps"] = spread([r["rps"] for r in runs])
                sm["p99_us"] = spread([r["latency_us"]["p99"] for r in runs])
                sm["unstable"] = sm["rps"]["unstable"] or sm["p99_us"]["unstable"]


def write(name, doc):
    os.makedirs(os.path.join(here, name), exist_ok=True)
    resummarise(doc)
    with open(os.path.join(here, name, "bench.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


def main():
    rec3 = json.load(open(sys.argv[1]))
    rec6 = json.load(open(sys.argv[2]))
    write("recorded-3", copy.deepcopy(rec3))
    for name, parity in (("split-a", 1), ("split-b", 0)):
        d = copy.deepcopy(rec6)
        for t in d["targets"]:
            for s in t.get("scenarios", []):
                for lv in s.get("levels", []):
                    lv["runs"] = [r for r in lv["runs"] if r["repeat"] % 2 == parity]
        write(name, d)
    d = copy.deepcopy(rec3)
    for t in d["targets"]:
        for s in t.get("scenarios", []):
            for lv in s.get("levels", []):
                for r in lv["runs"]:
                    r["rps"] = round(r["rps"] * 0.9, 3)
    write("drop10", d)
    d = copy.deepcopy(rec3)
    for t in d["targets"]:
        for s in t.get("scenarios", []):
            for lv in s.get("levels", []):
                for r in lv["runs"]:
                    r["latency_us"]["p99"] *= 2
    write("p99x2", d)
    for name, factor in (("single", 1.0), ("single-40", 0.6)):
        d = copy.deepcopy(rec3)
        for t in d["targets"]:
            for s in t.get("scenarios", []):
                for lv in s.get("levels", []):
                    lv["runs"] = [r for r in lv["runs"] if r["repeat"] == 1]
                    for r in lv["runs"]:
                        r["rps"] = round(r["rps"] * factor, 3)
        write(name, d)
    d = copy.deepcopy(rec3)
    for t in d["targets"]:
        for s in t.get("scenarios", []):
            for lv in s.get("levels", []):
                lv["runs"] = [r for r in lv["runs"] if r["repeat"] == 1]
                for r in lv["runs"]:
                    r["latency_us"]["p99"] *= 2
    write("single-p99x2", d)


main()
