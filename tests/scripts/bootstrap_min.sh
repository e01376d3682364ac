#!/usr/bin/env bash
# bootstrap_min.sh: proves scripts/bootstrap's package logic against a fake package database:
# missing packages are installed, an installed package below its `>=` minimum is upgraded (and
# bootstrap says so), one at or above it is left alone, a package the archive cannot bring up to
# its minimum is an error (exit 3), a malformed line is a usage error naming file:line (exit 2),
# and the real scripts/packages.txt parses.
#
# The fakes: dpkg-query answers from $FAKE_DB ("name version" lines); apt-get appends its
# arguments to $FAKE_LOG and, on install, sets each package to its version in $FAKE_ARCHIVE.
# dpkg --compare-versions is the real one (it is pure).
# usage: bootstrap_min.sh ROOT        exit 0 all cases pass, 1 otherwise
set -uo pipefail
root=${1:?usage: bootstrap_min.sh ROOT}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/dpkg-query" <<'EOF'
#!/usr/bin/env bash
# fake: dpkg-query -W -f=FORMAT NAME...; prints "name installed version" for the known ones.
shift 2
rc=0
for n in "$@"; do
  v=$(awk -v n="$n" '$1 == n { print $2 }' "$FAKE_DB")
  if [ -n "$v" ]; then printf '%s installed %s\n' "$n" "$v"; else rc=1; fi
done
exit $rc
EOF
cat >"$tmp/apt-get" <<'EOF'
#!/usr/bin/env bash
# fake: logs the call; "install -y -qq NAME..." sets each NAME to the archive's version.
printf '%s\n' "$*" >>"$FAKE_LOG"
[ "$1" = install ] || exit 0
shift 3
for n in "$@"; do
  v=$(awk -v n="$n" '$1 == n { print $2 }' "$FAKE_ARCHIVE")
  [ -n "$v" ] || { echo "E: Unable to locate package $n" >&2; exit 100; }
  awk -v n="$n" '$1 != n' "$FAKE_DB" >"$FAKE_DB.new"
  printf '%s %s\n' "$n" "$v" >>"$FAKE_DB.new"
  mv "$FAKE_DB.new" "$FAKE_DB"
done
EOF
chmod +x "$tmp/dpkg-query" "$tmp/apt-get"

export PARITY_DPKG_QUERY=$tmp/dpkg-query PARITY_APT_GET=$tmp/apt-get
export FAKE_DB=$tmp/db FAKE_LOG=$tmp/apt.log FAKE_ARCHIVE=$tmp/archive
failures=0
fail() { echo "FAIL $case: $*" >&2; sed 's/^/  | /' "$tmp/out" >&2; failures=$((failures + 1)); }
ok() { echo "ok   $case"; }

# run LIST_TEXT DB_TEXT ARCHIVE_TEXT: runs bootstrap --debian-only; sets rc; output in $tmp/out.
run() {
  printf '%s' "$1" >"$tmp/packages.txt"
  printf '%s' "$2" >"$FAKE_DB"
  printf '%s' "$3" >"$FAKE_ARCHIVE"
  : >"$FAKE_LOG"
  PARITY_PACKAGES=$tmp/packages.txt "$root/scripts/bootstrap" --debian-only >"$tmp/out" 2>&1
  rc=$?
}
db_version() { awk -v n="$1" '$1 == n { print $2 }' "$FAKE_DB"; }

list='# comment
alpha
python3-jwt >= 2.6.0-1+deb12u1   # CVE fix
python3-django >= 3:3.2.25-0+deb12u7
'

case="all present and at or above the minimum: apt-get not called"
run "$list" $'alpha 1.0\npython3-jwt 2.6.0-1+deb12u2\npython3-django 3:3.2.25-0+deb12u7\n' ''
if [ $rc -eq 0 ] && [ ! -s "$FAKE_LOG" ] && grep -q 'apt-get skipped' "$tmp/out"; then ok; else fail "rc=$rc, apt log: $(cat "$FAKE_LOG")"; fi

case="below the minimum (the image's 2.6.0-1): upgraded, and said so"
run "$list" $'alpha 1.0\npython3-jwt 2.6.0-1\npython3-django 3:3.2.25-0+deb12u7\n' $'python3-jwt 2.6.0-1+deb12u1\n'
if [ $rc -eq 0 ] && grep -qx 'install -y -qq python3-jwt' "$FAKE_LOG" &&
   grep -q 'upgrading python3-jwt 2.6.0-1 < 2.6.0-1+deb12u1' "$tmp/out" &&
   [ "$(db_version python3-jwt)" = 2.6.0-1+deb12u1 ]; then ok; else fail "rc=$rc, apt log: $(cat "$FAKE_LOG")"; fi

case="epoch ordering: 3.2.25-0+deb12u9 without epoch is below 3:3.2.25-0+deb12u7"
run "$list" $'alpha 1.0\npython3-jwt 2.6.0-1+deb12u1\npython3-django 3.2.25-0+deb12u9\n' $'python3-django 3:3.2.25-0+deb12u7\n'
if [ $rc -eq 0 ] && grep -qx 'install -y -qq python3-django' "$FAKE_LOG"; then ok; else fail "rc=$rc, apt log: $(cat "$FAKE_LOG")"; fi

case="missing and outdated installed together, nothing else touched"
run "$list" $'python3-jwt 2.6.0-1\npython3-django 3:3.2.25-0+deb12u7\n' $'alpha 1.0\npython3-jwt 2.6.0-1+deb12u1\n'
if [ $rc -eq 0 ] && grep -qx 'install -y -qq alpha python3-jwt' "$FAKE_LOG" &&
   grep -q 'installing 1 missing Debian packages: alpha' "$tmp/out"; then ok; else fail "rc=$rc, apt log: $(cat "$FAKE_LOG")"; fi

case="the archive only has the vulnerable version: exit 3, named"
run "$list" $'alpha 1.0\npython3-jwt 2.6.0-1\npython3-django 3:3.2.25-0+deb12u7\n' $'python3-jwt 2.6.0-1\n'
if [ $rc -eq 3 ] && grep -q 'still below the minimum after apt-get install: python3-jwt 2.6.0-1 < 2.6.0-1+deb12u1' "$tmp/out"; then ok; else fail "rc=$rc"; fi

case="a malformed line: exit 2 naming file:line"
run $'alpha\npython3-jwt > 2.6\n' '' ''
if [ $rc -eq 2 ] && grep -q "packages.txt:2: expected" "$tmp/out" && [ ! -s "$FAKE_LOG" ]; then ok; else fail "rc=$rc"; fi

case="apt-get install fails: exit 3"
run "$list" $'python3-jwt 2.6.0-1+deb12u1\npython3-django 3:3.2.25-0+deb12u7\n' ''
if [ $rc -eq 3 ] && grep -q 'apt-get install failed for: alpha' "$tmp/out"; then ok; else fail "rc=$rc"; fi

case="the real scripts/packages.txt parses, and pins python3-jwt's crit fix"
real=$(sed -e 's/#.*//' "$root/scripts/packages.txt" | awk 'NF { print $1, "99:99" }')
printf '%s\n' "$real" >"$FAKE_DB"
: >"$FAKE_LOG"
"$root/scripts/bootstrap" --debian-only >"$tmp/out" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$FAKE_LOG" ] &&
   grep -qE '^python3-jwt +>= +2\.6\.0-1\+deb12u1' "$root/scripts/packages.txt"; then ok; else fail "rc=$rc"; fi

echo "bootstrap_min: $failures failure(s)"
[ "$failures" -eq 0 ]
