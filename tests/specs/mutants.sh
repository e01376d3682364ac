#!/usr/bin/env bash
# mutants.sh: proves that specs/blog is strict. Runs the suites against quill-blog behind
# mutant_proxy: unchanged ("none") every suite must pass; with each mutation (one deliberate
# deviation from the contract, see mutant_proxy.c) the suite that owns that rule must fail.
# Then runs every suite against the fixture server (which implements none of the blog): every
# suite must fail, so that no suite can pass vacuously.
#
# usage: mutants.sh PARITY QUILL_BLOG MUTANT_PROXY FIXTURE_SERVER SPEC_DIR
# exit: 0 every mutation caught, 1 a mutation survived or the baseline failed, 2 setup error.
set -uo pipefail
if [ $# -ne 5 ]; then
    echo "usage: mutants.sh PARITY QUILL_BLOG MUTANT_PROXY FIXTURE_SERVER SPEC_DIR" >&2
    exit 2
fi
parity=$1 quill=$2 proxy=$3 fixture=$4 specs=$5

# mutation -> the suite that must fail (every mutation the proxy knows must be listed here).
declare -A OWNER=(
    [bio-empty-string]=users [user-extra-key]=users [created-as-200]=users
    [blank-message]=users [no-charset]=users
    [list-item-body]=listing [reverse-articles]=pagination [count-page-only]=pagination
    [float-favorites-count]=articles [taglist-unsorted]=articles [updated-at-frozen]=articles
    [string-comment-ids]=comments [reverse-comments]=comments [tags-unsorted]=tags
    [never-following]=profiles [order-404-before-401]=errors
    [no-date]=overhead [frozen-date]=overhead [no-server]=overhead [json-newline]=overhead
    [no-allow]=bad-input [too-large-as-400]=bad-input
    [no-cors-origin]=cors [options-200]=cors
    [html-unescaped]=html [html-header-row]=html
    [slug-changes-on-update]=articles [no-millis]=articles [tags-duplicated]=tags
    [anonymous-favorited]=favorites [allow-no-space]=bad-input [comment-updated-at]=comments [article-updated-at]=articles
    [conflict-as-422]=users [html-no-doctype]=html [no-cors-methods]=cors [lists-of-10]=pagination
    [bad-token-as-403]=tokens [invalid-body-as-400]=bodies [update-conflict-as-422]=user-update
    [feed-anonymous-empty]=feed
)

# Every suite of SPEC_DIR must own at least one mutation (a suite no mutation can fail is
# unproven), and every mutation listed here must exist in the proxy: checked before anything runs.
setup_errors=0
for f in "$specs"/*.json; do
    s=$(basename "$f" .json)
    owned=0
    for m in "${!OWNER[@]}"; do [ "${OWNER[$m]}" = "$s" ] && owned=1; done
    if [ "$owned" -eq 0 ]; then
        echo "FAIL suite $s: no mutation is owned by it (add one to mutant_proxy.c and OWNER)" >&2
        setup_errors=$((setup_errors + 1))
    fi
done
known=$("$proxy" --list | cut -f1)
for m in "${!OWNER[@]}"; do
    if ! grep -qxF "$m" <<<"$known"; then
        echo "FAIL $m: listed in OWNER but unknown to mutant_proxy" >&2
        setup_errors=$((setup_errors + 1))
    fi
done
[ "$setup_errors" -eq 0 ] || { echo "mutants: $setup_errors setup error(s)"; exit 1; }

tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# Waits (at most 15 s) until GET /plaintext answers on port $1.
wait_ready() {
    for _ in $(seq 150); do
        curl -sf -o /dev/null "http://127.0.0.1:$1/plaintext" && return 0
        sleep 0.1
    done
    return 1
}
# Starts the proxy with mutation $1 on a free port; sets proxy_pid and proxy_port.
start_proxy() {
    proxy_port=$(free_port)
    "$proxy" --listen "$proxy_port" --upstream "$quill_port" --mutation "$1" >"$tmp/proxy.log" 2>&1 &
    proxy_pid=$!
    pids+=("$proxy_pid")
    wait_ready "$proxy_port"
}
stop_proxy() {
    kill "$proxy_pid" 2>/dev/null
    wait "$proxy_pid" 2>/dev/null
}
# Runs parity check on URL $1 for the suites matching $2; prints the summary; returns its exit code.
# The target is named quill (it is quill-blog behind the proxy): steps skipped for quill, with their
# reason in every report, are skipped here too.
check() {
    timeout 600 "$parity" check --url "quill=$1" --secret quill=mutants-secret --spec "$specs" \
        --filter "$2" -q -o "$tmp/out" \
        >"$tmp/check.log" 2>&1
}

quill_port=$(free_port)
HOST=127.0.0.1 PORT=$quill_port WORKERS=2 DATABASE_PATH=$tmp/blog.db SECRET_KEY=mutants-secret \
    "$quill" >"$tmp/quill.log" 2>&1 &
pids+=($!)
if ! wait_ready "$quill_port"; then
    echo "mutants: quill-blog did not become ready on port $quill_port" >&2
    cat "$tmp/quill.log" >&2
    exit 2
fi

failures=0
ran=0 caught=0
start_proxy none || { echo "mutants: the proxy did not start" >&2; cat "$tmp/proxy.log" >&2; exit 2; }
if check "http://127.0.0.1:$proxy_port" '*'; then
    echo "ok   none: every suite passes through the unchanged proxy"
else
    echo "FAIL none: the suites fail against quill-blog through the unchanged proxy:" >&2
    cat "$tmp/check.log" >&2
    failures=$((failures + 1))
fi
stop_proxy

while IFS=$'\t' read -r name what; do
    [ "$name" = none ] && continue
    suite=${OWNER[$name]:-}
    if [ -z "$suite" ]; then
        echo "FAIL $name: no owning suite listed in mutants.sh" >&2
        failures=$((failures + 1))
        continue
    fi
    start_proxy "$name" || { echo "mutants: the proxy did not start for $name" >&2; exit 2; }
    check "http://127.0.0.1:$proxy_port" "$suite"
    rc=$?
    stop_proxy
    ran=$((ran + 1))
    if [ "$rc" -eq 1 ]; then
        caught=$((caught + 1))
        step=$(grep -m1 '^FAIL' "$tmp/check.log" | sed 's/.* step /step /')
        echo "ok   $name ($what): $suite fails at $step"
    else
        echo "FAIL $name ($what): suite $suite exited $rc instead of 1 (the deviation went unnoticed)" >&2
        tail -5 "$tmp/check.log" >&2
        failures=$((failures + 1))
    fi
done < <("$proxy" --list)

# No suite may pass against a server that implements nothing of the blog.
fixture_port=$(free_port)
HOST=127.0.0.1 PORT=$fixture_port "$fixture" >"$tmp/fixture.log" 2>&1 &
pids+=($!)
if ! wait_ready "$fixture_port"; then
    echo "mutants: the fixture server did not become ready" >&2
    exit 2
fi
check "http://127.0.0.1:$fixture_port" '*'
rc=$?
passing=$(grep -cE '^[a-z0-9-]+ +pass ' "$tmp/check.log")
if [ "$rc" -eq 1 ] && [ "$passing" -eq 0 ]; then
    echo "ok   fixture server: every suite fails"
else
    echo "FAIL fixture server: exit $rc, $passing suites passed against a server without the blog" >&2
    grep -E '^[a-z0-9-]+ +pass ' "$tmp/check.log" >&2
    failures=$((failures + 1))
fi

# The count: every listed mutation ran (a loop cut short, or a proxy --list that lost entries,
# would otherwise pass with fewer).
if [ "$ran" -ne "${#OWNER[@]}" ]; then
    echo "FAIL count: $ran mutation(s) ran, ${#OWNER[@]} listed in OWNER" >&2
    failures=$((failures + 1))
fi
echo "mutants: $ran run, $caught caught, ${#OWNER[@]} listed; $failures failure(s)"
[ "$failures" -eq 0 ]
