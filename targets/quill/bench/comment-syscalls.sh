#!/bin/sh
# comment-syscalls.sh BLOG_BIN [SECONDS]: what one POST /api/articles/<slug>/comments costs the
# quill blog under sustained writes. Starts BLOG_BIN on a fresh database (WORKERS=1, CPU 1),
# registers a user and one article, then three times loads it with wrk (CPU 0, 64 connections,
# SECONDS each, default 5, a unique body per request) and prints requests, the server's CPU
# microseconds per request (user + system from /proc/PID/stat) and the WAL's size; finally counts
# the system calls of each server thread per answered request (strace over 0.3 s of a fourth
# load). Exit: 0 ok, 2 usage, 3 environment.
set -eu
[ $# -ge 1 ] || { echo "usage: comment-syscalls.sh BLOG_BIN [SECONDS]" >&2; exit 2; }
bin=$1 secs=${2:-5}
for tool in wrk strace curl; do
    command -v $tool > /dev/null || { echo "comment-syscalls: $tool is not installed" >&2; exit 3; }
done
dir=$(mktemp -d /tmp/quill-comment.XXXXXX)
port=$((20000 + $$ % 20000))
DATABASE_PATH=$dir/blog.db SECRET_KEY=bench-secret PORT=$port WORKERS=1 \
    taskset -c 1 "$bin" 2> "$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
i=0
until curl -sf "http://127.0.0.1:$port/plaintext" > /dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "comment-syscalls: server did not start" >&2; exit 3; }
    sleep 0.1
done
base=http://127.0.0.1:$port/api
field() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
token=$(curl -sf -X POST "$base/users" -H 'Content-Type: application/json' \
    -d '{"user":{"username":"bench","email":"bench@example.com","password":"password1"}}' |
    field token)
slug=$(curl -sf -X POST "$base/articles" -H "Authorization: Token $token" \
    -H 'Content-Type: application/json' \
    -d '{"article":{"title":"Bench","description":"d","body":"b","tagList":["t"]}}' | field slug)
cat > "$dir/post.lua" << 'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"comment":{"body":"bench comment ' .. n .. '"}}')
end
EOF
load() {
    taskset -c 0 wrk -t1 -c64 -d"$1s" -s "$dir/post.lua" -H "Authorization: Token $token" \
        "$base/articles/$slug/comments"
}
tick=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' /proc/$pid/stat; }
for run in 1 2 3; do
    c0=$(cpu)
    n=$(load "$secs" | awk '/requests in/ { print $1 }')
    c1=$(cpu)
    echo "run $run: $n requests in ${secs} s, $(( (c1 - c0) * 1000000 / tick / n )) us CPU/request," \
        "WAL $(stat -c %s "$dir/blog.db-wal") bytes"
done
load 3 > /dev/null &
loadpid=$!
sleep 1
timeout -s INT 0.3 strace -f -p $pid -o "$dir/trace" 2> /dev/null || true
wait $loadpid
n=$(grep -c 'write(.*HTTP/1.1 201' "$dir/trace")
echo "system calls per answered request ($n answers traced), by thread:"
awk -v n="$n" '$2 !~ /^</ { split($2, a, "("); c[$1 " " a[1]]++ }
    END { for (k in c) if (c[k] >= n / 10) printf "  %s %.1f\n", k, c[k] / n }' "$dir/trace" |
    sort -k1,1 -k3,3nr
