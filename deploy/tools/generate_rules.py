#!/usr/bin/env python3
"""Generates what a site loads from alerts/rules/*.yml, with its own runbook base.

    generate_rules.py [--runbook-base URL] [--namespace NS] [--label K=V ...] [--output FILE|-]
        prometheus-operator PrometheusRule objects, one per rule file
        (default output: deploy/prometheus-operator/prometheus-rules.yaml)
    generate_rules.py --rule-files DIR [--runbook-base URL]
        plain Prometheus rule files (DIR/<name>.yml), for a Prometheus that
        loads rule files itself (deploy/prometheus/laptop.yml, Debian's
        prometheus); DIR must not be alerts/rules
    generate_rules.py --check
        exit 1 when deploy/prometheus-operator/prometheus-rules.yaml is not
        what this script generates with the defaults (ctest deploy_manifests
        runs the same comparison)

Every alert's runbook_url in alerts/rules/ is DEFAULT_RUNBOOK_BASE + "#" +
the alert's anchor in docs/runbooks.md (alerts/tests/lint_rules.py checks
it). --runbook-base replaces that base, and nothing else: point it at the
place your site publishes docs/runbooks.md (a fork's copy, a wiki page with
the same headings). The rules are copied as text, comments included, so the
PrometheusRule's spec.groups are the source groups exactly.

Standard library only (Python 3 from Debian).
"""

import argparse
import glob
import os
import re
import sys
import urllib.parse

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# The base every source rule carries: the Vitals repository's runbooks page.
# example.com is reserved for documentation (RFC 2606), so an unconfigured
# base is obviously a placeholder rather than someone else's site.
DEFAULT_RUNBOOK_BASE = "https://git.example.com/flink-platform/vitals/-/blob/main/docs/runbooks.md"
DEFAULT_OUTPUT = os.path.join("deploy", "prometheus-operator", "prometheus-rules.yaml")
DEFAULT_NAMESPACE = "vitals"
RUNBOOK_LINE = re.compile(r"^(\s*runbook_url: ')([^'#]*)#([\w-]+)'\s*$")


class GenerateError(Exception):
    pass


def check_base(base):
    """An absolute http(s) URL that fits a single-quoted YAML string."""
    u = urllib.parse.urlsplit(base)
    if u.scheme not in ("http", "https") or not u.netloc:
        raise GenerateError(f"--runbook-base {base!r}: want an absolute http:// or https:// URL")
    if u.fragment or base.endswith("#"):
        raise GenerateError(f"--runbook-base {base!r}: leave out the #anchor, each alert adds its own")
    if re.search(r"[\s'\"{}]", base):
        raise GenerateError(f"--runbook-base {base!r}: no spaces, quotes or braces")
    return base


def rule_files(root):
    files = sorted(glob.glob(os.path.join(root, "alerts", "rules", "*.yml")))
    if not files:
        raise GenerateError(f"no rule files in {os.path.join(root, 'alerts', 'rules')}")
    return files


def rebase(text, name, base):
    """The rule file text with every runbook_url on `base`."""
    out, count = [], 0
    for lineno, line in enumerate(text.split("\n"), 1):
        if "runbook_url:" in line:
            m = RUNBOOK_LINE.match(line)
            if not m:
                raise GenerateError(f"{name}:{lineno}: write runbook_url as "
                                    f"'{DEFAULT_RUNBOOK_BASE}#<anchor>' on one line")
            if m.group(2) != DEFAULT_RUNBOOK_BASE:
                raise GenerateError(f"{name}:{lineno}: runbook_url base {m.group(2)!r} is not "
                                    f"{DEFAULT_RUNBOOK_BASE!r}")
            line = f"{m.group(1)}{base}#{m.group(3)}'"
            count += 1
        out.append(line)
    if count != len(re.findall(r"^\s*- alert:", text, re.M)):
        raise GenerateError(f"{name}: every alert needs exactly one runbook_url line")
    return "\n".join(out)


def read_sources(root):
    """[(path relative to root, text)] of alerts/rules/*.yml, sorted."""
    out = []
    for path in rule_files(root):
        with open(path, encoding="utf-8") as f:
            out.append((os.path.relpath(path, root), f.read()))
    return out


def prometheus_rules(root, base=DEFAULT_RUNBOOK_BASE, namespace=DEFAULT_NAMESPACE, labels=()):
    """The text of the PrometheusRule manifest for the rule files under root."""
    return render_prometheus_rules(read_sources(root), base, namespace, labels)


