#!/usr/bin/env python3
"""Static checks of the Grafana dashboards (dashboards/*.json), standard
library only.

Every dashboard must be importable into Grafana 9+ and usable against any
Prometheus:
  - valid JSON; schemaVersion >= 36 (Grafana 9.0); a title; a unique uid
    (Grafana's limit: 40 characters of [A-Za-z0-9_-]); "id": null;
  - a template variable of type "datasource" with query "prometheus";
  - "cluster" and "job" query variables that use that data source variable;
  - every panel (rows excepted) has a data source that is the variable, at
    least one target with an "expr", every target's data source (if set) is
    the variable, unique refIds, a title; every expr filters on $cluster;
  - panel ids are unique, gridPos stays inside the 24 columns, no two
    panels overlap;
  - annotation queries use the data source variable;
  - every Vitals or Flink metric name a query uses (vitals_*, flink_*) is
    listed in docs/self-metrics.md (histogram _bucket/_sum/_count suffixes
    allowed), and so is every one the alert rules use;
  - links to /d/<uid> point at a dashboard of this folder; links to the
    job drill-down pass the cluster and team variables;
  - import: "__inputs" declares DS_PROMETHEUS (type datasource, plugin
    prometheus) and every ${DS_*} the JSON uses; the datasource variable
    defaults to ${DS_PROMETHEUS}, so Grafana's import dialog offers a
    data-source picker; "__requires" lists Grafana, the Prometheus data
    source and every panel type used;
  - a "team" query variable (from vitals_job_info) on every dashboard, and
    every query that reads Flink job series (flink_*), the "job" variable's
    included, filters on $team.

usage: check_dashboards.py [--self-test] [REPO_ROOT]
  --self-test  breaks copies of the dashboards in memory, one defect at a
               time, and fails unless each defect is reported.
"""
import copy
import json
import pathlib
import re
import sys

DS_VARS = {"${datasource}", "$datasource", "${datasource:raw}"}
METRIC = re.compile(r"(?<![A-Za-z0-9_:])((?:flink|vitals)_[A-Za-z0-9_]+)")
HISTO_SUFFIXES = ("_bucket", "_sum", "_count")
UID = re.compile(r"[A-Za-z0-9_-]{1,40}")


def uses_ds_var(ds):
    if isinstance(ds, str):
        return ds in DS_VARS
    if isinstance(ds, dict):
        return ds.get("uid") in DS_VARS and ds.get("type", "prometheus") == "prometheus"
    return False


def all_panels(items):
    for p in items:
        yield p
        yield from all_panels(p.get("panels", []))


