#!/bin/sh
# End to end: `parity bench --target-metrics` against Debian's prometheus-process-exporter on
# loopback, watching the fixture server under a name of its own (a symlink: its comm).
#   1. a target parity starts (so /proc is sampled too): the exporter's CPU seconds, peak RSS
#      and process count for the run agree with parity's own /proc figures (5%, or 2 ticks of
#      CPU), from at least three scrapes (before, during, after);
#   2. a target started by someone else (--url: no /proc for parity): cpu_s, rss_peak_kb,
#      pss_peak_kb and processes of the run are the exporter's (their agreement with /proc: 1.);
#   3. an exporter that does not know the group: exit 3 with the reason.
# usage: prom_e2e.sh PARITY BUILD_DIR
set -eu
PARITY=$1
BUILD=$(cd "$2" && pwd)
PY=/usr/bin/python3
EXPORTER=${PARITY_PROCESS_EXPORTER:-prometheus-process-exporter}
W=$(mktemp -d /tmp/parity-prom-XXXXXX)
PIDS=
cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null || true; done
    rm -rf "$W"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
command -v "$EXPORTER" >/dev/null || fail "$EXPORTER is not installed (Debian: prometheus-process-exporter)"

# A name no other process has: the exporter groups by it.
NAME="pfx$$"
ln -s "$BUILD/tests/fixtures/parity_fixture_server" "$W/$NAME"
mkdir -p "$W/root/specs/bench/scenarios" "$W/root/targets/fixture"
cat >"$W/root/targets/fixture/target.json" <<EOF
{"name": "fixture", "description": "fixture", "language": "c",
 "start": ["$W/$NAME", "--mode", "ready"], "ready": {"path": "/plaintext", "timeout": 10},
 "version": ["/bin/echo", "fixture"], "requires": ["/bin/true"]}
EOF
cat >"$W/root/specs/bench/seed.json" <<'EOF'
{"suite": "seed", "steps": [{"name": "ping", "request": {"method": "GET", "path": "/plaintext"},
 "expect": {"status": 200}}]}
EOF
cat >"$W/root/specs/bench/scenarios/plain.json" <<'EOF'
{"scenario": "plain", "requests": [{"method": "GET", "path": "/plaintext"}], "expect": {"status": 200}}
EOF

free_port() {
    $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
EPORT=$(free_port)
"$EXPORTER" -web.listen-address "127.0.0.1:$EPORT" -procnames "$NAME" -threads=false \
    >"$W/exporter.log" 2>&1 &
PIDS="$PIDS $!"
METRICS="http://127.0.0.1:$EPORT/metrics"
ok=
for _ in $(seq 50); do
    if curl -fsS "$METRICS" >/dev/null 2>&1; then ok=1; break; fi
    sleep 0.1
done
[ -n "$ok" ] || fail "exporter did not answer: $(cat "$W/exporter.log")"

bench() { # OUT [options...]
    out=$1
    shift
    PARITY_ROOT="$W/root" "$PARITY" bench --profile smoke --out "$W/$out" \
        --target-metrics "$METRICS" --target-group "$NAME" "$@" >"$W/$out.log" 2>&1
}

# 1. parity starts the target: /proc and the exporter side by side
bench local --target fixture --duration 3 || fail "local target: $(tail -5 "$W/local.log")"
$PY - "$W/local" "$METRICS" "$NAME" <<'EOF' || fail "local target: exporter vs /proc"
import json, sys
out, url, group = sys.argv[1:]
doc = json.load(open(out + "/bench.json"))
assert doc["settings"]["target_metrics"] == {"url": url, "group": group, "sample_hz": 2}
run = doc["targets"][0]["scenarios"][0]["levels"][0]["runs"][0]
m = run["target_metrics"]
assert m["source"] == url and m["group"] == group and m["failed_scrapes"] == 0, m
assert m["scrapes"] >= 3, m
cpu, mcpu = run["cpu_s"], m["cpu_s"]
assert cpu > 0.1, "too little CPU to compare: %s" % cpu
assert abs(cpu - mcpu) <= max(0.05 * cpu, 0.02), ("cpu_s", cpu, mcpu)
rss, mrss = run["rss_peak_kb"], m["rss_peak_kb"]
assert rss > 0 and abs(rss - mrss) <= 0.05 * rss, ("rss_peak_kb", rss, mrss)
assert m["processes"] == run["processes"] == 1, (m["processes"], run["processes"])
print("ok /proc cpu %.3f s, exporter %.3f s; rss %d KiB, exporter %d KiB" % (cpu, mcpu, rss, mrss))
EOF

# 2. a target started by someone else: the run's resources come from the exporter alone
PORT=0 "$W/$NAME" --mode ready >"$W/fx.log" 2>&1 &
FX=$!
PIDS="$PIDS $FX"
port=
for _ in $(seq 50); do
    port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$W/fx.log")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || fail "fixture server did not start"
bench remote --url "fixture=http://127.0.0.1:$port" --duration 2 ||
    fail "--url target: $(tail -5 "$W/remote.log")"
vmrss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$FX/status")
$PY - "$W/remote" "$vmrss" <<'EOF' || fail "--url target: figures from the exporter"
import json, sys
out, vmrss = sys.argv[1], int(sys.argv[2])
run = json.load(open(out + "/bench.json"))["targets"][0]["scenarios"][0]["levels"][0]["runs"][0]
m = run["target_metrics"]
assert run["cpu_s"] is not None and run["cpu_s"] > 0, run["cpu_s"]
assert abs(run["cpu_s"] - m["cpu_s"]) <= 0.002, (run["cpu_s"], m["cpu_s"])
assert run["processes"] == 1 and run["rss_peak_kb"] > 0, run
assert run["rss_peak_kb"] == m["rss_peak_kb"] > 0, (run["rss_peak_kb"], m["rss_peak_kb"])
assert run["pss_peak_kb"] == m["pss_peak_kb"] > 0, (run["pss_peak_kb"], m["pss_peak_kb"])
# the peak under load is at least what the idle server holds after it (read here)
assert run["rss_peak_kb"] >= 0.95 * vmrss, ("rss", run["rss_peak_kb"], vmrss)
print("ok --url target: cpu %.3f s, rss peak %d KiB (VmRSS after %d KiB)"
      % (run["cpu_s"], run["rss_peak_kb"], vmrss))
EOF

# 3. a group the exporter does not know
set +e
PARITY_ROOT="$W/root" "$PARITY" bench --profile smoke --duration 1 --out "$W/nogroup" \
    --url "fixture=http://127.0.0.1:$port" --target-metrics "$METRICS" --target-group nosuch \
    >"$W/nogroup.log" 2>&1
rc=$?
set -e
[ $rc -eq 3 ] || fail "unknown group: exit $rc, want 3"
grep -q 'no namedprocess_namegroup_\* metrics for group \\"nosuch\\"' "$W/nogroup/bench.json" ||
    fail "unknown group: reason not recorded: $(tail -3 "$W/nogroup.log")"
echo "prom e2e: ok"
