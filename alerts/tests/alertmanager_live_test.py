#!/usr/bin/env python3
"""Runs a real AlertManager with alerts/alertmanager.yml, posts a set of
alerts and checks what amtool cannot: inhibition (critical silences the
warnings of the same job, a job that does not run silences its health
critical, a wave's rollback silences the job's rollback recommendation,
the critical twin silences its warning twin, an absent component
silences its per-target "down" alerts, absent gateways silence "not
running" in their cluster or, when none is up anywhere, everywhere) and
grouping (one group per job).

usage: alertmanager_live_test.py [ALERTMANAGER_BINARY] [CONFIG]
Nothing is ever notified: the test ends long before group_wait (30s).
"""
import json
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
BINARY = sys.argv[1] if len(sys.argv) > 1 else "prometheus-alertmanager"
CONFIG = sys.argv[2] if len(sys.argv) > 2 else str(HERE.parent / "alertmanager.yml")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def job_alert(name, severity, job_name, cluster, team, **extra):
    labels = dict(alertname=name, severity=severity, job_name=job_name, job_id=job_name + "-id",
                  cluster=cluster, team=team, component="flink-job")
    labels.update(extra)
    return labels


def not_running_alert(job_name, cluster, team):
    # flink_job_state has no job_id, so neither has FlinkJobNotRunning.
    labels = job_alert("FlinkJobNotRunning", "critical", job_name, cluster, team)
    del labels["job_id"]
    return labels


def infra_alert(name, severity, component, **extra):
    labels = dict(alertname=name, severity=severity, component=component, team="flink-platform")
    labels.update(extra)
    return labels


