#!/usr/bin/env bash
# serve_e2e.sh: `parity serve` against the fixture target fx (tests/faults/root): the URL is the only
# stdout line and answers; --for bounds it (exit 0, the target gone); --stdin stops it at end of
# file; SIGINT stops the target too; usage errors exit 2; a target that crashes while served is exit 3.
# usage: serve_e2e.sh PARITY BUILD_DIR SOURCE_DIR
set -uo pipefail
parity=$1 build=$2 src=$3
export PARITY_ROOT=$src/tests/faults/root PARITY_BUILD_DIR=$build NO_COLOR=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL $*" >&2; failures=$((failures + 1)); }
wait_url() { for _ in $(seq 200); do [ -s "$tmp/out" ] && return 0; sleep 0.05; done; return 1; }
group_gone() { ! ps -e -o pgid= | grep -qw "$1"; }

# --for: up 2 s, answers, then exit 0 and nothing left.
timeout 60 "$parity" serve fx --for 2 --log "$tmp/fx.log" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_url || fail "--for: no URL on stdout ($(cat "$tmp/err"))"
url=$(head -1 "$tmp/out")
[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "--for: stdout has more than the URL: $(cat "$tmp/out")"
[[ $url =~ ^http://127\.0\.0\.1:[0-9]+$ ]] || fail "--for: '$url' is not a loopback URL"
curl -sf "$url/plaintext" >/dev/null || fail "--for: $url/plaintext does not answer"
tpid=$(sed -n 's/^fixture: mode ready, pid \([0-9]*\)$/\1/p' "$tmp/fx.log")
wait "$pid"; rc=$?
[ "$rc" -eq 0 ] || fail "--for: exit $rc, expected 0 ($(cat "$tmp/err"))"
[ -n "$tpid" ] && ! kill -0 "$tpid" 2>/dev/null || fail "--for: the target (pid $tpid) is still alive"

# --stdin: end of file on stdin stops it well before --for.
: >"$tmp/out"
start=$(date +%s)
(sleep 1) | timeout 60 "$parity" serve fx --stdin --for 50 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "--stdin: exit $rc, expected 0 ($(cat "$tmp/err"))"
[ $(($(date +%s) - start)) -lt 20 ] || fail "--stdin: end of file did not stop it"

# SIGINT: exit 130 and the target stopped.
: >"$tmp/out"
timeout 60 "$parity" serve fx --for 50 --log "$tmp/fx2.log" >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_url || fail "SIGINT: no URL"
tpid=$(sed -n 's/^fixture: mode ready, pid \([0-9]*\)$/\1/p' "$tmp/fx2.log")
kill -INT "$(ps -o pid= --ppid "$pid" | tr -d ' ' | head -1)"
wait "$pid"; rc=$?
[ "$rc" -eq 130 ] || fail "SIGINT: exit $rc, expected 130"
sleep 0.3
[ -n "$tpid" ] && ! kill -0 "$tpid" 2>/dev/null || fail "SIGINT: the target (pid $tpid) is still alive"

# A crash while served: exit 3, named.
: >"$tmp/out"
timeout 60 "$parity" serve fx --for 50 >"$tmp/out" 2>"$tmp/err" &
pid=$!
wait_url || fail "crash: no URL"
curl -s "$(head -1 "$tmp/out")/dev/crash" >/dev/null
wait "$pid"; rc=$?
[ "$rc" -eq 3 ] || fail "crash: exit $rc, expected 3"
grep -q "target fx .* while serving" "$tmp/err" || fail "crash: not reported: $(cat "$tmp/err")"

# Usage errors: exit 2, named.
"$parity" serve nosuch >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown target 'nosuch'" "$tmp/err" || fail "unknown target: exit $rc, $(cat "$tmp/err")"
"$parity" serve fx --for 0 >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--for wants seconds" "$tmp/err" || fail "--for 0: exit $rc, $(cat "$tmp/err")"
"$parity" serve >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "no target: exit $rc"

echo "serve: $failures failure(s)"
[ "$failures" -eq 0 ]
