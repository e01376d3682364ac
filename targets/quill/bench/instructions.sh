#!/bin/sh
# instructions.sh BLOG_BIN DB_DIR N < urls: user-space instructions per request of the quill blog,
# URL by URL, with callgrind (deterministic: unaffected by the load of a shared machine; kernel
# time is not included). Starts BLOG_BIN under valgrind on a copy of the seeded database
# (WORKERS=1); for each line of stdin ("PATH [TOKEN]") sends 20 warm-up requests, zeroes the
# counters, sends N requests over one keep-alive connection (curl), dumps, and prints the total
# instructions divided by N. Exit: 0 ok, 2 usage, 3 environment.
set -eu
[ $# -ge 3 ] || { echo "usage: instructions.sh BLOG_BIN DB_DIR N < urls" >&2; exit 2; }
bin=$1 src=$2 n=$3
command -v valgrind > /dev/null || { echo "instructions: valgrind is not installed" >&2; exit 3; }
dir=$(mktemp -d /tmp/quill-instructions.XXXXXX)
cp "$src"/blog.db* "$dir"/
port=$((20000 + $$ % 20000))
DATABASE_PATH=$dir/blog.db SECRET_KEY=${SECRET_KEY:-bench-secret} PORT=$port WORKERS=1 \
    valgrind --tool=callgrind --callgrind-out-file="$dir/cg.%p" "$bin" 2> "$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
i=0
until curl -sf "http://127.0.0.1:$port/plaintext" > /dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 300 ] || { echo "instructions: server did not start" >&2; exit 3; }
    sleep 0.1
done
burst() { # PATH TOKEN COUNT: COUNT requests on one connection
    urls=""
    k=0
    while [ $k -lt "$3" ]; do urls="$urls http://127.0.0.1:$port$1"; k=$((k + 1)); done
    curl -sf ${2:+-H "Authorization: Token $2"} $urls > /dev/null
}
printf '%-60s %14s\n' "request" "instr/request"
while read -r path token; do
    [ -n "$path" ] || continue
    burst "$path" "${token:-}" 20
    callgrind_control -z $pid > /dev/null 2>&1
    burst "$path" "${token:-}" "$n"
    rm -f "$dir"/cg.*.*
    callgrind_control -d $pid > /dev/null 2>&1
    sleep 0.5
    f=$(ls -t "$dir"/cg.*.* 2> /dev/null | head -1)
    total=$(grep -E '^(summary|totals):' "$f" | head -1 | awk '{ print $2 }')
    printf '%-60s %14s\n' "$path${token:+ (token)}" "$(awk -v t="$total" -v n="$n" 'BEGIN { printf "%.0f", t / n }')"
done
