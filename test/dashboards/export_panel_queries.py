#!/usr/bin/env python3
"""Prints every panel query of every Grafana dashboard, one per line, as
plain PromQL that a real Prometheus can run:

  - query template variables ($cluster, $team, $job, ... and ${name},
    ${name:fmt}) become ".*" (they are only used in =~ and !~ matchers:
    $team as `unless on (job_name) vitals_job_info{team!~"$team"}`, where
    ".*" is Grafana's "All");
  - import inputs (${DS_PROMETHEUS}, from "__inputs") and the datasource
    variable become "prometheus";
  - custom/constant/textbox variables become their current value (e.g.
    $top -> 20);
  - $__rate_interval, $__interval, $__range become 1m (and the _s/_ms
    forms their number);
  - newlines inside an expression become spaces.

usage: export_panel_queries.py [--all] [--tsv] [DASHBOARD.json | DIR ...]
  (default: the dashboards/ folder of the repository)
  --all  also annotation queries and the PromQL inside query variables
         (label_values(EXPR, label) -> EXPR)
  --tsv  prefix each query with file, panel id, panel title and refId
         (tab-separated), for a test that reports which panel failed
"""
import json
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
BUILTIN = {
    "__rate_interval": "1m", "__interval": "1m", "__range": "1m",
    "__interval_s": "60", "__interval_ms": "60000", "__range_s": "60", "__range_ms": "60000",
}
VAR = re.compile(r"\$\{(\w+)(?::[\w-]+)?\}|\[\[(\w+)(?::[\w-]+)?\]\]|\$(\w+)")


def variable_values(dashboard, overrides=None):
    values = dict(BUILTIN)
    for i in dashboard.get("__inputs", []):
        if i.get("name"):
            values[i["name"]] = i.get("pluginId") or "prometheus"
    for v in dashboard.get("templating", {}).get("list", []):
        name = v.get("name")
        if not name:
            continue
        if v.get("type") in ("custom", "constant", "textbox", "interval"):
            cur = v.get("current", {}).get("value")
            if isinstance(cur, list):
                cur = cur[0] if cur else None
            if cur in (None, "", "$__all"):
                opts = [o.get("value") for o in v.get("options", [])]
                cur = opts[0] if opts else (v.get("query") or "").split(",")[0]
            values[name] = str(cur).strip()
        elif v.get("type") == "datasource":
            values[name] = "prometheus"
        else:
            values[name] = ".*"
    values.update(overrides or {})
    return values


def substitute(expr, values):
    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        return values.get(name, m.group(0))
    return " ".join(VAR.sub(repl, expr).split())


def variable_promql(query):
    """PromQL inside a Prometheus query variable, or None."""
    if isinstance(query, dict):
        query = query.get("query", "")
    query = (query or "").strip()
    m = re.fullmatch(r"label_values\((.*),\s*\w+\s*\)", query, re.S)
    if m:
        return m.group(1)
    m = re.fullmatch(r"query_result\((.*)\)", query, re.S)
    if m:
        return m.group(1)
    if re.fullmatch(r"(label_names|metrics)\(.*\)|label_values\(\s*\w+\s*\)", query, re.S) or not query:
        return None
    return query


def panels(items):
    for p in items:
        yield p
        yield from panels(p.get("panels", []))


def queries(path, include_all=False, overrides=None):
    """(file, panel id, panel title, refId, promql) for one dashboard file;
    `overrides` ({"team": "payments"}) sets variables to a given value."""
    d = json.loads(pathlib.Path(path).read_text())
    values = variable_values(d, overrides)
    for p in panels(d.get("panels", [])):
        for t in p.get("targets", []):
            if t.get("expr") and not t.get("hide"):
                yield path.name, p.get("id"), p.get("title", ""), t.get("refId", ""), substitute(t["expr"], values)
    if include_all:
        for a in d.get("annotations", {}).get("list", []):
            if a.get("expr"):
                yield path.name, "annotation", a.get("name", ""), "", substitute(a["expr"], values)
        for v in d.get("templating", {}).get("list", []):
            if v.get("type") == "query":
                q = variable_promql(v.get("query"))
                if q:
                    yield path.name, "variable", v.get("name", ""), "", substitute(q, values)


def dashboard_files(args):
    files = []
    for a in args or [str(REPO / "dashboards")]:
        p = pathlib.Path(a)
        files.extend(sorted(p.glob("*.json")) if p.is_dir() else [p])
    return files


def main(argv):
    include_all = "--all" in argv
    tsv = "--tsv" in argv
    args = [a for a in argv if not a.startswith("--")]
    for f in dashboard_files(args):
        for name, pid, title, ref, q in queries(f, include_all):
            print("\t".join([name, str(pid), title, ref, q]) if tsv else q)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
