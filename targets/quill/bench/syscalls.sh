#!/bin/sh
# syscalls.sh BLOG_BIN DB_DIR URL_PATH [TOKEN]: system calls per request of the quill blog on one
# URL: starts BLOG_BIN on a copy of the seeded database (WORKERS=1, CPU 1), loads it with wrk for
# 4 s (CPU 0) and counts the server's system calls with `strace -c` during 2 s of that load,
# printing the table and the number of requests wrk completed in the whole 4 s.
# Exit: 0 ok, 2 usage, 3 environment.
set -eu
[ $# -ge 3 ] || { echo "usage: syscalls.sh BLOG_BIN DB_DIR URL_PATH [TOKEN]" >&2; exit 2; }
bin=$1 src=$2 path=$3 token=${4:-}
dir=$(mktemp -d /tmp/quill-syscalls.XXXXXX)
cp "$src"/blog.db* "$dir"/
port=$((20000 + $$ % 20000))
DATABASE_PATH=$dir/blog.db SECRET_KEY=${SECRET_KEY:-bench-secret} PORT=$port WORKERS=1 \
    taskset -c 1 "$bin" 2> "$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
i=0
until curl -sf "http://127.0.0.1:$port/plaintext" > /dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "syscalls: server did not start" >&2; exit 3; }
    sleep 0.1
done
taskset -c 0 wrk -t1 -c16 -d4s ${token:+-H "Authorization: Token $token"} \
    "http://127.0.0.1:$port$path" > "$dir/wrk.txt" &
wrkpid=$!
sleep 1
timeout 2 strace -c -f -p $pid 2>&1 | grep -v -e attached -e detached
wait $wrkpid
grep "requests in" "$dir/wrk.txt"
