#!/usr/bin/env bash
# test_gates.sh: proves that scripts/test's `gates` step cannot be fooled. It runs
# `scripts/test --only gates` against a fake build directory whose harness/parity is a script
# (tests need no benchmark for this), and checks:
#   - a run A without report.html stops the step with exit 1 naming the file (the hole of
#     `test -s a && test -s b` under set -e, which carries on);
#   - a `parity report` that passes everything (a gate that cannot fail) is caught: the doctored
#     baseline with ten times the throughput must make it exit 1;
#   - with a gate that does fail on the doctored baseline and passes the real A/B, the step passes;
#   - no script of ours has a statement of the form `test X && test Y` (or `[ ] && [ ]`).
# usage: test_gates.sh ROOT        exit 0 all cases pass, 1 otherwise
set -uo pipefail
root=${1:?usage: test_gates.sh ROOT}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/build/harness"

# The fake parity: `run ... --out DIR` writes a complete run directory; `report RUN --baseline OLD`
# exits 1 with "REGRESSION" when OLD's bench.json holds a doctored (x10) figure (unless FAKE_GATE=never).
cat >"$tmp/build/harness/parity" <<'EOF'
#!/usr/bin/env bash
cmd=$1; shift
out= base=
while [ $# -gt 0 ]; do
  case $1 in --out) out=$2; shift ;; --baseline) base=$2; shift ;; esac
  shift
done
case $cmd in
run)
  mkdir -p "$out/charts"
  for f in report.html summary.md conformance.json junit.xml results.tap; do echo x >"$out/$f"; done
  echo '{"targets":[{"scenarios":[{"levels":[{"summary":{"rps":{"median":100,"min":90,"max":110}}}]}]}]}' >"$out/bench.json"
  echo '<svg/>' >"$out/charts/a.svg" ;;
report)
  mkdir -p "$out"
  if [ "${FAKE_GATE:-real}" = real ] && grep -q '"median": 1000' "$base/bench.json"; then
    echo "plaintext: REGRESSION -90%"; exit 1
  fi
  echo "baseline: 0 regression(s)" ;;
esac
EOF
chmod +x "$tmp/build/harness/parity"

failures=0
fail() { echo "FAIL $case: $*" >&2; sed 's/^/  | /' "$tmp/out" >&2; failures=$((failures + 1)); }
ok() { echo "ok   $case"; }
gates() {
  PARITY_TEST_BUILD=$tmp/build "$root/scripts/test" --only gates >"$tmp/out" 2>&1
  rc=$?
}
fresh_run_a() { rm -rf "$tmp/build/run-smoke"; "$tmp/build/harness/parity" run --out "$tmp/build/run-smoke"; }

case="a complete run A and a gate that works: the step passes"
fresh_run_a
gates
if [ $rc -eq 0 ]; then ok; else fail "rc=$rc"; fi

case="report.html missing from run A: exit 1 naming it"
fresh_run_a
rm "$tmp/build/run-smoke/report.html"
gates
if [ $rc -eq 1 ] && grep -q 'run-smoke/report.html is missing or empty' "$tmp/out"; then ok; else fail "rc=$rc"; fi

case="summary.md empty in run A: exit 1 naming it"
fresh_run_a
: >"$tmp/build/run-smoke/summary.md"
gates
if [ $rc -eq 1 ] && grep -q 'run-smoke/summary.md is missing or empty' "$tmp/out"; then ok; else fail "rc=$rc"; fi

case="no chart in run A: exit 1"
fresh_run_a
rm "$tmp/build/run-smoke/charts/a.svg"
gates
if [ $rc -eq 1 ] && grep -q 'has no chart' "$tmp/out"; then ok; else fail "rc=$rc"; fi

case="a regression gate that cannot fail is caught"
fresh_run_a
FAKE_GATE=never gates
if [ $rc -eq 1 ] && grep -q 'ten times the throughput' "$tmp/out"; then ok; else fail "rc=$rc"; fi

case="no 'test X && test Y' statement in our scripts (set -e does not stop on it)"
: >"$tmp/out"
for f in "$root"/scripts/* "$root"/.ci/run "$root"/tests/scripts/*.sh "$root"/tests/faults/*.sh \
         "$root"/tests/specs/*.sh "$root"/tests/browser/*.sh; do
  [ -f "$f" ] || continue
  grep -nE '^\s*(test|\[\[?) [^|]*&&\s*(test|\[)' "$f" | grep -v '||' | sed "s|^|$f:|" >>"$tmp/out"
done
if [ ! -s "$tmp/out" ]; then ok; else fail "found"; fi

echo "test_gates: $failures failure(s)"
[ "$failures" -eq 0 ]
