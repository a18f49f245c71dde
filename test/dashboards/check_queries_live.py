#!/usr/bin/env python3
"""Runs every dashboard query (panels, annotations, variables; exported by
export_panel_queries.py with Grafana's variables substituted) against a
real, empty Prometheus and fails on any query Prometheus refuses (syntax,
types, unknown functions). The answer is empty, so this checks that the
queries are valid PromQL, not what they return: the live integration test
runs the same export against a Prometheus with data.

usage: check_queries_live.py [PROMETHEUS_BINARY] [REPO_ROOT]
"""
import json
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import export_panel_queries  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else "prometheus"
REPO = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else HERE.parents[1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def main():
    files = sorted((REPO / "dashboards").glob("*.json"))
    queries = [q for f in files for q in export_panel_queries.queries(f, include_all=True)]
    if not queries:
        print("FAIL  no dashboard queries found")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        cfg = pathlib.Path(tmp) / "prometheus.yml"
        cfg.write_text("global:\n  evaluation_interval: 1m\nscrape_configs: []\n")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(pathlib.Path(tmp) / "prometheus.log", "w+")
        proc = subprocess.Popen(
            [BINARY, f"--config.file={cfg}", f"--storage.tsdb.path={tmp}/data",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT)
        failures = []
        try:
            deadline = time.time() + 60
            while True:
                try:
                    if get(base + "/-/ready")[0] == 200:
                        break
                except (urllib.error.URLError, ConnectionError):
                    pass
                if proc.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    print(log.read())
                    print("FAIL  prometheus did not become ready")
                    return 1
                time.sleep(0.2)
            now = time.time()
            for name, pid, title, ref, q in queries:
                params = urllib.parse.urlencode({"query": q, "time": f"{now:.3f}"})
                status, body = get(f"{base}/api/v1/query?{params}")
                try:
                    answer = json.loads(body)
                except json.JSONDecodeError:
                    answer = {"status": "error", "error": body[:200]}
                if status != 200 or answer.get("status") != "success":
                    failures.append(f"{name} panel {pid} \"{title}\" {ref}: {answer.get('error')}\n      {q}")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
    for f in failures:
        print("FAIL  " + f)
    print(f"{len(queries) - len(failures)} of {len(queries)} dashboard queries accepted by Prometheus")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
