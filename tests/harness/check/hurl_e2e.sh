#!/usr/bin/env bash
# parity check --hurl, end to end on the fixture server: each file of
# tests/fixtures/hurl/deviations/ expects the correct answer from a route with exactly one
# deviation, so each must fail at the line its comment names, and the control file must pass;
# exit status 1. Then the same reader must refuse an unsupported construct with exit 2 and
# file:line:col. usage: hurl_e2e.sh PARITY_BINARY BUILD_DIR
set -euo pipefail
parity=$1 build=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set +e
PARITY_ROOT="$root/fixtures" PARITY_BUILD_DIR="$build" "$parity" check --target fixture \
  --hurl "$root/fixtures/hurl/deviations" --out "$out/run" --quiet >"$out/stdout" 2>"$out/stderr"
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "expected exit 1, got $rc"; cat "$out/stderr"; exit 1; }
/usr/bin/python3 - "$out/run/conformance.json" "$root/fixtures/hurl/deviations" <<'PY'
import json, re, sys, os
run = json.load(open(sys.argv[1]))
suites = {s["name"]: s for s in run["targets"][0]["suites"]}
files = sorted(f[:-5] for f in os.listdir(sys.argv[2]) if f.endswith(".hurl"))
assert sorted(suites) == files, (sorted(suites), files)
for name, s in suites.items():
    text = open(os.path.join(sys.argv[2], name + ".hurl")).read()
    if name == "ok":
        assert s["status"] == "pass", (name, s["status"], s["steps"])
        continue
    want = int(re.search(r"fails at line (\d+)", text).group(1))
    assert s["status"] == "fail", (name, s["status"])
    fails = [f for st in s["steps"] for f in st["failures"]]
    assert len(fails) == 1, (name, fails)
    assert fails[0]["file"].endswith(name + ".hurl") and fails[0]["line"] == want, (name, fails[0])
print(f"hurl e2e: {len(suites) - 1} deviations each failed at their line, control passed")
PY
printf 'GET {{host}}/ok/user\nHTTP 200\n[Asserts]\nsha256 == "x"\n' >"$out/bad.hurl"
set +e
PARITY_ROOT="$root/fixtures" "$parity" check --target fixture --hurl "$out/bad.hurl" 2>"$out/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "unsupported query: expected exit 2, got $rc"; exit 1; }
grep -q "bad.hurl:4:1: query sha256 is not supported" "$out/err" || { cat "$out/err"; exit 1; }
echo "hurl e2e: unsupported construct refused with exit 2 at file:line:col"