def metric_names(expr, strip_strings=True):
    # In PromQL, strip strings first: "flink_x" as a label value is not a
    # metric. Rule files are scanned whole, because their annotation
    # templates (YAML strings) hold queries too.
    if strip_strings:
        expr = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`', '""', expr)
    return set(METRIC.findall(expr))


def undocumented(names, documented):
    missing = set()
    for n in names:
        if n in documented:
            continue
        if any(n.endswith(s) and n[: -len(s)] in documented for s in HISTO_SUFFIXES):
            continue
        missing.add(n)
    return missing


DS_INPUT = "DS_PROMETHEUS"
DS_INPUT_REF = "${" + DS_INPUT + "}"
DRILLDOWN_UID = "vitals-job-drilldown"


def uses_team(expr):
    return "$team" in expr or "${team" in expr


def reads_flink_jobs(expr):
    return any(n.startswith("flink_") for n in metric_names(expr))


def check_import(d, err):
    """__inputs / __requires: what Grafana's import dialog reads."""
    inputs = d.get("__inputs")
    if not isinstance(inputs, list):
        err('no "__inputs": the import dialog would offer no data-source picker')
        inputs = []
    names = {i.get("name") for i in inputs if isinstance(i, dict)}
    ds = [i for i in inputs if isinstance(i, dict) and i.get("name") == DS_INPUT]
    if not ds or ds[0].get("type") != "datasource" or ds[0].get("pluginId") != "prometheus":
        err(f'"__inputs" needs {DS_INPUT} of type "datasource" with pluginId "prometheus"')
    text = json.dumps({k: v for k, v in d.items() if k != "__inputs"})
    for ref in sorted(set(re.findall(r"\$\{(DS_[A-Z0-9_]+)\}", text))):
        if ref not in names:
            err(f"${{{ref}}} is used but not declared in __inputs")
    ds_var = next((v for v in d.get("templating", {}).get("list", []) if v.get("type") == "datasource"), {})
    if (ds_var.get("current") or {}).get("value") != DS_INPUT_REF:
        err(f'the datasource variable must default to {DS_INPUT_REF} (the data source picked on import)')
    requires = d.get("__requires")
    if not isinstance(requires, list):
        err('no "__requires"')
        requires = []
    have = {(r.get("type"), r.get("id")) for r in requires if isinstance(r, dict)}
    want = {("grafana", "grafana"), ("datasource", "prometheus")}
    want |= {("panel", p.get("type")) for p in all_panels(d.get("panels", [])) if p.get("type") != "row"}
    for kind, ident in sorted(want - have):
        err(f'"__requires" lacks {kind} {ident}')


def check_dashboard(d, name, documented):
    errors = []

    def err(msg):
        errors.append(f"{name}: {msg}")

    if isinstance(d, dict):
        check_import(d, err)

    if not isinstance(d, dict):
        return [f"{name}: not a JSON object"]
    sv = d.get("schemaVersion")
    if not isinstance(sv, int) or sv < 36:
        err(f"schemaVersion {sv!r}: want an integer >= 36 (Grafana 9+)")
    if not d.get("title"):
        err("no title")
    if not isinstance(d.get("uid"), str) or not UID.fullmatch(d["uid"]):
        err(f"uid {d.get('uid')!r}: want 1-40 characters of [A-Za-z0-9_-]")
    if d.get("id") is not None:
        err("id must be null so that the dashboard imports as new")

    variables = d.get("templating", {}).get("list", [])
    by_name = {v.get("name"): v for v in variables}
    ds_vars = [v for v in variables if v.get("type") == "datasource"]
    if not any(v.get("query") == "prometheus" and v.get("name") == "datasource" for v in ds_vars):
        err('no template variable "datasource" of type "datasource" with query "prometheus"')
    for vname in ("cluster", "team", "job"):
        v = by_name.get(vname)
        if v is None:
            err(f'no "{vname}" template variable')
            continue
        if v.get("type") != "query":
            err(f'variable "{vname}" is of type {v.get("type")!r}, want "query"')
        if not uses_ds_var(v.get("datasource")):
            err(f'variable "{vname}" does not use the datasource variable')
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        if not q:
            err(f'variable "{vname}" has no query')
        elif vname == "team" and "vitals_job_info" not in q:
            err('variable "team" must come from vitals_job_info (docs/self-metrics.md)')
        elif vname == "job" and reads_flink_jobs(q) and not uses_team(q):
            err('variable "job" lists Flink jobs without filtering on $team')

    for a in d.get("annotations", {}).get("list", []):
        if a.get("expr") and not uses_ds_var(a.get("datasource")):
            err(f'annotation "{a.get("name")}" does not use the datasource variable')
        if a.get("expr"):
            for m in sorted(undocumented(metric_names(a["expr"]), documented)):
                err(f'annotation "{a.get("name")}": metric {m} is not in docs/self-metrics.md')

    seen_ids = set()
    boxes = []
    panels = list(all_panels(d.get("panels", [])))
    if not any(p.get("type") != "row" for p in panels):
        err("no panels")
    for p in panels:
        pid = p.get("id")
        label = f'panel {pid} "{p.get("title", "")}"'
        if not isinstance(pid, int) or pid in seen_ids:
            err(f"{label}: id missing or not unique")
        seen_ids.add(pid)
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in ("h", "w", "x", "y")):
            err(f"{label}: gridPos needs integer h, w, x, y")
        else:
            if g["x"] < 0 or g["w"] <= 0 or g["h"] <= 0 or g["x"] + g["w"] > 24:
                err(f"{label}: gridPos {g} leaves the 24-column grid")
            for other, og in boxes:
                if (g["x"] < og["x"] + og["w"] and og["x"] < g["x"] + g["w"]
                        and g["y"] < og["y"] + og["h"] and og["y"] < g["y"] + g["h"]):
                    err(f"{label}: overlaps {other}")
            boxes.append((label, g))
        if p.get("type") == "row":
            continue
        if not p.get("title"):
            err(f"{label}: no title")
        if not uses_ds_var(p.get("datasource")):
            err(f"{label}: datasource does not use the datasource variable")
        targets = p.get("targets") or []
        exprs = [t for t in targets if isinstance(t.get("expr"), str) and t["expr"].strip()]
        if not exprs:
            err(f"{label}: no target with an expr")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or not all(refs):
            err(f"{label}: refIds missing or not unique: {refs}")
        for t in targets:
            if "datasource" in t and not uses_ds_var(t["datasource"]):
                err(f"{label} target {t.get('refId')}: datasource does not use the datasource variable")
        for t in exprs:
            if "$cluster" not in t["expr"] and "${cluster" not in t["expr"]:
                err(f"{label} target {t.get('refId')}: expr does not filter on $cluster")
            if reads_flink_jobs(t["expr"]) and not uses_team(t["expr"]):
                err(f"{label} target {t.get('refId')}: expr reads Flink job series without filtering on $team "
                    "(join: unless on (job_name) vitals_job_info{team!~\"$team\"})")
            for m in sorted(undocumented(metric_names(t["expr"]), documented)):
                err(f"{label} target {t.get('refId')}: metric {m} is not in docs/self-metrics.md")
    return errors


def link_errors(dashboards):
    uids = {d.get("uid") for _, d in dashboards}
    errors = []
    for name, d in dashboards:
        for url in re.findall(r'"url":\s*"([^"]*)"', json.dumps(d)):
            m = re.search(r"/d/([A-Za-z0-9_-]+)", url)
            if m and m.group(1) not in uids:
                errors.append(f"{name}: link {url} points at unknown dashboard uid {m.group(1)}")
            if m and m.group(1) == DRILLDOWN_UID:
                for var in ("cluster", "team"):
                    if f"var-{var}=" not in url and f"${{{var}:queryparam}}" not in url:
                        errors.append(f"{name}: link {url} to the drill-down does not pass the {var} variable")
    return errors


def documented_names(repo):
    doc = (repo / "docs" / "self-metrics.md").read_text()
    return set(re.findall(r"`((?:flink|vitals)_[A-Za-z0-9_]+)", doc))


