"""Hostile clients for tools/bench, over real sockets on loopback.

    python3 hostile.py hold HOST PORT SLOW IDLE ADDRESSES SECONDS PATH
        SLOW connections that send one header byte every 3 s and IDLE that
        send nothing, spread over ADDRESSES source addresses (127.0.0.2, ...);
        each one the server closes is opened again at once. Prints what it
        saw as JSON when SECONDS are up or at SIGTERM.
    python3 hostile.py bodies HOST PORT BYTES TOKEN
        Huge request bodies, 4 connections at a time, until BYTES have been
        sent: sized and chunked, with no token and with TOKEN (which may send,
        but not this much). Prints the bytes sent and the answers, as JSON.

bench.py runs these as separate processes, so the attack never shares a
Python interpreter with what is being timed.
"""
import json
import resource
import selectors
import signal
import socket
import sys
import threading
import time

DRIBBLE_S = 3.0


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def hold(host, port, slow, idle, addresses, seconds, path):
    raise_fd_limit()
    sel = selectors.DefaultSelector()
    header = ("POST %s HTTP/1.1\r\nHost: %s\r\nX-Slow: " % (path, host)).encode() + b"a" * 1_000_000
    conns = {}
    seen = {"opened": 0, "closed_by_server": 0, "refused_at_connect": 0, "answered_503": 0}

    def open_one(kind, i):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.bind(("127.0.0.%d" % (2 + i % addresses), 0))
        try:
            s.connect((host, port))
        except BlockingIOError:
            pass
        except OSError:
            seen["refused_at_connect"] += 1
            s.close()
            return
        conns[s] = {"kind": kind, "i": i, "sent": 0, "next": time.monotonic() + DRIBBLE_S}
        sel.register(s, selectors.EVENT_READ)
        seen["opened"] += 1

    for i in range(slow):
        open_one("slow", i)
    for i in range(idle):
        open_one("idle", slow + i)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))
    end = time.monotonic() + seconds
    while time.monotonic() < end and not stop:
        for key, _ in sel.select(timeout=0.2):
            s = key.fileobj
            try:
                data = s.recv(65536)
            except OSError:
                data = b""
            if data.startswith(b"HTTP/1.1 503"):
                seen["answered_503"] += 1
            if not data or data.startswith(b"HTTP/"):
                c = conns.pop(s)
                sel.unregister(s)
                s.close()
                seen["closed_by_server"] += 1
                open_one(c["kind"], c["i"])
        now = time.monotonic()
        for s, c in list(conns.items()):
            if c["kind"] == "slow" and now >= c["next"]:
                try:
                    c["sent"] += s.send(header[c["sent"]:c["sent"] + 1])
                except OSError:
                    pass
                c["next"] = now + DRIBBLE_S
    seen["open_at_end"] = len(conns)
    print(json.dumps(seen))


def bodies(host, port, total, token):
    raise_fd_limit()
    lock = threading.Lock()
    state = {"sent": 0, "requests": 0, "answers": {}}
    chunk = b"0" * (1 << 20)
    kinds = [("sized", None), ("chunked", None), ("sized", token), ("chunked", token)]

    def one(kind, tok):
        s = socket.create_connection((host, port), timeout=10)
        head = "POST /v1/responses HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n" % host
        if tok:
            head += "Authorization: Bearer %s\r\n" % tok
        head += "Content-Length: %d\r\n" % (1 << 30) if kind == "sized" else "Transfer-Encoding: chunked\r\n"
        s.sendall((head + "\r\n").encode())
        piece = chunk if kind == "sized" else b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        sent = 0
        try:
            while True:
                with lock:
                    if state["sent"] >= total:
                        break
                s.sendall(piece)
                sent += len(piece)
                with lock:
                    state["sent"] += len(piece)
        except OSError:
            pass
        answer = b""
        try:
            s.settimeout(2)
            answer = s.recv(64)
        except OSError:
            pass
        s.close()
        status = answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/") else "closed"
        with lock:
            state["requests"] += 1
            key = "%s %s: %s" % (kind, "token" if tok else "no token", status)
            state["answers"][key] = state["answers"].get(key, 0) + 1

    def worker(k):
        while True:
            with lock:
                if state["sent"] >= total:
                    return
            one(*kinds[k % len(kinds)])
            k += 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps(state))


def main():
    if len(sys.argv) == 9 and sys.argv[1] == "hold":
        hold(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]),
             float(sys.argv[7]), sys.argv[8])
        return 0
    if len(sys.argv) == 6 and sys.argv[1] == "bodies":
        bodies(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
