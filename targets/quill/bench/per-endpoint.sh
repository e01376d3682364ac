#!/bin/sh
# per-endpoint.sh BLOG_BIN DB_DIR [SECONDS] < urls: the quill blog's CPU cost per request, URL by
# URL. Copies the seeded database found in DB_DIR (blog.db and its -wal) to a scratch directory,
# starts BLOG_BIN there with WORKERS=1 on CPU 1, and for each line of stdin ("PATH [TOKEN]") runs
# wrk (1 thread, 16 connections, SECONDS, default 2) on CPU 0, printing requests/s and the
# server's CPU microseconds per request (user + system from /proc/PID/stat). Meant for a shared
# machine: CPU per request stays meaningful when throughput does not.
# Exit: 0 ok, 2 usage, 3 environment (server did not start, wrk missing).
set -eu
if [ $# -lt 2 ]; then
    echo "usage: per-endpoint.sh BLOG_BIN DB_DIR [SECONDS] < urls" >&2
    exit 2
fi
bin=$1 src=$2 secs=${3:-2}
command -v wrk > /dev/null || { echo "per-endpoint: wrk is not installed" >&2; exit 3; }
dir=$(mktemp -d /tmp/quill-per-endpoint.XXXXXX)
cp "$src"/blog.db* "$dir"/
port=$((20000 + $$ % 20000))
DATABASE_PATH=$dir/blog.db SECRET_KEY=${SECRET_KEY:-bench-secret} PORT=$port WORKERS=1 \
    taskset -c 1 "$bin" 2> "$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
i=0
until curl -sf "http://127.0.0.1:$port/plaintext" > /dev/null; do
    i=$((i + 1))
    [ $i -lt 100 ] || { echo "per-endpoint: server did not start" >&2; cat "$dir/server.log" >&2; exit 3; }
    sleep 0.1
done
tick=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' /proc/$pid/stat; }
printf '%-60s %10s %12s\n' "request" "req/s" "CPU us/req"
while read -r path token; do
    [ -n "$path" ] || continue
    hdr=""
    [ -z "${token:-}" ] || hdr="Authorization: Token $token"
    c0=$(cpu)
    out=$(taskset -c 0 wrk -t1 -c16 -d"${secs}s" ${hdr:+-H "$hdr"} "http://127.0.0.1:$port$path")
    c1=$(cpu)
    n=$(printf '%s\n' "$out" | awk '/requests in/ { print $1 }')
    rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ { print $2 }')
    printf '%-60s %10s %12s\n' "$path${token:+ (token)}" "$rps" \
        "$(awk -v a="$c0" -v b="$c1" -v n="$n" -v t="$tick" 'BEGIN { printf "%.1f", (b - a) / t * 1e6 / n }')"
done
