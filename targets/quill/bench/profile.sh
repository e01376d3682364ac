#!/bin/sh
# profile.sh BLOG_BIN DB_DIR URL_PATH [TOKEN]: where the quill blog's CPU goes on one URL: starts
# BLOG_BIN on a copy of the seeded database (WORKERS=1, CPU 1), loads it with wrk (CPU 0, 16
# connections, 5 s) and records 3 s of the server with `perf record -g`; prints the time by
# shared object, then by symbol (over 1%). Exit: 0 ok, 2 usage, 3 environment.
set -eu
[ $# -ge 3 ] || { echo "usage: profile.sh BLOG_BIN DB_DIR URL_PATH [TOKEN]" >&2; exit 2; }
bin=$1 src=$2 path=$3 token=${4:-}
dir=$(mktemp -d /tmp/quill-profile.XXXXXX)
cp "$src"/blog.db* "$dir"/
port=$((20000 + $$ % 20000))
DATABASE_PATH=$dir/blog.db SECRET_KEY=${SECRET_KEY:-bench-secret} PORT=$port WORKERS=1 \
    taskset -c 1 "$bin" 2> "$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
i=0
until curl -sf "http://127.0.0.1:$port/plaintext" > /dev/null; do
    i=$((i + 1)); [ $i -lt 100 ] || { echo "profile: server did not start" >&2; exit 3; }
    sleep 0.1
done
taskset -c 0 wrk -t1 -c16 -d5s ${token:+-H "Authorization: Token $token"} \
    "http://127.0.0.1:$port$path" > "$dir/wrk.txt" &
wrkpid=$!
sleep 1
perf record -q -g -p $pid -o "$dir/perf.data" -- sleep 3 2> /dev/null
wait $wrkpid
grep -E "requests in|Requests/sec" "$dir/wrk.txt"
perf report -i "$dir/perf.data" --no-children --sort dso --stdio -g none 2> /dev/null | grep '%'
perf report -i "$dir/perf.data" --no-children --sort dso,sym --stdio -g none --percent-limit 1 \
    2> /dev/null | grep '%'
