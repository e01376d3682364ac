#!/usr/bin/env bash
# The private PostgreSQL cluster of `parity check --db postgres` (harness/db, issue 24) never
# outlives parity. With the probe targets of tests/harness/db/root (pg-probe reports the database
# it was given; pg-crash exits with status 3 on its first request):
# 1. SIGKILL of parity while a target runs: the postmaster dies with it (PR_SET_PDEATHSIG), no
#    process of the cluster is left; its directory stays until
# 2. the next run, which removes it (its owner is dead) and passes: the target got a working
#    DATABASE_URL to a fresh UTF8 / C database named parity_<pid>_<n>_pg_probe; a target crash
#    (pg-crash) is reported (exit 3); conformance.json records the server's settings; after
#    parity exits no process and no directory of the cluster is left;
# 3. SIGINT at a random moment (during initdb, the server's start-up or the suites): exit 130,
#    nothing left.
# Each case gets its own TMPDIR, so "left" means: a process whose command line names it, or a
# parity.pg-* entry in it.
# usage: pg_lifecycle.sh PARITY_BINARY
set -euo pipefail
parity=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base=$(mktemp -d)
trap 'rm -rf "$base"' EXIT
chmod 755 "$base" # as root the cluster runs as `postgres`, which must reach its directory
export PARITY_ROOT="$here/root" NO_COLOR=1

fail() { echo "pg-lifecycle: FAIL: $*"; exit 1; }
# No process of a cluster under $1 (postgres writes its -D path on its command line).
no_processes() {
  local i
  for i in $(seq 1 100); do
    pgrep -f -- "$1/parity.pg-" >/dev/null || return 0
    sleep 0.1
  done
  pgrep -af -- "$1/parity.pg-" || true
  return 1
}
no_dirs() { ! compgen -G "$1/parity.pg-*" >/dev/null; }

# 1. SIGKILL while the target runs (the slow suite takes ~12 s once the target is up).
tmp1=$base/t1
mkdir -p "$tmp1"
TMPDIR=$tmp1 "$parity" check --db postgres --target pg-probe --spec "$here/root/specs/slow" \
  --out "$base/o1" --quiet >/dev/null 2>"$base/o1.err" &
pid=$!
for i in $(seq 1 300); do # until the cluster is up and the target started
  grep -q "a fresh database" "$base/o1.err" 2>/dev/null && [ -e "$base/o1/logs/pg-probe.log" ] &&
    break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
grep -q "a fresh database" "$base/o1.err" || fail "the cluster did not start: $(cat "$base/o1.err")"
sleep 1
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
no_processes "$tmp1" || fail "a postgres process outlived parity's SIGKILL"
compgen -G "$tmp1/parity.pg-*" >/dev/null || fail "expected the SIGKILLed run's directory to stay"
echo "pg-lifecycle: SIGKILL of parity: the cluster died with it (PDEATHSIG)"

# 2. A normal run in the same TMPDIR: the leftover is swept; a working DATABASE_URL; a crash.
set +e
TMPDIR=$tmp1 "$parity" check --db postgres --spec "$here/root/specs/pg" --out "$base/o2" \
  --quiet >/dev/null 2>"$base/o2.err"
rc=$?
set -e
[ "$rc" -eq 3 ] || { cat "$base/o2.err"; fail "expected exit 3 (pg-crash crashed), got $rc"; }
no_processes "$tmp1" || fail "a postgres process outlived a normal exit"
no_dirs "$tmp1" || fail "a cluster directory is left after a normal exit: $(ls "$tmp1")"
/usr/bin/python3 - "$base/o2/conformance.json" <<'PY'
import json, sys
run = json.load(open(sys.argv[1]))
db = run["database"]
assert db["kind"] == "postgres" and db["mode"] == "private", db
assert db["version"].startswith("15."), db
assert db["fsync"] == "on" and db["synchronous_commit"] == "on", db
assert db["max_connections"] == "200", db
t = {x["name"]: x for x in run["targets"]}
assert t["pg-probe"]["status"] == "pass", t["pg-probe"]
assert t["pg-crash"]["status"] == "error" and "status 3" in t["pg-crash"]["error"], t["pg-crash"]
PY
echo "pg-lifecycle: normal exit: stale dir swept, fresh UTF8/C database per target, crash reported, nothing left"

# 3. SIGINT at a random moment between 0.2 s and ~10 s.
tmp3=$base/t3
mkdir -p "$tmp3"
delay=$(/usr/bin/python3 -c "import random; print(round(random.uniform(0.2, 10), 1))")
TMPDIR=$tmp3 "$parity" check --db postgres --target pg-probe --spec "$here/root/specs/slow" \
  --out "$base/o3" --quiet >/dev/null 2>"$base/o3.err" &
pid=$!
sleep "$delay"
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" -eq 130 ] || { cat "$base/o3.err"; fail "expected exit 130 after SIGINT at ${delay}s, got $rc"; }
no_processes "$tmp3" || fail "a postgres process outlived Ctrl-C at ${delay}s"
no_dirs "$tmp3" || fail "a cluster directory is left after Ctrl-C at ${delay}s: $(ls "$tmp3")"
echo "pg-lifecycle: SIGINT at ${delay}s: exit 130, nothing left"
