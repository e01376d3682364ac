#!/usr/bin/python3
"""socket_probe.py: mutated and split HTTP requests over real sockets against a running quill
server (the state machine of targets/quill/src/conn.c, which the libFuzzer target does not reach).

    PORT=21446 build-asan/targets/quill/quill_example &     # an ASan build
    tests/fuzz/socket_probe.py 21446 60                      # port, seconds

Prints the connections made and the statuses seen; exits 1 if any 5xx was answered. Afterwards
stop the server with SIGTERM and check its stderr for sanitizer reports. Deterministic (seed 1).
"""
import random, socket, time, sys
port = int(sys.argv[1]); dur = float(sys.argv[2])
rnd = random.Random(1)
base = [b"GET /users/1 HTTP/1.1\r\nHost: t\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
        b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"PUT /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nxyz",
        b"HEAD /page HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        b"POST /json HTTP/1.1\r\nHost: t\r\nContent-Length: 9\r\n\r\n{\"a\":[1]}",
        b"OPTIONS /x HTTP/1.1\r\nHost: t\r\n\r\n",
        b"GET /api/private HTTP/1.1\r\nHost: t\r\nAuthorization: Token letmein\r\nCookie: session=1\r\n\r\n"]
def mutate(b):
    b = bytearray(b)
    for _ in range(rnd.randint(0, 4)):
        op = rnd.randint(0, 3)
        i = rnd.randint(0, len(b))
        if op == 0 and b: b[min(i, len(b)-1)] = rnd.randint(0, 255)
        elif op == 1: b[i:i] = bytes([rnd.choice(b"\r\n :0a%\x00\tF")])
        elif op == 2 and b: del b[min(i, len(b)-1)]
        else: b[i:i] = b[:rnd.randint(0, len(b))]
    return bytes(b)
end = time.time() + dur; n = 0; statuses = {}
while time.time() < end:
    s = socket.create_connection(("127.0.0.1", port)); s.settimeout(0.3)
    data = b"".join(mutate(rnd.choice(base)) if rnd.random() < 0.5 else rnd.choice(base) for _ in range(rnd.randint(1, 6)))
    try:
        pos = 0
        while pos < len(data):
            k = rnd.randint(1, 64); s.sendall(data[pos:pos+k]); pos += k
        s.shutdown(socket.SHUT_WR) if rnd.random() < 0.5 else None
        got = b""
        while True:
            c = s.recv(65536)
            if not c: break
            got += c
    except (socket.timeout, ConnectionResetError, BrokenPipeError): pass
    for line in got.split(b"\r\n"):
        if line.startswith(b"HTTP/1.1 "): statuses[line[9:12]] = statuses.get(line[9:12], 0) + 1
    s.close(); n += 1
print(n, "connections", dict(sorted(statuses.items())))
bad = [k for k in statuses if k.startswith(b"5")]
print("5xx:", bad)
sys.exit(1 if bad else 0)
