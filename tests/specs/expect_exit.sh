#!/usr/bin/env bash
# expect_exit.sh: runs a command and passes only when it exits with the expected code AND its
# output (stdout+stderr) matches every MUST pattern and no MUST_NOT pattern (grep -E). ctest's
# PASS_REGULAR_EXPRESSION alone ignores the exit code, so a checker that printed the right words
# and exited 0 would pass; this does not.
# usage: expect_exit.sh CODE [--must RE]... [--must-not RE]... -- CMD [ARG...]
set -uo pipefail
want=${1:?usage: expect_exit.sh CODE [--must RE]... [--must-not RE]... -- CMD...}
shift
must=() mustnot=()
while [ $# -gt 0 ]; do
    case $1 in
    --must) must+=("$2"); shift 2 ;;
    --must-not) mustnot+=("$2"); shift 2 ;;
    --) shift; break ;;
    *) echo "expect_exit: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || { echo "expect_exit: no command" >&2; exit 2; }
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
bad=0
if [ "$rc" -ne "$want" ]; then echo "expect_exit: exit $rc, expected $want: $*" >&2; bad=1; fi
for re in "${must[@]}"; do
    grep -qE -- "$re" <<<"$out" || { echo "expect_exit: output lacks /$re/" >&2; bad=1; }
done
for re in "${mustnot[@]}"; do
    if grep -qE -- "$re" <<<"$out"; then echo "expect_exit: output has /$re/" >&2; bad=1; fi
done
exit "$bad"
