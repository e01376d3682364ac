"""One line per (target, scenario, run) of a parity bench.json: the figures the
reference targets' READMEs quote (req/s, latency percentiles, target CPU
seconds, requests per CPU-second of the target, RSS peak, errors; on a shared
machine req/cpu-s moves less than req/s). Usage: bench_summary.py LABEL bench.json...
The label (e.g. "before", "after") starts every line so that two runs made in
the same time window can be kept side by side in one committed text file."""
import json
import sys


def _num(value, width, scale=1.0, digits=0):
    """A right-aligned figure, or "-" where parity measured none (--url targets)."""
    return f"{value / scale:>{width}.{digits}f}" if value is not None else f"{'-':>{width}}"


def main(argv):
    if len(argv) < 3:
        print("usage: bench_summary.py LABEL bench.json...", file=sys.stderr)
        return 2
    label = argv[1]
    print(f"{'label':8} {'target':12} {'scenario':15} {'conn':>4} {'req/s':>8} {'p50 ms':>8} {'p90 ms':>8} "
          f"{'p99 ms':>8} {'max ms':>8} {'cpu s':>6} {'req/cpu-s':>9} {'rss MiB':>7} {'err':>4}")
    for path in argv[2:]:
        with open(path, encoding="utf-8") as handle:
            bench = json.load(handle)
        for target in bench["targets"]:
            for scenario in target.get("scenarios", []):
                for level in scenario.get("levels", []):
                    for run in level.get("runs", []):
                        lat = run["latency_us"]
                        print(f"{label:8} {target['name']:12} {scenario['name']:15} {level['connections']:>4} "
                              f"{run['rps']:>8.0f} {lat['p50'] / 1000:>8.1f} {lat['p90'] / 1000:>8.1f} "
                              f"{lat['p99'] / 1000:>8.1f} {lat['max'] / 1000:>8.1f} {_num(run.get('cpu_s'), 6, digits=2)} "
                              f"{_num(run.get('rps_per_cpu_s'), 9)} {_num(run.get('rss_peak_kb'), 7, 1024)} "
                              f"{run['errors']['total']:>4}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
