#!/bin/sh
# specs/web/mutants/run.sh [TARGET] [MUTATION...]: proves the web suites strict. Starts TARGET
# (default flask) with `parity serve`, puts proxy.py in front of it once per mutation (each breaks
# one rule of contract section 7: see MUTATIONS in proxy.py and the table in ../README.md), runs
# specs/web through the proxy, and says which suites failed. Unchanged ("none") every suite must
# pass; with any mutation at least one must fail. Exit 1 when either does not hold.
# Needs build-*/harness/parity (PARITY, default build/harness/parity) and /usr/bin/python3.
set -u
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
PARITY=${PARITY:-$ROOT/build/harness/parity}
TARGET=${1:-flask}; [ $# -gt 0 ] && shift
MUTS=${*:-"none httponly samesite echo_pw flash_twice no_flash open_redirect next_ignored unescape status_422_200 status_403_400 status_404_200 comments_oldest_first tags_unsorted no_doctype time_no_ms no_errors values_dropped login_no_next no_nav_user comment_loc_no_id csrf_any logout_client_only"}
TMP=$(mktemp -d); trap 'kill $SERVE 2>/dev/null; rm -rf "$TMP"' EXIT
SC=$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['vars']['session_cookie'])" "$ROOT/targets/$TARGET/target.json") || exit 2
# the suites with the session cookie's name written in (a --url target has no target.json vars)
mkdir -p "$TMP/specs" && cp -r "$ROOT/specs/web" "$TMP/specs/web" && ln -s "$ROOT/specs/blog" "$TMP/specs/blog"
rm -rf "$TMP/specs/web/mutants" && find "$TMP/specs/web" -name '*.json' -exec sed -i "s/{{session_cookie}}/$SC/g" {} +
"$PARITY" serve "$TARGET" --for 3600 > "$TMP/serve.out" 2>&1 & SERVE=$!
i=0; while [ $i -lt 60 ] && ! grep -q '^http' "$TMP/serve.out"; do sleep 0.5; i=$((i+1)); done
UP=$(head -1 "$TMP/serve.out" | sed 's#^http://127.0.0.1:##'); [ -n "$UP" ] || { cat "$TMP/serve.out"; exit 3; }
rc=0
for m in $MUTS; do
    port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    /usr/bin/python3 "$ROOT/specs/web/mutants/proxy.py" 127.0.0.1 "$UP" "$port" "$m" "$SC" & PROXY=$!
    i=0; while [ $i -lt 40 ] && ! /usr/bin/python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null; do sleep 0.25; i=$((i+1)); done
    timeout 600 "$PARITY" check --url "mut=http://127.0.0.1:$port" --spec "$TMP/specs/web" -q -o "$TMP/out-$m" > "$TMP/log-$m" 2>&1
    kill $PROXY 2>/dev/null; wait $PROXY 2>/dev/null
    failed=$(grep -E '^web-' "$TMP/log-$m" | awk '$2 != "pass" {print $1}' | tr '\n' ' ')
    printf '%-22s %s\n' "$m" "${failed:-(every suite passes)}"
    if [ "$m" = none ] && ! grep -Eq 'steps [1-9][0-9]* pass, 0 fail, 0 skip, 0 error' "$TMP/log-$m"; then
        rc=1; echo "  the unchanged target does not pass:"; tail -5 "$TMP/log-$m"
    fi
    if [ "$m" != none ] && [ -z "$failed" ]; then rc=1; echo "  NOT CAUGHT: $m"; fi
done
exit $rc
