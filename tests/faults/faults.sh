#!/usr/bin/env bash
# faults.sh: fault-injection tests of parity, black-box, against the fixture server
# (tests/fixtures/fixture_server.c) through the parity root tests/faults/root:
#   kill-check   SIGKILL the target during a conformance suite: exit 3, the step named, partial
#                conformance.json written, no process and no temp dir left;
#   kill-bench   SIGKILL the target during a benchmark run: exit 3, the scenario named, partial
#                bench.json written, nothing left;
#   hang-check   the target frozen (SIGSTOP) during a suite: every step fails on its own timeout,
#                the run ends in bounded time (exit 1), the frozen group is killed;
#   hang-bench   the target frozen during a benchmark: the run ends in bounded time, nothing left;
#   stop-status  a target that exits 1 when stopped: exit 3, named in conformance.json and
#                bench.json;
#   stop-asan    a target that prints an AddressSanitizer report when stopped: the same;
#   disk-full    the output directory on a tiny tmpfs (a private mount namespace, `unshare -rm`):
#                check, bench and report say so and exit 3, and no complete-looking file is left
#                half-written (no report.html, no conformance.json, no *.tmp);
#   soak         `bench --profile soak` shortened: windows with memory, fds, errors; a crash named;
#   strict       a written skip is "conformant with 1 skip" in the reports, and exit 1 with --strict;
#   ctrl-c       SIGINT at a random moment of `parity run` (check + bench), 20 times: exit 130,
#                no target process and no temp dir ever left.
# Every parity process runs under `timeout`, so a bug here fails the test instead of hanging it.
#
# usage: faults.sh PARITY BUILD_DIR SOURCE_DIR [CASE...]     (no CASE: all of them)
# exit: 0 every case passed, 1 a case failed, 2 setup error.
set -uo pipefail
if [ $# -lt 3 ]; then
    echo "usage: faults.sh PARITY BUILD_DIR SOURCE_DIR [CASE...]" >&2
    exit 2
fi
parity=$1 build=$2 src=$3
shift 3
cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(strict soak stop-status stop-asan kill-check kill-bench hang-check hang-bench disk-full ctrl-c)
[ -x "$build/tests/fixtures/parity_fixture_server" ] || { echo "faults: no fixture server in $build" >&2; exit 2; }

export PARITY_ROOT=$src/tests/faults/root PARITY_BUILD_DIR=$build NO_COLOR=1
tmp=$(mktemp -d)
trap '[ -n "${FAULTS_KEEP:-}" ] || rm -rf "$tmp"' EXIT
[ -z "${FAULTS_KEEP:-}" ] || echo "faults: keeping $tmp" >&2
failures=0
fail() { echo "FAIL $case: $*" >&2; [ -f "$tmp/log" ] && tail -15 "$tmp/log" | sed 's/^/  | /' >&2; failures=$((failures + 1)); }
ok() { echo "ok   $case${1:+: $1}"; }

# Starts parity in the background with a private TMPDIR ($tmp/tmpd, where targets get their temp
# dirs); sets ppid. Output in $tmp/log.
start_parity() {
    rm -rf "$tmp/tmpd" "$tmp/out"
    mkdir -p "$tmp/tmpd"
    : >"$tmp/log"
    TMPDIR=$tmp/tmpd timeout 120 "$parity" "$@" >"$tmp/log" 2>&1 &
    ppid=$!
}
# The parity process under `timeout` (its only child); echoes its pid.
parity_pid() { ps -o pid= --ppid "$ppid" | head -1 | tr -d ' '; }
# Waits (at most $2 s) for a child of parity whose command line contains $1; echoes "pid pgid".
wait_child() {
    local want=$1 secs=$2 pp i line
    for ((i = 0; i < secs * 20; i++)); do
        pp=$(parity_pid)
        if [ -n "$pp" ]; then
            line=$(ps -o pid=,pgid=,args= --ppid "$pp" | grep -F -- "$want" | grep -v grep | head -1)
            [ -n "$line" ] && { awk '{ print $1, $2 }' <<<"$line"; return 0; }
        fi
        sleep 0.05
    done
    return 1
}
# Waits (at most $2 s) until parity's output matches the extended regex $1.
wait_log() {
    local i
    for ((i = 0; i < $2 * 20; i++)); do
        grep -qE -- "$1" "$tmp/log" && return 0
        sleep 0.05
    done
    return 1
}
# Waits (at most $3 s) until file $1 has a line matching the extended regex $2.
wait_file_line() {
    local i
    for ((i = 0; i < $3 * 20; i++)); do
        grep -qE -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}
# Waits for the background parity; sets rc and secs (wall time since start_parity).
finish() {
    wait "$ppid"
    rc=$?
    secs=$(($(date +%s) - t0))
}
# The live members of process group $1 ("pid pgid stat args;" each). Zombies are left out: they
# run nothing, and here pid 1 (not an init) may never reap what a dead parent left.
group_members() { ps -e -o pid=,pgid=,stat=,args= | awk -v g="$1" '$2 == g && $3 !~ /^Z/' | tr '\n' ';'; }
# No process left in group $1, and the private TMPDIR empty: else fails the case.
nothing_left() {
    local pgid=$1 left
    sleep 0.2
    if [ -n "$(group_members "$pgid")" ]; then
        fail "process group $pgid is still alive: $(group_members "$pgid")"
        kill -KILL -- "-$pgid" 2>/dev/null
        return 1
    fi
    left=$(ls -A "$tmp/tmpd" 2>/dev/null)
    if [ -n "$left" ]; then
        fail "temp dir(s) left in TMPDIR: $left"
        return 1
    fi
    return 0
}
json() { /usr/bin/python3 -c "import json, sys; d = json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null; }

case_kill_check() {
    t0=$(date +%s)
    start_parity check --target fx --spec "$src/tests/fixtures/specs/long" -o "$tmp/out"
    read -r tpid tpgid < <(wait_child parity_fixture_server 15) || { fail "the target never started"; return; }
    wait_file_line "$tmp/out/logs/fx.log" 'slow request begins' 30 || { fail "the slow step never began"; return; }
    sleep 0.5 # inside the first 3 s step
    kill -KILL "$tpid"
    finish
    [ "$rc" -eq 3 ] || { fail "exit $rc, expected 3"; return; }
    grep -q 'killed by signal 9' "$tmp/log" || { fail "the kill is not reported"; return; }
    grep -qE 'step "slow' "$tmp/log" || { fail "the step running at the kill is not named"; return; }
    [ "$(json "$tmp/out/conformance.json" "d['targets'][0]['status']")" = error ] ||
        { fail "conformance.json missing or the target not an error"; return; }
    nothing_left "$tpgid" && ok "exit 3 in ${secs}s, step named, conformance.json written"
}

case_kill_bench() {
    t0=$(date +%s)
    start_parity bench --target fx --profile smoke --scenario plaintext --out "$tmp/out"
    # The target process under load (a bench may start a fresh process per repetition, and run
    # wrk against other things first): wait for the scenario's own load to begin.
    wait_log 'fx plaintext: (primer|warmup|[0-9]+ connections)' 60 || { fail "the load never started"; return; }
    read -r tpid tpgid < <(wait_child parity_fixture_server 5) || { fail "no target while wrk runs"; return; }
    sleep 0.5
    kill -KILL "$tpid"
    finish
    [ "$rc" -eq 3 ] || { fail "exit $rc, expected 3"; return; }
    grep -q 'plaintext' "$tmp/log" && grep -qiE 'crash|killed|exited' "$tmp/log" ||
        { fail "the scenario or the crash is not named"; return; }
    local st
    st=$(json "$tmp/out/bench.json" "d['targets'][0]['status']")
    [ -n "$st" ] && [ "$st" != ok ] || { fail "bench.json missing or status '$st'"; return; }
    nothing_left "$tpgid" && ok "exit 3 in ${secs}s, bench.json status $st"
}

case_hang_check() {
    t0=$(date +%s)
    start_parity check --target fx --spec "$PARITY_ROOT/specs/hang" -o "$tmp/out"
    read -r tpid tpgid < <(wait_child parity_fixture_server 15) || { fail "the target never started"; return; }
    # Freeze it only once the suite runs: frozen before parity's readiness probe answered, the
    # target never starts (exit 3 from the readiness probe), which is not the case tested here.
    wait_file_line "$tmp/out/logs/fx.log" 'slow request begins' 30 || { fail "the slow step never began"; return; }
    kill -STOP "$tpid"
    finish
    # 5 s + 4 steps x 1 s + the 5 s SIGTERM grace + start-up: well under 30 s.
    [ "$secs" -le 30 ] || { fail "took ${secs}s (unbounded?)"; return; }
    [ "$rc" -eq 1 ] || { fail "exit $rc, expected 1 (steps failed on their timeout)"; return; }
    [ "$(grep -c 'timed out\|timeout' "$tmp/log")" -ge 1 ] || { fail "no timeout reported"; return; }
    nothing_left "$tpgid" && ok "exit 1 in ${secs}s, steps failed on their timeouts"
}

case_hang_bench() {
    t0=$(date +%s)
    start_parity bench --target fx --profile smoke --scenario plaintext --out "$tmp/out"
    # The target process under load (a bench may start a fresh process per repetition, and run
    # wrk against other things first): wait for the scenario's own load to begin.
    wait_log 'fx plaintext: (primer|warmup|[0-9]+ connections)' 60 || { fail "the load never started"; return; }
    read -r tpid tpgid < <(wait_child parity_fixture_server 5) || { fail "no target while wrk runs"; return; }
    kill -STOP "$tpid"
    finish
    [ "$secs" -le 60 ] || { fail "took ${secs}s (unbounded?)"; return; }
    [ "$rc" -ne 0 ] || { fail "exit 0 although the target froze"; return; }
    nothing_left "$tpgid" && ok "exit $rc in ${secs}s"
}

# stop_case TARGET PATTERN: check and bench both exit 3 and record PATTERN.
stop_case() {
    local target=$1 pattern=$2
    t0=$(date +%s)
    start_parity check --target "$target" --spec "$PARITY_ROOT/specs/blog" -o "$tmp/out"
    finish
    [ "$rc" -eq 3 ] || { fail "check: exit $rc, expected 3"; return; }
    json "$tmp/out/conformance.json" "d['targets'][0].get('error', '')" | grep -q "$pattern" ||
        { fail "check: conformance.json does not record /$pattern/"; return; }
    start_parity bench --target "$target" --profile smoke --scenario json --out "$tmp/out"
    finish
    [ "$rc" -eq 3 ] || { fail "bench: exit $rc, expected 3"; return; }
    json "$tmp/out/bench.json" "d['targets'][0].get('message') or d['targets'][0].get('error') or ''" | grep -q "$pattern" ||
        grep -q "$pattern" "$tmp/out/bench.json" || { fail "bench: bench.json does not record /$pattern/"; return; }
    ok "check and bench exit 3, recorded"
}
case_stop_status() { stop_case fx-exit1 'exited with status 1 when stopped'; }
case_stop_asan() { stop_case fx-asan 'sanitizer report in its log'; }

# --profile soak, shortened to 3 windows of 1 s: every window recorded with memory, descriptors
# and errors, the chart drawn; then the same with the target killed in the second window: exit 3.
case_soak() {
    t0=$(date +%s)
    start_parity bench --profile soak --target fx --scenario plaintext --duration 1 --repeat 3 --out "$tmp/out"
    finish
    [ "$rc" -eq 0 ] || { fail "exit $rc, expected 0"; return; }
    local n
    n=$(json "$tmp/out/soak.json" "sum(1 for w in d['targets'][0]['windows'] if w['rss_kb'] > 0 and w['fds'] > 2 and w['requests'] > 0)")
    [ "$n" = 3 ] || { fail "soak.json has $n complete windows of 3"; return; }
    [ -s "$tmp/out/charts/soak-fx.svg" ] || { fail "no chart charts/soak-fx.svg"; return; }
    grep -q 'soak: fx: 3 windows' "$tmp/log" || { fail "no summary line"; return; }
    start_parity bench --profile soak --target fx --scenario plaintext --duration 2 --repeat 3 --out "$tmp/out"
    read -r tpid tpgid < <(wait_child parity_fixture_server 15) || { fail "the target never started"; return; }
    while ! grep -q 'window 2/3' "$tmp/log"; do sleep 0.1; [ $(($(date +%s) - t0)) -lt 60 ] || break; done
    kill -KILL "$tpid"
    finish
    [ "$rc" -eq 3 ] || { fail "killed in window 2: exit $rc, expected 3"; return; }
    grep -q 'during window 2' "$tmp/log" || { fail "the window of the crash is not named"; return; }
    nothing_left "$tpgid" && ok "3 windows recorded and charted; a crash in window 2 is exit 3, named"
}

# A written skip: exit 0 ("conformant with 1 skip" in the reports), but exit 1 with --strict.
case_strict() {
    t0=$(date +%s)
    start_parity check --target fx --spec "$PARITY_ROOT/specs/skips" -q -o "$tmp/out"
    finish
    [ "$rc" -eq 0 ] || { fail "without --strict: exit $rc, expected 0"; return; }
    "$parity" report "$tmp/out" >"$tmp/log" 2>&1 || { fail "parity report failed"; return; }
    grep -q 'conformant with 1 skip:' "$tmp/out/report.html" || { fail "report.html does not say 'conformant with 1 skip'"; return; }
    grep -q 'conformant with skips' "$tmp/out/summary.md" || { fail "summary.md does not say 'conformant with skips'"; return; }
    start_parity check --target fx --spec "$PARITY_ROOT/specs/skips" -q --strict -o "$tmp/out"
    finish
    [ "$rc" -eq 1 ] || { fail "with --strict: exit $rc, expected 1"; return; }
    grep -q -- '--strict: fx is conformant with 1 skip, not conformant' "$tmp/log" || { fail "--strict does not name the target"; return; }
    ok "exit 0 and 'conformant with 1 skip' in the reports; exit 1 with --strict"
}

# Runs "$@" (a parity command line) with TMPDIR set, in a private mount namespace where /mnt is a
# tmpfs of $size KiB pre-filled with $fill (a directory copied to /mnt/in, may be empty).
in_small_fs() {
    local size=$1 fill=$2
    shift 2
    unshare -rm /bin/sh -c '
        size=$1 fill=$2 out=$3; shift 3
        mount -t tmpfs -o size=${size}k tmpfs /mnt || exit 97
        if [ -n "$fill" ]; then cp -r "$fill" /mnt/in || exit 98; fi
        "$@" >"$out.log" 2>&1
        echo $? >"$out.rc"
        ls -AR /mnt >"$out.ls"
    ' sh "$size" "$fill" "$tmp/fs" "$@"
}
case_disk_full() {
    local what
    t0=$(date +%s)
    if ! unshare -rm true 2>/dev/null; then
        fail "cannot create a private mount namespace (unshare -rm): the disk-full case cannot run here"
        return
    fi
    # check: 12 KiB hold the logs/ directory but not conformance.json.
    in_small_fs 12 "" timeout 60 "$parity" check --target fx --spec "$src/tests/fixtures/specs/deviations" -q -o /mnt/out
    what="check"
    [ "$(cat "$tmp/fs.rc")" = 3 ] || { fail "$what: exit $(cat "$tmp/fs.rc"), expected 3"; cat "$tmp/fs.log" >&2; return; }
    grep -q 'No space left on device' "$tmp/fs.log" || { fail "$what: no clear message"; return; }
    if grep -qE 'conformance\.json|\.tmp' "$tmp/fs.ls"; then fail "$what: a partial file is left: $(grep -E 'json|tmp' "$tmp/fs.ls")"; return; fi
    # bench: 16 KiB fill up with the wrk outputs and bench.json.
    in_small_fs 16 "" timeout 120 "$parity" bench --target fx --profile smoke --scenario plaintext --out /mnt/out
    what="bench"
    [ "$(cat "$tmp/fs.rc")" = 3 ] || { fail "$what: exit $(cat "$tmp/fs.rc"), expected 3"; cat "$tmp/fs.log" >&2; return; }
    grep -q 'No space left on device' "$tmp/fs.log" || { fail "$what: no clear message"; return; }
    if grep -qE '\.tmp' "$tmp/fs.ls"; then fail "$what: a temp file is left"; return; fi
    # report: the run's inputs fit, the charts and report.html do not.
    start_parity bench --target fx --profile smoke --scenario plaintext --out "$tmp/run"
    finish
    [ "$rc" -eq 0 ] || { fail "report: the input bench run failed (exit $rc)"; return; }
    local need
    need=$(du -sk "$tmp/run" | cut -f1)
    # (the report's templates are the repository's: PARITY_ROOT is the source tree here)
    PARITY_ROOT=$src in_small_fs $((need + 24)) "$tmp/run" timeout 60 "$parity" report /mnt/in
    what="report"
    [ "$(cat "$tmp/fs.rc")" = 3 ] || { fail "$what: exit $(cat "$tmp/fs.rc"), expected 3"; cat "$tmp/fs.log" >&2; return; }
    grep -q 'No space left on device' "$tmp/fs.log" || { fail "$what: no clear message"; cat "$tmp/fs.log" >&2; return; }
    if grep -qE '^(report\.html|summary\.md)$|\.tmp$' "$tmp/fs.ls"; then
        fail "$what: a partial report is left: $(grep -E 'report|summary|tmp' "$tmp/fs.ls" | tr '\n' ' ')"
        return
    fi
    ok "check, bench and report exit 3 with 'No space left on device', no partial file"
}

case_ctrl_c() {
    local i d pgids orphans=0 codes="" mypgid
    mypgid=$(ps -o pgid= -p $$ | tr -d ' ')
    for i in $(seq 20); do
        # A random moment in the first 6 s: start-up, the suites, seeding or a benchmark run.
        d=$(/usr/bin/python3 -c 'import random; print(random.randint(100, 6000))') # ms
        t0=$(date +%s)
        start_parity run --target fx --profile smoke --scenario plaintext --out "$tmp/out"
        pgids=""
        local end=$(($(date +%s%N) / 1000000 + d))
        while [ $(($(date +%s%N) / 1000000)) -lt "$end" ]; do
            pp=$(parity_pid)
            [ -n "$pp" ] && pgids+=" $(ps -o pgid= --ppid "$pp" | tr '\n' ' ')"
            sleep 0.05
        done
        pp=$(parity_pid)
        [ -n "$pp" ] && kill -INT "$pp"
        finish
        codes+=" $rc"
        sleep 0.2
        for g in $(tr ' ' '\n' <<<"$pgids" | sort -u); do
            # wrk stays in parity's own group (this script's): only the targets' groups count.
            [ "$g" = "$mypgid" ] && continue
            if [ -n "$(group_members "$g")" ]; then
                orphans=$((orphans + 1))
                echo "  iteration $i (SIGINT after ${d} ms): group $g alive: $(group_members "$g")" >&2
                kill -KILL -- "-$g" 2>/dev/null
            fi
        done
        if [ -n "$(ls -A "$tmp/tmpd")" ]; then
            orphans=$((orphans + 1))
            echo "  iteration $i (SIGINT after ${d} ms): temp dir left: $(ls -A "$tmp/tmpd")" >&2
        fi
        case $rc in 130 | 0) ;; *) echo "  iteration $i (SIGINT after ${d} ms): exit $rc" >&2; orphans=$((orphans + 1)) ;; esac
    done
    [ "$orphans" -eq 0 ] && ok "20 interrupts, exit codes:$codes; no process or temp dir left" ||
        fail "$orphans problem(s) over 20 interrupts"
}

for case in "${cases[@]}"; do
    fn=case_${case//-/_}
    if ! declare -F "$fn" >/dev/null; then
        echo "faults: unknown case $case" >&2
        exit 2
    fi
    "$fn"
done
echo "faults: $failures failure(s)"
[ "$failures" -eq 0 ]