# key -> (labels, expected inhibitors (keys) or [] when it must stay active)
ALERTS = {
    "crit": (job_alert("FlinkJobHealthCritical", "critical", "orders-enrich", "k8s-prod-eu", "payments"), []),
    "stalled": (job_alert("FlinkCheckpointsStalled", "critical", "orders-enrich", "k8s-prod-eu", "payments"), []),
    # Same job, same cluster: silenced by both critical alerts of the job.
    "degraded": (job_alert("FlinkJobHealthDegraded", "warning", "orders-enrich", "k8s-prod-eu", "payments"),
                 ["crit", "stalled"]),
    "backpressure": (job_alert("FlinkJobBackpressureSustained", "warning", "orders-enrich", "k8s-prod-eu",
                               "payments"), ["crit", "stalled"]),
    # The same job name on its old cluster (a migration): not silenced.
    "degraded_old_cluster": (job_alert("FlinkJobHealthDegraded", "warning", "orders-enrich", "yarn-prod-1",
                                       "payments"), []),
    # Another job: not silenced.
    "degraded_other": (job_alert("FlinkJobHealthDegraded", "warning", "clicks-sessionize", "k8s-prod-eu",
                                 "flink-platform"), []),
    # ledger does not run: its health critical adds nothing and is silenced;
    # its checkpoints-stalled alert stays (the recovery point's age matters
    # to a restart), and its warnings are silenced by any of its criticals.
    "not_running": (not_running_alert("ledger", "k8s-prod-eu", "payments"), []),
    "ledger_crit": (job_alert("FlinkJobHealthCritical", "critical", "ledger", "k8s-prod-eu", "payments"),
                    ["not_running"]),
    "ledger_stalled": (job_alert("FlinkCheckpointsStalled", "critical", "ledger", "k8s-prod-eu", "payments"), []),
    "ledger_degraded": (job_alert("FlinkJobHealthDegraded", "warning", "ledger", "k8s-prod-eu", "payments"),
                        ["not_running", "ledger_crit", "ledger_stalled"]),
    # The same job name on another cluster: not silenced.
    "ledger_crit_old_cluster": (job_alert("FlinkJobHealthCritical", "critical", "ledger", "yarn-prod-1",
                                          "payments"), []),
    # A wave's rollback verdict names the wave; the same job's rollback
    # recommendation about that verdict adds nothing and is silenced, on the
    # job's cluster only. FlinkWaveRollback has no job_id (the verdict
    # metric has none).
    "wave_rollback": (dict(alertname="FlinkWaveRollback", severity="critical", wave="w1",
                           job_name="fraud-score", cluster="k8s-prod-eu", team="risk",
                           component="flink-job"), []),
    "rollback_recommended": (job_alert("FlinkJobRollbackRecommended", "critical", "fraud-score",
                                       "k8s-prod-eu", "risk"), ["wave_rollback"]),
    # A migrated job outside any wave keeps its recommendation.
    "rollback_recommended_no_wave": (job_alert("FlinkJobRollbackRecommended", "critical", "billing",
                                               "k8s-prod-eu", "payments"), []),
    # No gateway up in yarn-prod-1 (gw_absent below): every job there is
    # not_reporting, its "not running" alert is silenced.
    "not_running_no_gateway": (not_running_alert("sessions", "yarn-prod-1", "search"), ["gw_absent"]),
    # Two-level alert: the critical twin silences the warning twin of the
    # same replica only.
    "lag_crit": (infra_alert("VitalsScorerLagging", "critical", "vitals-scorer", job="vitals-scorer",
                             cluster="k8s-prod-eu", instance="scorer-0:9095"), []),
    "lag_warn": (infra_alert("VitalsScorerLagging", "warning", "vitals-scorer", job="vitals-scorer",
                             cluster="k8s-prod-eu", instance="scorer-0:9095"), ["lag_crit"]),
    "lag_warn_other": (infra_alert("VitalsScorerLagging", "warning", "vitals-scorer", job="vitals-scorer",
                                   cluster="k8s-prod-eu", instance="scorer-1:9095"), []),
    # Alerts without job_name do not inhibit each other across alert names.
    "kafka_failing": (infra_alert("VitalsGatewayKafkaDeliveryFailing", "critical", "vitals-gateway",
                                  job="vitals-gateway", cluster="yarn-prod-1", instance="node-1:9091"), []),
    "buffer": (infra_alert("VitalsGatewayKafkaBufferNearFull", "warning", "vitals-gateway",
                           job="vitals-gateway", cluster="yarn-prod-1", instance="node-1:9091"), []),
    # No gateway up in yarn-prod-1: its targets' "down" alerts are silenced,
    # not those of another cluster.
    "gw_absent": (infra_alert("VitalsGatewayAbsent", "critical", "vitals-gateway", cluster="yarn-prod-1"), []),
    "gw_down": (infra_alert("VitalsTargetDown", "warning", "vitals-gateway", job="vitals-gateway",
                            cluster="yarn-prod-1", instance="node-1:9091"), ["gw_absent"]),
    "gw_down_other": (infra_alert("VitalsTargetDown", "warning", "vitals-gateway", job="vitals-gateway",
                                  cluster="k8s-prod-eu", instance="node-7:9091"), []),
}


# Posted after the alerts above have settled: no gateway is up anywhere
# (VitalsGatewayAbsent without a cluster label). It silences every "not
# running" alert, and nothing else of the set above.
FLEET_WIDE = {
    "gw_absent_everywhere": (infra_alert("VitalsGatewayAbsent", "critical", "vitals-gateway"), []),
}
FLEET_WIDE_CHANGES = {
    "not_running": ["gw_absent_everywhere"],
    "not_running_no_gateway": ["gw_absent", "gw_absent_everywhere"],
}


def settled(status, fingerprints, inhibitors):
    """Active when no inhibitor is expected; otherwise suppressed by some of
    the expected inhibitors and nothing else (AlertManager names the first
    inhibitor it finds, not all of them)."""
    got = set(status["inhibitedBy"])
    if not inhibitors:
        return status["state"] == "active" and not got
    allowed = {fingerprints.get(i) for i in inhibitors}
    return status["state"] == "suppressed" and bool(got) and got <= allowed


