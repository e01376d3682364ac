"""pg-probe: a target for the PostgreSQL lifecycle test (tests/harness/db/pg_lifecycle.sh).

It follows the harness contract (HOST, PORT, DATABASE_URL) with the standard library and psycopg2:
  GET  /plaintext  200 "ok" (readiness)
  GET  /db         {"database": current_database(), "url": DATABASE_URL, "rows": N, "encoding",
                    "collate"}: proves the URL works and the database is fresh (rows starts at 0)
  POST /write      inserts a row, answers {"rows": N}
  GET  /sleep      sleeps 300 ms (keeps a run busy for the Ctrl-C and SIGKILL cases)
With PROBE_CRASH=1 it exits with status 3 on the first /db (a target crash mid-run)."""
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2

URL = os.environ.get("DATABASE_URL", "")


def db():
    return psycopg2.connect(URL)


with db() as conn, conn.cursor() as cur:
    cur.execute("CREATE TABLE IF NOT EXISTS probe (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/plaintext":
            return self.answer(200, "ok", "text/plain")
        if self.path == "/sleep":
            time.sleep(0.3)
            return self.answer(200, {"slept": 300})
        if self.path == "/db":
            if os.environ.get("PROBE_CRASH") == "1":
                os._exit(3)
            with db() as conn, conn.cursor() as cur:
                cur.execute("SELECT current_database(), (SELECT count(*) FROM probe),"
                            " pg_encoding_to_char(encoding), datcollate FROM pg_database"
                            " WHERE datname = current_database()")
                name, rows, enc, coll = cur.fetchone()
            return self.answer(200, {"database": name, "url": URL, "rows": rows,
                                     "encoding": enc, "collate": coll})
        return self.answer(404, {"error": "not found"})

    def do_POST(self):
        if self.path == "/write":
            n = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(n)
            with db() as conn, conn.cursor() as cur:
                cur.execute("INSERT INTO probe (v) VALUES ('x')")
                cur.execute("SELECT count(*) FROM probe")
                rows = cur.fetchone()[0]
            return self.answer(200, {"rows": rows})
        return self.answer(404, {"error": "not found"})


ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
