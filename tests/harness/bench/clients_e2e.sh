#!/bin/sh
# End to end: `parity bench --client` against the fixture server (never a speed threshold).
#   1. two `local` clients: the merged run equals the sum of the two clients' own wrk outputs
#      (requests, bytes, errors, histogram bucket by bucket, each client's histogram with wrk's
#      coordinated-omission correction undone, here in Python with that client's interval) and
#      its percentiles equal those of the concatenated samples (the reference is computed here
#      from the clients' raw files; averaging the two clients' percentiles would not pass);
#   2. one `local` client: the same, and the rank rule applied to wrk's own (corrected)
#      histogram gives wrk's own figures (so the percentile rule is wrk's);
#   3. an ssh client through a stand-in ssh ($PARITY_SSH, which runs the remote command here):
#      ssh is called with BatchMode, the port and the destination, and its results merge;
#   4. a missing ssh binary and an unreachable host: exit 3, the client named, before any load.
# usage: clients_e2e.sh PARITY BUILD_DIR
set -eu
PARITY=$1
BUILD=$(cd "$2" && pwd)
PY=/usr/bin/python3
W=$(mktemp -d /tmp/parity-clients-XXXXXX)
FX=
cleanup() {
    [ -n "$FX" ] && kill "$FX" 2>/dev/null || true
    rm -rf "$W"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

mkdir -p "$W/root/specs/bench/scenarios" "$W/root/targets"
cat >"$W/root/specs/bench/seed.json" <<'EOF'
{"suite": "seed", "steps": [{"name": "ping", "request": {"method": "GET", "path": "/plaintext"},
 "expect": {"status": 200}}]}
EOF
cat >"$W/root/specs/bench/scenarios/plain.json" <<'EOF'
{"scenario": "plain", "requests": [{"method": "GET", "path": "/plaintext"}], "expect": {"status": 200}}
EOF

PORT=0 "$BUILD/tests/fixtures/parity_fixture_server" --mode ready >"$W/fx.log" 2>&1 &
FX=$!
port=
for _ in $(seq 50); do
    port=$(sed -n 's/.*listening on [0-9.]*:\([0-9]*\).*/\1/p' "$W/fx.log")
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || fail "fixture server did not start: $(cat "$W/fx.log")"
URL="http://127.0.0.1:$port"

bench() { # OUT [options...]
    out=$1
    shift
    PARITY_ROOT="$W/root" "$PARITY" bench --url "fixture=$URL" --profile smoke --duration 1 \
        --out "$W/$out" "$@" >"$W/$out.log" 2>&1
}

# The checks on one bench.json: merged == sum of the clients' raw outputs, percentiles from the
# concatenated samples with wrk's rule, each client's connections adding up to the level.
cat >"$W/check.py" <<'EOF'
import json, math, sys
out, nclients = sys.argv[1], int(sys.argv[2])
doc = json.load(open(out + "/bench.json"))
run = doc["targets"][0]["scenarios"][0]["levels"][0]["runs"][0]
assert doc["settings"]["clients"] == sys.argv[3:], doc["settings"]["clients"]
assert len(run["clients"]) == nclients, run["clients"]
raws = [json.load(open("%s/wrk/fixture-plain-c16-r1.client%d.json" % (out, i + 1)))
        for i in range(nclients)]
assert sum(c["connections"] for c in run["clients"]) == 16
for k in ("requests", "bytes"):
    assert run[k] == sum(r[k] for r in raws), (k, run[k], [r[k] for r in raws])
for k in ("connect", "read", "write", "timeout", "status"):
    assert run["errors"][k] == sum(r["errors"][k] for r in raws), k
assert run["duration_s"] == round(max(r["duration_us"] for r in raws) / 1e6, 3)
def recorded(r, conns):  # wrk 4's stats_correct undone: before[m] = after[m] - after[m + e]
    h = dict((v, n) for v, n in r["histogram"])
    per = r["requests"] // conns
    e = r["duration_us"] // per if per else 0
    out = {v: n - (h.get(v + e, 0) if e and v > e else 0) for v, n in h.items()}
    assert min(out.values(), default=0) >= 0, "not a wrk correction"
    return {v: n for v, n in out.items() if n}
def rank_rule(samples, p):  # wrk's rank rule on sorted samples
    rank = max(1, min(len(samples), math.floor(p / 100 * len(samples) + 0.5 + 0.5)))
    return samples[rank - 1]
merged = {}
samples = []
for c, r in zip(run["clients"], raws):
    rec = recorded(r, c["connections"])
    assert r["requests"] - r["errors"]["timeout"] <= sum(rec.values()) <= r["requests"]
    assert c["wrk_reported"]["synthetic_samples"] == sum(n for _, n in r["histogram"]) - sum(rec.values())
    for v, n in rec.items():
        merged[v] = merged.get(v, 0) + n
        samples += [v] * n
    own = sorted(v for v, n in r["histogram"] for _ in range(n))  # wrk's corrected samples
    for p in (50, 99):  # the rule reproduces wrk's own figures from its own histogram
        assert rank_rule(own, p) == r["latency_us"]["p%d" % p], (p, rank_rule(own, p))
        assert c["wrk_reported"]["p%d_us" % p] == r["latency_us"]["p%d" % p]
assert sorted(merged.items()) == [tuple(x) for x in run["histogram"]], "histogram is not the bucket sum"
assert run["latency_count"] == len(samples) > 0
samples.sort()
for p in (50, 75, 90, 99, 99.9, 99.99):
    key = "p" + str(p).replace(".", "_")
    assert run["latency_us"][key] == rank_rule(samples, p), (key, run["latency_us"][key], rank_rule(samples, p))
assert run["latency_us"]["min"] == samples[0] and run["latency_us"]["max"] == samples[-1]
assert run["wrk_reported"]["synthetic_samples"] == sum(c["wrk_reported"]["synthetic_samples"] for c in run["clients"])
for c, r in zip(run["clients"], raws):
    assert c["requests"] == r["requests"]
    assert c["latency_us"]["count"] == sum(recorded(r, c["connections"]).values())
    assert 0 <= c["wrk_cpu_util"] and isinstance(c["client_bound"], bool) and c["cpus"] >= 1
    assert c["wrk_cpu_s"] > 0, "no CPU time read for the client's wrk"
print("ok", out, run["requests"], "requests,", len(samples), "latencies")
EOF

# 1. two local clients
bench two --client local --client local || fail "two local clients: $(tail -5 "$W/two.log")"
$PY "$W/check.py" "$W/two" 2 local local || fail "two local clients: merge"

# 2. one local client
bench one --client local || fail "one local client: $(tail -5 "$W/one.log")"
$PY "$W/check.py" "$W/one" 1 local || fail "one local client: merge"

# 3. a stand-in ssh: drops ssh's options, logs them, prints what a chatty login shell might
#    (a line ending in "ready" is not the barrier's line), runs the remote command line here
cat >"$W/fake-ssh" <<EOF
#!/bin/sh
echo "\$@" >>"$W/ssh.args"
while [ "\$1" != "--" ]; do shift; done
shift 2
echo "Welcome to load-1: the system is ready"
exec /bin/sh -c "\$*"
EOF
chmod +x "$W/fake-ssh"
PARITY_SSH="$W/fake-ssh" bench ssh --client ssh://bench@load-1:2222 --client local ||
    fail "ssh client: $(tail -5 "$W/ssh.log")"
$PY "$W/check.py" "$W/ssh" 2 ssh://bench@load-1:2222 local || fail "ssh client: merge"
grep -q -- "-o BatchMode=yes .*-p 2222 -- bench@load-1 sh -c" "$W/ssh.args" ||
    fail "ssh called as: $(cat "$W/ssh.args")"

# 4. no ssh binary; an unreachable host (ssh's own exit 255)
set +e
PARITY_SSH=/nonexistent/ssh bench nossh --client ssh://load-2
rc=$?
set -e
[ $rc -eq 3 ] || fail "missing ssh: exit $rc, want 3"
grep -q "client ssh://load-2: ssh or wrk could not be started" "$W/nossh.log" ||
    fail "missing ssh: $(cat "$W/nossh.log")"
printf '#!/bin/sh\necho "ssh: connect to host load-3 port 22: Connection refused" >&2\nexit 255\n' \
    >"$W/down-ssh"
chmod +x "$W/down-ssh"
set +e
PARITY_SSH="$W/down-ssh" bench down --client local --client ssh://load-3
rc=$?
set -e
[ $rc -eq 3 ] || fail "unreachable host: exit $rc, want 3"
grep -q "client ssh://load-3: ssh failed (host unreachable or key refused?) (exit 255): ssh: connect" \
    "$W/down.log" || fail "unreachable host: $(cat "$W/down.log")"
[ ! -e "$W/down/bench.json" ] || fail "unreachable host: a run started anyway"
echo "clients e2e: ok"
