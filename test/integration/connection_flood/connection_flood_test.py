#!/usr/bin/env python3
"""A flood of idle TCP connections against `vitals standalone`'s gateway
port (default http.max_connections, 10,000):

- 25,000 connections are opened by client processes (each under the
  descriptor limit) and held open, sending nothing;
- throughout, a probe opens a fresh connection every 250 ms and
  `GET /healthz` must answer 200 within 1 s;
- while the flood holds, a push on a fresh connection is refused with 503
  (beyond max_connections only probes are answered) or lands after the
  excess connections were closed;
- once the clients close, a fresh push is stored (200);
- the log holds at most a few lines per 10 s period about connections over
  the limit or failed accepts.

usage: connection_flood_test.py VITALS
"""
import multiprocessing as mp
import pathlib
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time

VITALS = sys.argv[1]
FLOOD = 25_000


def raise_descriptor_limit():
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def hold(port, count, opened, release):
    """Opens `count` idle connections, reports how many, holds them until
    `release` is set."""
    raise_descriptor_limit()
    socks = []
    for _ in range(count):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            socks.append(s)
        except OSError:
            break
    opened.put(len(socks))
    release.wait()
    for s in socks:
        s.close()


def request(port, raw, timeout=1.0):
    """(status, seconds) of one request on a fresh connection; 0 on failure."""
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(raw)
            head = s.recv(64)
        status = int(head.split()[1]) if head.startswith(b"HTTP/1.1 ") else 0
    except (OSError, ValueError, IndexError):
        status = 0
    return status, time.monotonic() - start


def probe(port):
    return request(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


def push(port, job):
    body = b"flink_jobmanager_numRunningJobs{host=\"jm-0\"} 1\n"
    return request(port, b"PUT /metrics/job/" + job.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                   b"Content-Type: text/plain; version=0.0.4\r\nConnection: close\r\n"
                   b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body, timeout=5)


def main():
    failures = []

    def check(ok, what):
        print(("ok    " if ok else "FAIL  ") + what, flush=True)
        if not ok:
            failures.append(what)

    hard = raise_descriptor_limit()
    per_client = max(1000, min(10_000, hard - 200))
    clients = -(-FLOOD // per_client)
    with tempfile.TemporaryDirectory() as tmp:
        log_path = pathlib.Path(tmp) / "vitals.log"
        log = open(log_path, "w+")
        vitals = subprocess.Popen(
            [VITALS, "standalone", "--gateway-listen", "127.0.0.1:0",
             "--scorer-listen", "127.0.0.1:0", "--statsd-listen", "127.0.0.1:0", "--table=false"],
            stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            port = None
            for line in vitals.stdout:
                if m := re.search(r"gateway metrics\s+http://127\.0\.0\.1:(\d+)/metrics", line):
                    port = int(m.group(1))
                    break
            if port is None:
                print("FAIL  vitals standalone did not come up")
                return 1
            check(push(port, "before")[0] == 200, "a push before the flood is stored")

            started = time.monotonic()
            opened, release = mp.Queue(), mp.Event()
            holders = [mp.Process(target=hold, args=(port, min(per_client, FLOOD - i * per_client),
                                                     opened, release))
                       for i in range(clients)]
            for h in holders:
                h.start()
            # Probe while the clients connect and hold.
            latencies, bad, during_push = [], [], None
            total = None
            got = []
            while time.monotonic() - started < 60:
                status, took = probe(port)
                latencies.append(took)
                if status != 200 or took > 1.0:
                    bad.append((round(time.monotonic() - started, 1), status, round(took, 3)))
                while not opened.empty():
                    got.append(opened.get())
                if len(got) == clients and total is None:
                    total = sum(got)
                    held_since = time.monotonic()
                if total is not None and during_push is None:
                    during_push = push(port, "during")[0]
                if total is not None and time.monotonic() - held_since > 5:
                    break
                time.sleep(0.25)
            check(total is not None and total >= FLOOD * 0.98,
                  f"{total} of {FLOOD} connections opened by {clients} client processes")
            check(not bad and len(latencies) >= 10,
                  f"/healthz answered 200 within 1 s on all {len(latencies)} probes "
                  f"(max {max(latencies):.3f} s; failures {bad[:5]})")
            check(during_push in (200, 503),
                  f"a push during the flood is answered or refused, not hung (got {during_push})")

            release.set()
            for h in holders:
                h.join(timeout=60)
            stored = 0
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and stored != 200:
                stored = push(port, "after")[0]
                time.sleep(0.2)
            check(stored == 200, "a fresh push is stored once the flood has gone")

            log.flush()
            text = log_path.read_text()
            about = [l for l in text.splitlines()
                     if "over max_connections" in l or "accept failed" in l]
            periods = (time.monotonic() - started) / 10 + 1
            check(len(about) <= 2 * periods + 2,
                  f"{len(about)} log lines about the flood in {periods:.0f} periods of 10 s")
            for line in about[:4]:
                print("      " + line[:200])
        finally:
            vitals.terminate()
            vitals.wait(timeout=60)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