def http(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        raw = r.read()
        if "json" not in r.headers.get("Content-Type", ""):
            return raw.decode(errors="replace")
        return json.loads(raw) if raw else None


def main():
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(os.path.join(tmp, "am.log"), "w+")
        proc = subprocess.Popen(
            [BINARY, f"--config.file={CONFIG}", f"--storage.path={tmp}",
             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
            stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.time() + 30
            while True:
                try:
                    http("GET", base + "/-/ready")
                    break
                except (urllib.error.URLError, ConnectionError):
                    if proc.poll() is not None or time.time() > deadline:
                        log.seek(0)
                        print(log.read())
                        print("FAIL: alertmanager did not become ready")
                        return 1
                    time.sleep(0.2)

            now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60))

            def post(alerts):
                http("POST", base + "/api/v2/alerts",
                     [{"labels": labels, "annotations": {"summary": key}, "startsAt": now}
                      for key, (labels, _) in alerts.items()])

            def check(expected, phase):
                """expected: key -> expected inhibitors ([] = active)."""
                # Inhibition is settled asynchronously: poll until stable.
                fingerprints = {}
                states = {}
                deadline = time.time() + 20
                while time.time() < deadline:
                    got = http("GET", base + "/api/v2/alerts")
                    by_key = {a["annotations"]["summary"]: a for a in got}
                    fingerprints = {k: a["fingerprint"] for k, a in by_key.items()}
                    states = {k: a["status"] for k, a in by_key.items()}
                    if len(by_key) == len(expected) and all(
                            k in states and settled(states[k], fingerprints, inh) for k, inh in expected.items()):
                        break
                    time.sleep(0.3)

                for key, inhibitors in expected.items():
                    status = states.get(key)
                    if status is None:
                        failures.append(f"{phase}{key}: not known to alertmanager")
                        continue
                    want_state = "suppressed" if inhibitors else "active"
                    if not settled(status, fingerprints, inhibitors):
                        names = {v: k for k, v in fingerprints.items()}
                        failures.append(f"{phase}{key}: want {want_state} by one of {inhibitors}, "
                                        f"got {status['state']} by {[names.get(f, f) for f in status['inhibitedBy']]}")
                    else:
                        print(f"ok    {phase}{key}: {want_state}"
                              + (f" by {' or '.join(inhibitors)}" if inhibitors else ""))

            post(ALERTS)
            check({k: inh for k, (_, inh) in ALERTS.items()}, "")

            # Grouping: both critical alerts of orders-enrich in one group of
            # the payments pager, keyed by cluster and job_name; the
            # infrastructure alerts grouped by alertname and cluster.
            groups = http("GET", base + "/api/v2/alerts/groups")

            def group_of(key):
                for g in groups:
                    if any(a["annotations"]["summary"] == key for a in g["alerts"]):
                        return g
                return None

            g = group_of("crit")
            members = sorted(a["annotations"]["summary"] for a in g["alerts"]) if g else []
            if not g or g["receiver"]["name"] != "payments-pager" or members != ["crit", "stalled"] \
                    or g["labels"] != {"cluster": "k8s-prod-eu", "job_name": "orders-enrich"}:
                failures.append(f"job group: got {g and g['receiver']['name']} {members} {g and g['labels']}")
            else:
                print("ok    orders-enrich criticals share one payments-pager group keyed by cluster, job_name")
            g = group_of("kafka_failing")
            if not g or g["receiver"]["name"] != "flink-platform-pager" \
                    or g["labels"] != {"alertname": "VitalsGatewayKafkaDeliveryFailing", "cluster": "yarn-prod-1"}:
                failures.append(f"infra group: got {g and g['receiver']['name']} {g and g['labels']}")
            else:
                print("ok    infrastructure alerts grouped by alertname, cluster")

            # No gateway anywhere: every "not running" alert is silenced,
            # the rest as before.
            post(FLEET_WIDE)
            expected = {k: inh for k, (_, inh) in ALERTS.items()}
            expected.update({k: inh for k, (_, inh) in FLEET_WIDE.items()})
            expected.update(FLEET_WIDE_CHANGES)
            check(expected, "no gateway anywhere: ")
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()

    for f in failures:
        print("FAIL  " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
