#!/usr/bin/env python3
"""Writes bench.json here: a bench run with open-loop results only (parity bench --rates), two
targets on article-read. quill is ok up to 2000/s (4000/s not sustained); flask is ok at no rate
(p99 over the SLO at 100/s, not sustained above). Histograms are a few buckets each, enough for
the spectra. Used by tests/harness/report/test_report_openloop.c."""
import json
import os


def rate(target, achieved, p50, p99, ok, sustained, unc99, timeouts=0):
    hc = [[p50 * 0.5, 400], [p50, 500], [p99 * 0.9, 90], [p99, 9], [p99 * 1.5, 1]]
    hu = [[p50 * 0.5, 450], [p50 * 0.8, 500], [unc99, 49], [unc99 * 1.2, 1]]
    pct = lambda a, b, c: {"p50": a, "p75": a * 1.2, "p90": b * 0.8, "p99": b, "p99_9": b * 1.3,
                           "p99_99": c, "max": c, "mean": a, "count": 1000}
    return {"target_rps": target, "fraction": None, "runs": 1, "duration_s": 2,
            "achieved_rps": achieved, "send_rps": achieved, "sustained": sustained, "ok": ok,
            "scheduled": int(target * 2), "sent": int(achieved * 2),
            "completed": int(achieved * 2), "timeouts": timeouts, "inflight_at_end": 0,
            "unsent_at_end": timeouts, "dropped": 0, "max_backlog": 0 if ok else 812,
            "reconnects": 0, "created": 0,
            "errors": {"connect": 0, "read": 0, "write": 0, "status": 0}, "engine_cpu_s": 0.1,
            "corrected_us": pct(p50, p99, p99 * 1.5),
            "uncorrected_us": pct(p50 * 0.8, unc99, unc99 * 1.2),
            "send_lag_us": pct(20, 80, 130),
            "histogram_corrected": hc, "histogram_uncorrected": hu}


def sweep(rates, best):
    return {"arrivals": "uniform", "policy": "queue", "slo_ms": 100, "connections": 64,
            "duration_s": 2, "repeat": 1, "rates_from": "--rates", "closed_loop_max_rps": None,
            "rates": rates, "max_sustained_rps": best}


def scenario(o):
    return {"name": "article-read", "description": "GET /api/articles/{slug}", "status": "ok",
            "error": None, "commands": {}, "levels": [], "open": o}


quill = sweep([rate(100, 100, 300, 900, True, True, 800),
               rate(1000, 1000, 400, 2500, True, True, 1500),
               rate(2000, 1998, 900, 40000, True, True, 5000),
               rate(4000, 3100, 250000, 900000, False, False, 6000, 500)], 2000)
flask = sweep([rate(100, 96, 40000, 180000, False, True, 90000),
               rate(1000, 450, 600000, 1900000, False, False, 150000, 900),
               rate(2000, 460, 900000, 2900000, False, False, 160000, 2400)], None)
doc = {"kind": "parity-bench", "format": 1, "run_id": "20261206T100000Z", "profile": "smoke",
       "settings": {"duration_s": 2, "repeat": 1, "primer_s": 1, "warmup_s": 1},
       "targets": [{"name": "quill", "status": "ok", "error": None, "version": "quill 0.1",
                    "scenarios": [scenario(quill)]},
                   {"name": "flask", "status": "ok", "error": None, "version": "Flask 2.2",
                    "scenarios": [scenario(flask)]}]}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.json"), "w") as f:
    json.dump(doc, f, indent=1)
    f.write("\n")
