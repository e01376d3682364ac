#!/usr/bin/env bash
# parity diff, end to end on tests/fixtures/diff: two identical targets agree (their random
# tokens and timestamps are normalised by specs/diff/rules.json), and each target with one known
# deviation is reported for exactly that deviation: right endpoint, right category, the odd one
# out named, the difference shown; exit 1 with divergences, 0 without, 2 on a bad rules file.
# usage: diff_e2e.sh PARITY_BINARY BUILD_DIR
set -euo pipefail
parity=$1 build=$2
tests=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
rules="$tests/../specs/diff/rules.json"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export PARITY_ROOT="$tests/fixtures/diff" PARITY_BUILD_DIR="$build"

run() { # run NAME TARGET... -> exit code in $rc, diff.json in $out/NAME
  local name=$1; shift
  local args=()
  for t in "$@"; do args+=(--target "$t"); done
  set +e
  "$parity" diff "${args[@]}" --rules "$rules" --out "$out/$name" --quiet >"$out/$name.stdout" 2>"$out/$name.stderr"
  rc=$?
  set -e
}

check() { # check NAME EXPECTED_RC PYTHON_ASSERTIONS (d = diff.json, divs = its divergences)
  [ "$rc" -eq "$2" ] || { echo "$1: expected exit $2, got $rc"; cat "$out/$1.stderr"; exit 1; }
  /usr/bin/python3 - "$out/$1/diff.json" "$1" <<PY
import json, sys
d = json.load(open(sys.argv[1])); divs = d["divergences"]; name = sys.argv[2]
odd = lambda x: sorted(t for o in x["odd"] for t in o["targets"])
try:
$3
except AssertionError as e:
    print(name, "failed:", e); print(json.dumps(divs, indent=1)[:3000]); sys.exit(1)
print(f"diff e2e {name}: ok ({len(divs)} divergences)")
PY
}

run same diff-a diff-b
check same 0 '    assert divs == [], "identical targets must agree"
    assert d["categories"]["suite"]["requests"] == 3
    assert all(c in d["categories"] for c in ("query", "empty", "huge", "body", "method"))'

run status diff-a diff-b diff-status
check status 1 '    assert divs, "the status deviation must be found"
    assert all(odd(x) == ["diff-status"] and x["endpoint"] == "GET /items" for x in divs), divs
    assert any(x["category"] == "suite" and x["odd"][0]["difference"].startswith("line 1: 202") for x in divs)'

run header diff-a diff-b diff-header
check header 1 '    assert divs
    assert all(odd(x) == ["diff-header"] and x["endpoint"] == "GET /items" for x in divs), divs
    assert all("content-type: text/plain" in x["odd"][0]["difference"] for x in divs)'

run method diff-a diff-b diff-method
check method 1 '    assert divs
    assert all(x["category"] == "method" and "PATCH" in x["request"] for x in divs), divs
    assert all(odd(x) == ["diff-method"] for x in divs)'

run body diff-a diff-b diff-body
check body 1 '    assert divs
    assert all(x["endpoint"] == "GET /items/1" and odd(x) == ["diff-body"] for x in divs), divs
    assert all("Bob" in x["odd"][0]["difference"] for x in divs)
    assert any(x["category"] == "suite" for x in divs)'

printf '{"rules": [{"mask_key": "token"}]}\n' >"$out/bad-rules.json"
set +e
"$parity" diff --target diff-a --target diff-b --rules "$out/bad-rules.json" --out "$out/bad" 2>"$out/bad.err"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q 'rule 1 has no "reason"' "$out/bad.err" || { echo "bad rules: rc $rc"; cat "$out/bad.err"; exit 1; }
echo "diff e2e: a rule without a reason is refused (exit 2)"
