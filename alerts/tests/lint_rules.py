#!/usr/bin/env python3
"""Conventions of alerts/rules/*.yml, checked on the rules as a real
Prometheus loads them (GET /api/v1/rules), so no YAML library is needed:

  - every alerting rule has labels severity (critical|warning), team and
    component, and annotations summary, description and runbook_url;
  - runbook_url is absolute: the runbook base of the source rules
    (DEFAULT_RUNBOOK_BASE of deploy/tools/generate_rules.py, which a site
    replaces with --runbook-base) + #<anchor>, and the anchor is a heading
    of docs/runbooks.md; every alert section of the runbooks belongs to an
    alert (no stale runbooks);
  - job alerts (component flink-job) keep job_name and cluster in their
    summary or description, and job_id too when their expression has it
    (flink_job_state, and so FlinkJobNotRunning, has none);
  - recording rules follow level:metric:operations naming;
  - every alert has a promtool test case where it fires and one where it
    stays silent (alerts/tests/*.test.yml);
  - every rule evaluates without error in Prometheus.

usage: lint_rules.py [PROMETHEUS_BINARY] [REPO_ROOT]
"""
import json
import pathlib
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
BINARY = sys.argv[1] if len(sys.argv) > 1 else "prometheus"
# Absolute: the rule files are listed in a config file in a temporary
# directory, against which Prometheus resolves relative paths.
REPO = (pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else HERE.parents[1]).resolve()
sys.path.insert(0, str(REPO / "deploy" / "tools"))
from generate_rules import DEFAULT_RUNBOOK_BASE  # noqa: E402

SEVERITIES = {"critical", "warning"}
COMPONENTS = {"flink-job", "vitals-gateway", "vitals-scorer", "{{ $labels.job }}"}


def github_anchor(heading):
    slug = heading.strip().lower()
    slug = re.sub(r"[^\w\- ]", "", slug)
    return slug.replace(" ", "-")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def load_rules():
    rule_files = sorted((REPO / "alerts" / "rules").glob("*.yml"))
    with tempfile.TemporaryDirectory() as tmp:
        cfg = pathlib.Path(tmp) / "prometheus.yml"
        cfg.write_text("global:\n  evaluation_interval: 1s\nrule_files:\n"
                       + "".join(f"  - {json.dumps(str(f))}\n" for f in rule_files))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(pathlib.Path(tmp) / "prometheus.log", "w+")
        proc = subprocess.Popen(
            [BINARY, f"--config.file={cfg}", f"--storage.tsdb.path={tmp}/data",
             f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 60
            while True:
                try:
                    groups = get_json(base + "/api/v1/rules")["data"]["groups"]
                    rules = [r | {"file": pathlib.Path(g["file"]).name, "group": g["name"]}
                             for g in groups for r in g["rules"]]
                    # Wait for one evaluation of every rule.
                    if rules and all(r.get("health") != "unknown" for r in rules):
                        return rules, len(rule_files)
                except (urllib.error.URLError, ConnectionError, KeyError):
                    pass
                if proc.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    raise RuntimeError("prometheus did not load the rules:\n" + log.read()[-3000:])
                time.sleep(0.3)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()


def main():
    errors = []
    rules, nfiles = load_rules()
    runbooks = (REPO / "docs" / "runbooks.md").read_text()
    headings = re.findall(r"^##\s+(.+?)\s*$", runbooks, re.M)
    anchors = {github_anchor(h) for h in headings}
    tests = "\n".join(p.read_text() for p in sorted((REPO / "alerts" / "tests").glob("*.test.yml")))

    alert_names = set()
    for r in rules:
        where = f"{r['file']}: {r['name']}"
        if r.get("health") != "ok":
            errors.append(f"{where}: health {r.get('health')}: {r.get('lastError')}")
        if r["type"] == "recording":
            if not re.fullmatch(r"[a-z_]+:[a-z_]+:[a-z_]+", r["name"]):
                errors.append(f"{where}: recording rule names follow level:metric:operations")
            continue
        alert_names.add(r["name"])
        labels, ann = r.get("labels", {}), r.get("annotations", {})
        if labels.get("severity") not in SEVERITIES:
            errors.append(f"{where}: severity {labels.get('severity')!r} not in {sorted(SEVERITIES)}")
        if not labels.get("team"):
            errors.append(f"{where}: no team label")
        if labels.get("component") not in COMPONENTS:
            errors.append(f"{where}: component {labels.get('component')!r} not in {sorted(COMPONENTS)}")
        for key in ("summary", "description", "runbook_url"):
            if not ann.get(key):
                errors.append(f"{where}: no {key} annotation")
        m = re.fullmatch(re.escape(DEFAULT_RUNBOOK_BASE) + r"#([\w-]+)", ann.get("runbook_url", ""))
        if not m:
            errors.append(f"{where}: runbook_url {ann.get('runbook_url')!r} is not "
                          f"{DEFAULT_RUNBOOK_BASE}#<anchor>")
        elif m.group(1) not in anchors:
            errors.append(f"{where}: docs/runbooks.md has no heading with anchor #{m.group(1)}")
        elif m.group(1) != github_anchor(r["name"]):
            errors.append(f"{where}: runbook_url points at #{m.group(1)}, not at its own section")
        if labels.get("component") == "flink-job":
            text = ann.get("summary", "") + ann.get("description", "")
            keeps = ["job_name", "cluster"]
            if re.search(r"\bjob_id\b", r.get("query", "")):
                keeps.insert(1, "job_id")
            for lbl in keeps:
                if f"$labels.{lbl}" not in text:
                    errors.append(f"{where}: summary/description do not mention $labels.{lbl}")
    for name in sorted(alert_names):
        fires = re.search(rf"alertname:\s*{name}\s*\n\s*exp_alerts:\s*\n\s*-", tests)
        silent = re.search(rf"alertname:\s*{name}\s*\n\s*exp_alerts:\s*\[\]", tests)
        if not fires:
            errors.append(f"{name}: no promtool test case where it fires")
        if not silent:
            errors.append(f"{name}: no promtool test case where it stays silent")
    for h in headings:
        if re.fullmatch(r"(Flink|Vitals)[A-Za-z]+", h) and h not in alert_names:
            errors.append(f"docs/runbooks.md: section {h} belongs to no alert")

    for e in errors:
        print("FAIL  " + e)
    print(f"{len(rules)} rules in {nfiles} files, {len(alert_names)} alerts: "
          + ("ok" if not errors else f"{len(errors)} problem(s)"))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
