#!/usr/bin/env python3
"""TLS and basic auth on both ports of `vitals standalone`, from a web
config file in Prometheus' format (tls_server_config, basic_auth_users with
bcrypt hashes made by libcrypt through Python's crypt module):

- curl with the self-signed certificate's CA: a push shaped as Flink's
  PrometheusPushGatewayReporter sends it (PUT /metrics/job/<jobName>, text
  format 0.0.4, through simpleclient's PushGateway) is stored with the user
  and refused with 401 without one, and the refused push changes nothing;
  a migration POST to the scorer likewise; reads need a user; probes not.
- Debian's Prometheus scrapes the gateway and the scorer over TLS with
  basic auth (up == 1), and a scrape without the user is down (401).
- standalone refuses a simulator that would push plain HTTP without a user.

usage: web_auth_test.py VITALS PROMETHEUS CURL OPENSSL
"""
import json
import os
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import crypt  # libcrypt's bcrypt, the same library that verifies

VITALS, PROMETHEUS, CURL, OPENSSL = sys.argv[1:5]
USERS = {"flink": "push-secret", "prometheus": "scrape-secret"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def curl(url, ca, user=None, method="GET", data=None, content_type=None):
    """(HTTP status, body) of one request; status 0 when none came back."""
    args = [CURL, "-s", "-m", "10", "--cacert", str(ca), "-w", "\n%{http_code}", "-X", method]
    if user:
        args += ["-u", f"{user}:{USERS[user]}"]
    if content_type:
        args += ["-H", f"Content-Type: {content_type}"]
    if data is not None:
        args += ["--data-binary", data]
    out = subprocess.run(args + [url], capture_output=True, text=True).stdout
    body, _, code = out.rpartition("\n")
    return int(code or 0), body


def prometheus_up(base):
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": "up"})
    with urllib.request.urlopen(url, timeout=10) as r:
        return {x["metric"]["job"]: x["value"][1] for x in json.load(r)["data"]["result"]}


def main():
    failures = []

    def check(ok, what):
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem")],
                       check=True, capture_output=True)
        ca = tmp / "cert.pem"
        users = "".join(
            f"  {u}: {crypt.crypt(p, crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=2 ** 5))}\n"
            for u, p in USERS.items())
        web = tmp / "web.yml"
        web.write_text(f"tls_server_config:\n  cert_file: {tmp / 'key.pem'}\n"
                       f"  key_file: {tmp / 'key.pem'}\nbasic_auth_users:\n{users}")

        # A certificate file that holds no certificate: refused at start.
        bad = subprocess.run([VITALS, "standalone", "--web.config.file", str(web),
                              "--gateway-listen", "127.0.0.1:0", "--scorer-listen", "127.0.0.1:0",
                              "--statsd-listen", "127.0.0.1:0", "--table=false"],
                             capture_output=True, text=True, timeout=60)
        check(bad.returncode != 0 and "tls_server_config.cert_file" in bad.stderr,
              f"a bad certificate is refused at start: {bad.stderr.strip()[-200:]}")
        web.write_text(web.read_text().replace(f"cert_file: {tmp / 'key.pem'}",
                                               f"cert_file: {tmp / 'cert.pem'}"))

        plain = subprocess.run([VITALS, "standalone", "--web.config.file", str(web),
                                "--simulate-jobs", "1", "--simulate-reporter", "pushgateway",
                                "--table=false"], capture_output=True, text=True, timeout=60)
        check(plain.returncode == 2 and "use statsd or prometheus" in plain.stderr,
              "standalone refuses a simulator pushing plain HTTP without a user")

        log = open(tmp / "vitals.log", "w+")
        vitals = subprocess.Popen(
            [VITALS, "standalone", "--web.config.file", str(web),
             "--gateway-listen", "127.0.0.1:0", "--scorer-listen", "127.0.0.1:0",
             "--statsd-listen", "127.0.0.1:0", "--table=false", "--interval", "2s",
             "--simulate-jobs", "2", "--simulate-reporter", "statsd"],
            stdout=subprocess.PIPE, stderr=log, text=True)
        prom = None
        try:
            gateway = scorer = None
            for line in vitals.stdout:
                if m := re.search(r"gateway metrics\s+(https://[\d.:]+)/metrics", line):
                    gateway = m.group(1)
                if m := re.search(r"scorer metrics\s+(https://[\d.:]+)/metrics", line):
                    scorer = m.group(1)
                if gateway and scorer:
                    break
            if not (gateway and scorer):
                log.seek(0)
                print("FAIL  vitals standalone did not come up over https\n" + log.read())
                return 1

            # As simpleclient's PushGateway.push sends it for Flink's reporter.
            flink_push = ("# TYPE flink_jobmanager_numRunningJobs gauge\n"
                          "flink_jobmanager_numRunningJobs{host=\"jm-0\"} 1.0\n")
            text004 = "text/plain; version=0.0.4; charset=utf-8"
            code, _ = curl(f"{gateway}/metrics/job/refused_push", ca, method="PUT",
                           data=flink_push, content_type=text004)
            check(code == 401, f"a push without a user gets 401 (got {code})")
            code, _ = curl(f"{gateway}/metrics/job/flink_jm", ca, user="flink", method="PUT",
                           data=flink_push, content_type=text004)
            check(code == 200, f"a Flink-style push with its user is stored (got {code})")
            code, body = curl(f"{gateway}/api/v1/metrics", ca, user="flink")
            check(code == 200 and "flink_jm" in body and "refused_push" not in body,
                  "the Pushgateway API lists the accepted group, not the refused one")
            code, _ = curl(f"{gateway}/api/v1/metrics", ca)
            check(code == 401, f"reads need a user by default (got {code})")
            # Flink's InfluxdbReporter sends line protocol; credentials as
            # InfluxDB 1.x takes them, in the header or as u and p.
            line = "jobmanager_Status_JVM_CPU_Load,host=jm-0 value=0.5\n"
            code, _ = curl(f"{gateway}/write?db=flink", ca, method="POST", data=line)
            check(code == 401, f"an Influx write without a user gets 401 (got {code})")
            code, _ = curl(f"{gateway}/write?db=flink&u=flink&p={USERS['flink']}", ca,
                           method="POST", data=line)
            check(code == 204, f"an Influx write with u and p is taken (got {code})")
            code, _ = curl(f"{gateway}/healthz", ca)
            check(code == 200, f"probes need no user (got {code})")
            code, _ = curl(f"{gateway}/metrics/job/flink_jm", ca, method="DELETE")
            check(code == 401, f"a DELETE without a user gets 401 (got {code})")

            # A job the scorer knows: the simulated ones arrive within intervals.
            job = None
            deadline = time.time() + 60
            while job is None and time.time() < deadline:
                time.sleep(1)
                code, body = curl(f"{scorer}/api/v1/jobs", ca, user="flink")
                if m := re.search(r'"job_?[nN]ame"\s*:\s*"([^"]+)"', body):
                    job = m.group(1)
            check(job is not None, f"the scorer lists jobs to a user: {job}")
            migrations = f"{scorer}/api/v1/jobs/{job}/migrations"
            migration = json.dumps({"from": "yarn-a", "to": "k8s-a",
                                    "at": int(time.time() * 1000)})
            code, _ = curl(migrations, ca, method="POST", data=migration,
                           content_type="application/json")
            check(code == 401, f"a migration without a user gets 401 (got {code})")
            code, body = curl(migrations, ca, user="flink")
            check(code == 200 and "yarn-a" not in body,
                  f"the refused migration was not recorded ({code} {body[:100]})")
            code, _ = curl(migrations, ca, user="flink", method="POST", data=migration,
                           content_type="application/json")
            check(code == 201, f"a migration with a user is recorded (got {code})")
            code, body = curl(migrations, ca, user="flink")
            check(code == 200 and "yarn-a" in body, "the recorded migration is listed")

            # vitals status against the TLS scorer, with its user.
            env = dict(os.environ, VITALS_PASSWORD=USERS["flink"])
            st = subprocess.run([VITALS, "status", "--scorer", scorer, "--ca-file", str(ca),
                                 "--user", "flink", "--json"], capture_output=True, text=True,
                                env=env, timeout=30)
            check(st.returncode in (0, 3) and job in st.stdout,
                  f"vitals status reads the scorer over https with its user (exit {st.returncode})")
            st = subprocess.run([VITALS, "status", "--scorer", scorer, "--ca-file", str(ca)],
                                capture_output=True, text=True, timeout=30)
            check(st.returncode == 1 and "401" in st.stderr,
                  f"vitals status without the user is refused: {st.stderr.strip()[:120]}")

            def target(name, url, auth):
                job = {"job_name": name, "scheme": "https", "honor_labels": True,
                       "tls_config": {"ca_file": str(ca)},
                       "static_configs": [{"targets": [url.removeprefix("https://")]}]}
                if auth:
                    job["basic_auth"] = {"username": "prometheus",
                                         "password": USERS["prometheus"]}
                return job

            (tmp / "prometheus.yml").write_text(json.dumps({
                "global": {"scrape_interval": "1s"},
                "scrape_configs": [target("gateway", gateway, True),
                                   target("scorer", scorer, True),
                                   target("gateway-no-user", gateway, False)]}))
            port = free_port()
            prom = subprocess.Popen(
                [PROMETHEUS, f"--config.file={tmp / 'prometheus.yml'}",
                 f"--storage.tsdb.path={tmp / 'data'}",
                 f"--web.listen-address=127.0.0.1:{port}"],
                stdout=open(tmp / "prometheus.log", "w"), stderr=subprocess.STDOUT)
            want = {"gateway": "1", "scorer": "1", "gateway-no-user": "0"}
            up = {}
            deadline = time.time() + 90
            while time.time() < deadline:
                time.sleep(2)
                try:
                    up = prometheus_up(f"http://127.0.0.1:{port}")
                except OSError:
                    continue
                if up == want:
                    break
            check(up == want, f"Prometheus over TLS: with the user up, without it down: {up}")
        finally:
            if prom:
                prom.terminate()
                prom.wait(timeout=30)
            vitals.terminate()
            vitals.wait(timeout=60)
        if failures:
            log.seek(0)
            print("vitals log (tail):\n" + log.read()[-3000:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
