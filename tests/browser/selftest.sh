#!/usr/bin/env bash
# selftest.sh: check_report.mjs must fail (exit 1) on a page with every defect it looks for, and
# name each one; else the browser test of report.html could pass on a broken report.
# usage: selftest.sh DIR_OF_check_report.mjs
set -uo pipefail
here=${1:?usage: selftest.sh DIR}
out=$(node "$here/check_report.mjs" "$here/fixtures/broken" 2>&1)
rc=$?
printf '%s\n' "$out"
failures=0
[ "$rc" -eq 1 ] || { echo "selftest: exit $rc, expected 1" >&2; failures=$((failures + 1)); }
for want in 'console error: a console error' 'uncaught exception: undefined_function is not defined' \
            'request failed: file://.*missing.png' 'broken image' 'chart "collapsed chart" has an empty box' \
            'chart "blank chart" draws 0 visible shapes' '2 charts in the page, 3 in charts/' \
            'dark mode does not apply'; do
    grep -q -- "$want" <<<"$out" || { echo "selftest: not reported: $want" >&2; failures=$((failures + 1)); }
done
echo "browser selftest: $failures failure(s)"
[ "$failures" -eq 0 ]
