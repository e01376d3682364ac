#!/usr/bin/env bash
# web_selftest.sh: web_flow.mjs must fail (exit 1) and name the defect against a web app that gets
# section 7 wrong (fixtures/broken_web.mjs), else the browser test of the five targets could pass
# on a broken app. usage: web_selftest.sh DIR_OF_web_flow.mjs
set -uo pipefail
here=${1:?usage: web_selftest.sh DIR}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [ -n "${fx:-}" ] && kill "$fx" 2>/dev/null' EXIT
failures=0
check() { # MODE EXPECTED_MESSAGE
    local url rc out
    exec 3> >(exec node "$here/fixtures/broken_web.mjs" "$1" >"$tmp/url" 2>&1)
    fx=$!
    for _ in $(seq 100); do [ -s "$tmp/url" ] && break; sleep 0.1; done
    url=$(head -1 "$tmp/url")
    out=$(timeout 120 node "$here/web_flow.mjs" --url "$url" --out "$tmp/shots" "broken-$1" 2>&1)
    rc=$?
    exec 3>&-
    printf '%s\n' "$out"
    [ "$rc" -eq 1 ] || { echo "web selftest $1: exit $rc, expected 1" >&2; failures=$((failures + 1)); }
    grep -qF -- "$2" <<<"$out" || { echo "web selftest $1: not reported: $2" >&2; failures=$((failures + 1)); }
    : >"$tmp/url"
}
check noflash 'FAIL broken-noflash register: flash messages [], expected exactly ["Signed in."]'
check nonav 'FAIL broken-nonav home: the signed-out nav does not link /login and /register'
echo "web selftest: $failures failure(s)"
[ "$failures" -eq 0 ]