def render_prometheus_rules(sources, base=DEFAULT_RUNBOOK_BASE, namespace=DEFAULT_NAMESPACE, labels=()):
    """One PrometheusRule per (relative path, text) of `sources`, its spec the
    rule file verbatim (indented), runbook base replaced."""
    docs = []
    for rel, source in sources:
        path = rel
        text = rebase(source, rel, base)
        if not re.search(r"^groups:\s*$", text, re.M) or re.search(r"^(?!groups:)[^\s#]", text, re.M):
            raise GenerateError(f"{rel}: `groups:` must be the file's only top-level key")
        if "\t" in text or re.search(r"[ \t]+$", text, re.M):
            raise GenerateError(f"{rel}: no tabs or trailing spaces (they would not survive indenting)")
        stem = os.path.splitext(os.path.basename(path))[0]
        name = stem if stem.startswith("vitals-") else f"vitals-{stem}"
        meta_labels = [("app.kubernetes.io/name", "vitals"), ("app.kubernetes.io/component", "alerts")]
        meta_labels += list(labels)
        body = "\n".join(("  " + l) if l else "" for l in text.rstrip("\n").split("\n"))
        docs.append(
            f"# From {rel}{'' if base == DEFAULT_RUNBOOK_BASE else f', runbook base {base}'}.\n"
            "apiVersion: monitoring.coreos.com/v1\n"
            "kind: PrometheusRule\n"
            "metadata:\n"
            f"  name: {name}\n"
            f"  namespace: {namespace}\n"
            "  labels:\n"
            + "".join(f"    {k}: {v}\n" for k, v in meta_labels)
            + "spec:\n"
            + body + "\n")
    header = ("# GENERATED by deploy/tools/generate_rules.py from alerts/rules/*.yml: do not edit.\n"
              "# Regenerate after a rule change (ctest deploy_manifests fails until then):\n"
              "#   python3 deploy/tools/generate_rules.py\n"
              "# A site's own runbook base or namespace, or the labels its Prometheus'\n"
              "# ruleSelector wants: see alerts/README.md and deploy/README.md, e.g.\n"
              "#   python3 deploy/tools/generate_rules.py --runbook-base https://wiki.example.org/vitals/runbooks \\\n"
              "#     --label release=kube-prometheus-stack --output - | kubectl apply -f -\n")
    return header + "---\n".join(docs)


def write_rule_files(root, out_dir, base):
    out_dir = os.path.abspath(out_dir)
    if os.path.realpath(out_dir) == os.path.realpath(os.path.join(root, "alerts", "rules")):
        raise GenerateError("--rule-files must not overwrite alerts/rules (the source)")
    os.makedirs(out_dir, exist_ok=True)
    written = []
    for path in rule_files(root):
        rel = os.path.relpath(path, root)
        with open(path, encoding="utf-8") as f:
            text = rebase(f.read(), rel, base)
        target = os.path.join(out_dir, os.path.basename(path))
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        written.append(target)
    return written


def parse_label(s):
    k, sep, v = s.partition("=")
    if not sep or not re.fullmatch(r"([a-z0-9.-]+/)?[A-Za-z0-9][A-Za-z0-9_.-]*", k) \
            or not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9_.-]*[A-Za-z0-9])?", v):
        raise argparse.ArgumentTypeError(f"--label {s!r}: want KEY=VALUE (a Kubernetes label)")
    return k, v


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runbook-base", default=DEFAULT_RUNBOOK_BASE,
                    help=f"URL of the runbooks page, without #anchor (default {DEFAULT_RUNBOOK_BASE})")
    ap.add_argument("--namespace", default=DEFAULT_NAMESPACE, help="namespace of the PrometheusRules (default vitals)")
    ap.add_argument("--label", action="append", type=parse_label, default=[],
                    help="an extra label on each PrometheusRule, e.g. release=kube-prometheus-stack")
    ap.add_argument("--output", default=None, help=f"file, or - for stdout (default {DEFAULT_OUTPUT})")
    ap.add_argument("--rule-files", metavar="DIR", help="write plain Prometheus rule files into DIR instead")
    ap.add_argument("--check", action="store_true", help="compare the committed output with a fresh one")
    ap.add_argument("--root", default=ROOT, help=argparse.SUPPRESS)
    args = ap.parse_args(argv[1:])
    try:
        base = check_base(args.runbook_base)
        if args.rule_files:
            for p in write_rule_files(args.root, args.rule_files, base):
                print(f"wrote {p}", file=sys.stderr)
            return 0
        text = prometheus_rules(args.root, base, args.namespace, args.label)
        if args.check:
            path = os.path.join(args.root, DEFAULT_OUTPUT)
            with open(path, encoding="utf-8") as f:
                if f.read() != prometheus_rules(args.root):
                    print(f"{DEFAULT_OUTPUT} is stale: run python3 deploy/tools/generate_rules.py",
                          file=sys.stderr)
                    return 1
            print(f"{DEFAULT_OUTPUT} is up to date")
            return 0
        out = args.output or os.path.join(args.root, DEFAULT_OUTPUT)
        if out == "-":
            sys.stdout.write(text)
        else:
            with open(out, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"wrote {out}", file=sys.stderr)
        return 0
    except (GenerateError, OSError) as e:
        print(f"generate_rules.py: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