def rule_errors(repo, documented):
    errors = []
    for f in sorted((repo / "alerts" / "rules").glob("*.yml")):
        for m in sorted(undocumented(metric_names(f.read_text(), strip_strings=False), documented)):
            errors.append(f"alerts/rules/{f.name}: metric {m} is not in docs/self-metrics.md")
    return errors


def load(repo):
    files = sorted((repo / "dashboards").glob("*.json"))
    dashboards, errors = [], []
    for f in files:
        try:
            dashboards.append((f.name, json.loads(f.read_text())))
        except json.JSONDecodeError as e:
            errors.append(f"{f.name}: invalid JSON: {e}")
    if not files:
        errors.append("no dashboards/*.json")
    return dashboards, errors


def check_all(repo, dashboards, documented):
    errors = []
    uids = {}
    for name, d in dashboards:
        errors += check_dashboard(d, name, documented)
        uid = d.get("uid") if isinstance(d, dict) else None
        if uid in uids:
            errors.append(f"{name}: uid {uid} also used by {uids[uid]}")
        uids[uid] = name
    errors += link_errors(dashboards)
    return errors


def self_test(repo, dashboards, documented):
    """Each defect must be caught; returns the defects that were not."""
    def first_panel(d):
        return next(p for p in all_panels(d["panels"]) if p.get("type") != "row")

    def drop_var(n):
        return lambda d: d["templating"].__setitem__(
            "list", [v for v in d["templating"]["list"] if v.get("name") != n])

    defects = {
        "schemaVersion too old": lambda d: d.__setitem__("schemaVersion", 27),
        "no datasource variable": drop_var("datasource"),
        "no cluster variable": drop_var("cluster"),
        "no job variable": drop_var("job"),
        "job variable on a fixed data source": lambda d: next(
            v for v in d["templating"]["list"] if v["name"] == "job").__setitem__(
                "datasource", {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}),
        "panel with a fixed data source": lambda d: first_panel(d).__setitem__(
            "datasource", {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}),
        "panel without targets": lambda d: first_panel(d).__setitem__("targets", []),
        "target without expr": lambda d: [t.pop("expr") for t in first_panel(d)["targets"]],
        "expr ignoring $cluster": lambda d: first_panel(d)["targets"][0].__setitem__(
            "expr", "sum(flink_job_health_score)"),
        "undocumented metric": lambda d: first_panel(d)["targets"][0].__setitem__(
            "expr", 'sum(vitals_gateway_made_up_total{cluster=~"$cluster"})'),
        "duplicate panel id": lambda d: first_panel(d).__setitem__("id", d["panels"][-1]["id"]),
        "overlapping panels": lambda d: first_panel(d).__setitem__(
            "gridPos", dict(d["panels"][-1]["gridPos"])),
        "panel outside the grid": lambda d: first_panel(d)["gridPos"].__setitem__("x", 20),
        "fixed id": lambda d: d.__setitem__("id", 42),
        "no team variable": drop_var("team"),
        "expr ignoring $team": lambda d: first_panel(d)["targets"][0].__setitem__(
            "expr", 'count(flink_job_health_score{cluster=~"$cluster"})'),
        "no __inputs": lambda d: d.pop("__inputs"),
        "datasource variable not defaulting to the import input": lambda d: next(
            v for v in d["templating"]["list"] if v["name"] == "datasource").__setitem__("current", {}),
        "undeclared ${DS_*} input": lambda d: first_panel(d).__setitem__(
            "datasource", {"type": "prometheus", "uid": "${DS_OTHER}"}),
        "panel type missing from __requires": lambda d: d.__setitem__(
            "__requires", [r for r in d["__requires"] if r.get("type") != "panel"]),
    }
    missed = []
    name, base = dashboards[0]
    if check_dashboard(base, name, documented):
        missed.append("the unbroken dashboard already has errors")
    for label, breakit in defects.items():
        d = copy.deepcopy(base)
        breakit(d)
        if not check_dashboard(d, name, documented):
            missed.append(label)
    broken_link = copy.deepcopy(dashboards)
    broken_link[0][1]["links"] = [{"type": "link", "title": "x", "url": "/d/no-such-dashboard/x"}]
    if not link_errors(broken_link):
        missed.append("link to an unknown dashboard")
    no_cluster = copy.deepcopy(dashboards)
    no_cluster[0][1]["links"] = [{"type": "link", "title": "x",
                                  "url": f"/d/{DRILLDOWN_UID}/x?${{team:queryparam}}&var-job=a"}]
    if not link_errors(no_cluster):
        missed.append("drill-down link that drops the cluster")
    if not rule_errors_from_text('expr: vitals_not_documented_total > 0', documented):
        missed.append("undocumented metric in a rule")
    if not rule_errors_from_text("summary: '{{ with query `flink_not_documented` }}{{ end }}'", documented):
        missed.append("undocumented metric in a rule's annotation template")
    return missed


def rule_errors_from_text(text, documented):
    return sorted(undocumented(metric_names(text, strip_strings=False), documented))


def main(argv):
    self_testing = "--self-test" in argv
    args = [a for a in argv if not a.startswith("--")]
    repo = pathlib.Path(args[0]) if args else pathlib.Path(__file__).resolve().parents[2]
    documented = documented_names(repo)
    dashboards, errors = load(repo)
    if self_testing:
        if errors:
            print("\n".join(errors))
            return 1
        missed = self_test(repo, dashboards, documented)
        for m in missed:
            print(f"FAIL  the checker did not report: {m}")
        print("self-test passed" if not missed else f"{len(missed)} defect(s) not caught")
        return 1 if missed else 0
    errors += check_all(repo, dashboards, documented)
    errors += rule_errors(repo, documented)
    for e in errors:
        print("FAIL  " + e)
    if errors:
        return 1
    for name, d in dashboards:
        n = sum(1 for p in all_panels(d["panels"]) if p.get("type") != "row")
        print(f"ok    {name}: \"{d['title']}\" uid={d['uid']}, {n} panels")
    print(f"ok    every vitals_*/flink_* metric used by dashboards and rules is in docs/self-metrics.md "
          f"({len(documented)} documented)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
