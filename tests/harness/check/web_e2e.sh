#!/usr/bin/env bash
# The web-suite features of the spec format end to end on the fixture server's /web/ app
# (tests/fixtures/specs/web*, specs/README.md "Web suites: cookies, forms, redirects"):
# 1. tests/fixtures/specs/web passes with --jobs 1 (one client runs every suite in turn, so
#    web-isolation proves that jars are emptied between suites), and so does the Hurl file of
#    tests/fixtures/hurl/web;
# 2. each suite of tests/fixtures/specs/web-fail has exactly one wrong expectation (a cookie
#    attribute, a jar that must not hold a cookie, a redirect chain that must break) and must fail
#    at the line:col and with the message its description names; exit status 1;
# 3. a suite variable named like a target's var (target.json "vars") is a spec error naming both
#    files, exit 2, nothing run.
# usage: web_e2e.sh PARITY_BINARY BUILD_DIR
set -euo pipefail
parity=$1 build=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export PARITY_ROOT="$root/fixtures" PARITY_BUILD_DIR="$build" NO_COLOR=1

"$parity" check --target fixture --jobs 1 --spec "$root/fixtures/specs/web" --out "$out/ok" \
  --quiet 2>"$out/ok.err" || { echo "web suites: expected exit 0"; cat "$out/ok.err"; exit 1; }
echo "web e2e: tests/fixtures/specs/web passes (jars isolated between suites)"
"$parity" check --target fixture --hurl "$root/fixtures/hurl/web" --out "$out/hurl" --quiet \
  2>"$out/hurl.err" || { echo "web Hurl file: expected exit 0"; cat "$out/hurl.err"; exit 1; }
echo "web e2e: tests/fixtures/hurl/web passes (a jar per Hurl file, location, max-redirs)"

set +e
"$parity" check --target fixture --spec "$root/fixtures/specs/web-fail" --out "$out/fail" \
  --quiet >/dev/null 2>"$out/fail.err"
rc=$?
set -e
[ "$rc" -eq 1 ] || { echo "web-fail: expected exit 1, got $rc"; cat "$out/fail.err"; exit 1; }
/usr/bin/python3 - "$out/fail/conformance.json" "$root/fixtures/specs/web-fail" <<'PY'
import json, os, re, sys
run = json.load(open(sys.argv[1]))
suites = {s["name"]: s for s in run["targets"][0]["suites"]}
files = sorted(f[:-5] for f in os.listdir(sys.argv[2]) if f.endswith(".json"))
assert sorted(suites) == files, (sorted(suites), files)
for name, s in suites.items():
    desc = json.load(open(os.path.join(sys.argv[2], name + ".json")))["description"]
    m = re.search(r"fails at line (\d+):(\d+) with: (.*)$", desc)
    assert m, (name, desc)
    line, col, msg = int(m.group(1)), int(m.group(2)), m.group(3)
    assert s["status"] == "fail", (name, s["status"])
    fails = [f for st in s["steps"] for f in st["failures"]]
    assert len(fails) == 1, (name, fails)
    f = fails[0]
    assert (f["line"], f["col"]) == (line, col), (name, f)
    assert msg in f["message"], (name, msg, f["message"])
print(f"web e2e: {len(suites)} wrong expectations each caught at their line and column")
PY

set +e
"$parity" check --target fixture --spec "$root/fixtures/specs/web-vars-conflict" --out "$out/c" \
  2>"$out/c.err"
rc=$?
set -e
[ "$rc" -eq 2 ] || { echo "vars conflict: expected exit 2, got $rc"; cat "$out/c.err"; exit 1; }
grep -q 'web-vars-conflict/conflict.json:4:5: variable "session_cookie" is also declared by target fixture (.*fixtures/targets/fixture/target.json:[0-9]*:[0-9]*, "vars")' "$out/c.err" \
  || { cat "$out/c.err"; exit 1; }
echo "web e2e: a suite variable shadowing a target var is a spec error naming both files (exit 2)"
