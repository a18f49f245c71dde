#!/usr/bin/env python3
"""Checks that deploy/ hangs together (ctest deploy_manifests).

    check_manifests.py SOURCE_DIR                      check, exit 1 on any error
    check_manifests.py --write-configmaps SOURCE_DIR   copy deploy/config/*.yaml
                                                       into the ConfigMaps, then check

What it checks:
- the ConfigMaps in deploy/kubernetes/ embed deploy/config/<key> verbatim,
  and every deployable config there (all but the reference vitals.yaml) is
  embedded;
- the gateway DaemonSet and the scorer Deployment: config mounted where
  --config points, the config's section matches the subcommand, container
  port = the config's listen port = the port in docs/interfaces.md,
  hostPort for the gateway, readiness GET /readyz and liveness GET /healthz
  on that port, NODE_NAME from spec.nodeName, the scorer's POD_IP from
  status.podIP (its advertised URL for fleet-wide reads when
  scorer.advertise_url is unset and it listens on a wildcard), resource
  requests and limits,
  terminationGracePeriodSeconds > gateway.shutdown_timeout, ServiceAccounts,
  one Namespace, Services selecting the pods and targeting their ports;
- deploy/prometheus/scrape.yml and laptop.yml: jobs vitals-gateway and
  vitals-scorer with honor_labels: true, discovery through the Services of
  the manifests (scrape.yml) or the default ports (laptop.yml), and the
  alert rules loaded (laptop.yml; also `promtool check config` when
  promtool is installed);
- deploy/flink/: flink-conf.yaml reads the same under Flink's legacy parser
  and as YAML, config.yaml flattens to the same keys and values, and the
  reporters point at the gateway's ports;
- the gateway DaemonSet exposes TCP 9091 (http) and UDP 8125 (statsd), both
  as containerPort and hostPort, matching gateway.listen and
  gateway.statsd.listen;
- the Namespace carries the Pod Security labels (enforce, warn, audit), and
  enforce is `privileged` when a pod uses hostPort or host namespaces;
- deploy/prometheus-operator/: prometheus-rules.yaml is exactly what
  deploy/tools/generate_rules.py makes of alerts/rules/*.yml (regenerated
  and compared as text), each PrometheusRule's spec equals its source
  file's groups, the PodMonitor picks the gateway pods and the
  ServiceMonitor the scorer Service, as jobs vitals-gateway / vitals-scorer
  with honorLabels;
- every alert's runbook_url (alerts/rules/ and the PrometheusRules) is an
  absolute http(s) URL with an #anchor; with promtool installed, rule files
  generated with another --runbook-base pass `promtool check rules`.
Then it breaks copies of the inputs on purpose and expects each to fail.

Standard library only: the manifests are parsed by the small YAML-subset
parser below, which refuses (with file and line) anything outside its
subset rather than guessing.
"""

import copy
import difflib
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
import generate_rules  # noqa: E402


# ---------------------------------------------------------------------------
# A YAML subset: block mappings and sequences, plain and quoted scalars,
# one-line flow sequences/mappings of scalars, literal block scalars (|, |-,
# |+), comments, `---` between documents. No anchors, tags, folded scalars,
# multi-line plain scalars; YAML 1.1 look-alikes (yes/no/on/off, 0755) are
# refused so that no reader can disagree about them.


class YamlError(Exception):
    pass


def _strip_comment(s):
    """s without a trailing `# comment` (a # after whitespace, outside quotes)."""
    quote = None
    i = 0
    while i < len(s):
        c = s[i]
        if quote == '"':
            if c == "\\":
                i += 2
                continue
            if c == '"':
                quote = None
        elif quote == "'":
            if c == "'":
                quote = None
        elif c in "\"'" and (i == 0 or s[i - 1] in " \t[{,:-"):
            quote = c
        elif c == "#" and (i == 0 or s[i - 1] in " \t"):
            return s[:i].rstrip()
        i += 1
    return s.rstrip()


def _split_flow(s, where):
    items, quote, start, i = [], None, 0, 0
    while i < len(s):
        c = s[i]
        if quote == '"' and c == "\\":
            i += 2
            continue
        if quote:
            if c == quote:
                quote = None
        elif c in "\"'":
            quote = c
        elif c in "[]{}":
            raise YamlError(f"{where}: nested flow collections are not supported")
        elif c == ",":
            items.append(s[start:i].strip())
            start = i + 1
        i += 1
    last = s[start:].strip()
    if last:
        items.append(last)
    elif items:
        raise YamlError(f"{where}: trailing comma in a flow collection")
    return items


_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)$")
_FLOAT = re.compile(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")
_AMBIGUOUS = re.compile(r"(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$"
                        r"|[-+]?0[0-9_]+$|0[xXoObB][0-9a-fA-F_]+$|[-+]?\.(inf|Inf|INF|nan|NaN|NAN)$")


def _scalar(s, where):
    if not s:
        return None
    if s[0] == '"':
        if len(s) < 2 or not s.endswith('"'):
            raise YamlError(f"{where}: unterminated double-quoted string")
        out, i, body = [], 0, s[1:-1]
        escapes = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "/": "/"}
        while i < len(body):
            c = body[i]
            if c == "\\":
                if i + 1 >= len(body) or body[i + 1] not in escapes:
                    raise YamlError(f"{where}: unsupported escape in {s}")
                out.append(escapes[body[i + 1]])
                i += 2
                continue
            if c == '"':
                raise YamlError(f"{where}: stray quote in {s}")
            out.append(c)
            i += 1
        return "".join(out)
    if s[0] == "'":
        if len(s) < 2 or not s.endswith("'") or "'" in s[1:-1].replace("''", ""):
            raise YamlError(f"{where}: bad single-quoted string {s}")
        return s[1:-1].replace("''", "'")
    if s[0] in "&*!%@`|>[]{}," or s.startswith("- ") or s in ("-", "?") or s.startswith("? "):
        raise YamlError(f"{where}: unsupported YAML construct: {s}")
    if ": " in s or s.endswith(":") or " #" in s:
        raise YamlError(f"{where}: a mapping or comment inside a plain scalar: {s}")
    if s in ("null", "Null", "NULL", "~"):
        return None
    if s in ("true", "True", "TRUE"):
        return True
    if s in ("false", "False", "FALSE"):
        return False
    if _AMBIGUOUS.match(s):
        raise YamlError(f"{where}: {s!r} reads differently in YAML 1.1 and 1.2: quote it")
    if _INT.match(s):
        return int(s)
    if _FLOAT.match(s):
        return float(s)
    return s


def _inline(s, where):
    if s.startswith("["):
        if not s.endswith("]"):
            raise YamlError(f"{where}: a flow sequence must close on its line")
        return [_scalar(x, where) for x in _split_flow(s[1:-1], where)]
    if s.startswith("{"):
        if not s.endswith("}"):
            raise YamlError(f"{where}: a flow mapping must close on its line")
        out = {}
        for item in _split_flow(s[1:-1], where):
            k, sep, v = item.partition(":")
            if not sep or (v and not v.startswith(" ")):
                raise YamlError(f"{where}: bad flow mapping entry {item!r}")
            key = _scalar(k.strip(), where)
            if key in out:
                raise YamlError(f"{where}: duplicate key {key!r}")
            out[key] = _scalar(v.strip(), where)
        return out
    return _scalar(s, where)


class _Parser:
    def __init__(self, lines, name):
        self.lines = lines  # [(line number, raw text)]
        self.name = name
        self.i = 0

    def where(self, lineno):
        return f"{self.name}:{lineno}"

    def peek(self):
        """(indent, content without comment, line number) of the next
        meaningful line, or None."""
        while self.i < len(self.lines):
            lineno, raw = self.lines[self.i]
            stripped = raw.strip()
            if stripped and not stripped.startswith("#"):
                indent = len(raw) - len(raw.lstrip(" "))
                if raw[indent] == "\t":
                    raise YamlError(f"{self.where(lineno)}: tab in indentation")
                return indent, _strip_comment(raw[indent:]), lineno
            self.i += 1
        return None

    def split_key(self, content, lineno):
        """(key, rest) when content is `key: rest` / `key:`, else None."""
        if content[0] in "\"'":
            quote = content[0]
            j = 1
            while j < len(content):
                if quote == '"' and content[j] == "\\":
                    j += 2
                    continue
                if content[j] == quote:
                    if quote == "'" and j + 1 < len(content) and content[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            after = content[j + 1:]
            if after.startswith(": ") or after == ":":
                return _scalar(content[:j + 1], self.where(lineno)), after[1:].strip()
            return None
        m = re.match(r"([^\s#'\"\[\]{}&*!|>%@`,?-][^:]*?|-[^\s:][^:]*?)\s*:(?: +(.*))?$", content)
        if not m:
            return None
        return m.group(1), (m.group(2) or "").strip()

    def node(self, indent):
        p = self.peek()
        if p is None or p[0] < indent:
            return None
        ind, content, lineno = p
        if content == "-" or content.startswith("- "):
            return self.sequence(ind)
        if self.split_key(content, lineno):
            return self.mapping(ind)
        self.i += 1
        return _inline(content, self.where(lineno))

    def value(self, rest, indent, lineno):
        """The value after `key:` or `- ` on a line at `indent`."""
        if rest == "":
            p = self.peek()
            if p and p[0] > indent:
                return self.node(p[0])
            return None
        if rest[0] in "|>":
            return self.block_scalar(rest, indent, lineno)
        return _inline(rest, self.where(lineno))

    def mapping(self, indent):
        out = {}
        while True:
            p = self.peek()
            if p is None or p[0] < indent:
                return out
            ind, content, lineno = p
            if ind > indent:
                raise YamlError(f"{self.where(lineno)}: unexpected indentation")
            kv = self.split_key(content, lineno)
            if kv is None:
                raise YamlError(f"{self.where(lineno)}: expected `key: value`, got {content!r}")
            key, rest = kv
            if key in out:
                raise YamlError(f"{self.where(lineno)}: duplicate key {key!r}")
            self.i += 1
            if rest == "":
                q = self.peek()
                if q and q[0] == indent and (q[1] == "-" or q[1].startswith("- ")):
                    out[key] = self.sequence(indent)  # `key:` then `- item` at the same indent
                    continue
            out[key] = self.value(rest, indent, lineno)

    def sequence(self, indent):
        out = []
        while True:
            p = self.peek()
            if p is None or p[0] < indent:
                return out
            ind, content, lineno = p
            if ind > indent:
                raise YamlError(f"{self.where(lineno)}: unexpected indentation")
            if not (content == "-" or content.startswith("- ")):
                return out  # a mapping key after `key:` + items at the same indent
            rest = content[1:].lstrip(" ")
            column = indent + len(content) - len(rest)
            if rest == "":
                self.i += 1
                out.append(self.value("", indent, lineno))
            elif rest == "-" or rest.startswith("- "):
                raise YamlError(f"{self.where(lineno)}: `- -` sequences are not supported")
            elif rest[0] not in "|>" and self.split_key(rest, lineno):
                # `- key: value ...`: a mapping whose keys sit at `column`.
                self.lines[self.i] = (lineno, " " * column + rest)
                out.append(self.mapping(column))
            else:
                self.i += 1
                out.append(self.value(rest, indent, lineno))

    def block_scalar(self, header, indent, lineno):
        if header not in ("|", "|-", "|+"):
            raise YamlError(f"{self.where(lineno)}: only literal block scalars (|, |-, |+) are supported")
        content_indent, out = None, []
        while self.i < len(self.lines):
            no, raw = self.lines[self.i]
            if raw.strip() == "":
                if raw.strip(" ") != "":
                    raise YamlError(f"{self.where(no)}: whitespace other than spaces on a blank line")
                out.append("")
                self.i += 1
                continue
            ind = len(raw) - len(raw.lstrip(" "))
            if content_indent is None:
                if ind <= indent:
                    break
                content_indent = ind
            if ind < content_indent:
                break
            out.append(raw[content_indent:])
            self.i += 1
        text = "\n".join(out) + "\n" if out else ""
        if header == "|":
            body = text.rstrip("\n")
            return body + "\n" if body else ""
        if header == "|-":
            return text.rstrip("\n")
        return text


def yaml_load_all(text, name):
    """The documents of a multi-document YAML text (empty documents skipped)."""
    docs, current = [], []
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    for lineno, raw in enumerate(raw_lines, 1):
        if raw.startswith("%") or raw.rstrip() == "...":
            raise YamlError(f"{name}:{lineno}: directives and `...` are not supported")
        if re.match(r"---\s*(#.*)?$", raw):
            docs.append(current)
            current = []
        elif raw.startswith("---"):
            raise YamlError(f"{name}:{lineno}: content after `---` is not supported")
        else:
            current.append((lineno, raw))
    docs.append(current)
    out = []
    for lines in docs:
        parser = _Parser(lines, name)
        first = parser.peek()
        if first is None:
            continue
        if first[0] != 0:
            raise YamlError(f"{parser.where(first[2])}: a document must start at column 0")
        doc = parser.node(0)
        rest = parser.peek()
        if rest is not None:
            raise YamlError(f"{parser.where(rest[2])}: unexpected content {rest[1]!r}")
        out.append(doc)
    return out


def yaml_load(text, name):
    docs = yaml_load_all(text, name)
    if len(docs) != 1:
        raise YamlError(f"{name}: expected one YAML document, found {len(docs)}")
    return docs[0]


# ---------------------------------------------------------------------------
# Loading deploy/ into one plain structure (which the self-test mutates).


def parse_duration(value):
    """Seconds in a Go-style duration (`30s`, `1m30s`, `500ms`)."""
    if isinstance(value, (int, float)):
        return float(value)
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|us|ns|m|s)", str(value))
    if not parts or "".join(n + u for n, u in parts) != str(value):
        raise ValueError(f"not a duration: {value!r}")
    return sum(float(n) * units[u] for n, u in parts)


def port_of(address):
    host, sep, port = str(address).rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"not host:port: {address!r}")
    return int(port)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def interface_ports(text):
    """From docs/interfaces.md: per component, its port and the probe paths
    its section mentions."""
    sections = {}
    for block in re.split(r"^## ", text, flags=re.M)[1:]:
        title, _, body = block.partition("\n")
        for component in ("gateway", "scorer"):
            if title.lower().startswith(component):
                ports = {int(p) for p in re.findall(r":(\d+)/", body)}
                paths = set(re.findall(r"/(healthz|readyz)\b", body))
                sections[component] = {"ports": ports, "paths": {"/" + p for p in paths}}
    return sections


def load_model(root):
    deploy = os.path.join(root, "deploy")
    m = {"root": root, "manifests": [], "configs": {}, "errors": []}
    for path in sorted(glob.glob(os.path.join(deploy, "kubernetes", "*.y*ml"))):
        rel = os.path.relpath(path, root)
        for doc in yaml_load_all(read(path), rel):
            m["manifests"].append({"file": rel, "doc": doc})
    for path in sorted(glob.glob(os.path.join(deploy, "config", "*.yaml"))):
        text = read(path)
        rel = os.path.relpath(path, root)
        # vitals.yaml is the annotated reference of every key, not deployed:
        # only its text is compared, so it may use any YAML.
        doc = None if os.path.basename(path) == "vitals.yaml" else yaml_load(text, rel)
        m["configs"][os.path.basename(path)] = {"file": rel, "text": text, "doc": doc}
    m["interfaces"] = interface_ports(read(os.path.join(root, "docs", "interfaces.md")))
    for name in ("scrape.yml", "laptop.yml"):
        path = os.path.join(deploy, "prometheus", name)
        m[name] = {"file": os.path.relpath(path, root), "doc": yaml_load(read(path), name)}
    flink = os.path.join(deploy, "flink")
    m["flink-conf.yaml"] = {"text": read(os.path.join(flink, "flink-conf.yaml"))}
    m["flink-conf.yaml"]["doc"] = yaml_load(m["flink-conf.yaml"]["text"], "deploy/flink/flink-conf.yaml")
    m["config.yaml"] = {"doc": yaml_load(read(os.path.join(flink, "config.yaml")), "deploy/flink/config.yaml")}
    m["rules"] = [{"file": rel, "text": text, "doc": yaml_load(text, rel)}
                  for rel, text in generate_rules.read_sources(root)]
    m["operator"] = []
    for path in sorted(glob.glob(os.path.join(deploy, "prometheus-operator", "*.y*ml"))):
        rel = os.path.relpath(path, root)
        text = read(path)
        if rel == generate_rules.DEFAULT_OUTPUT:
            m["operator_rules_text"] = text
        for doc in yaml_load_all(text, rel):
            m["operator"].append({"file": rel, "doc": doc})
    return m


# ---------------------------------------------------------------------------
# The checks. Each appends readable errors to `errs`.

DEFAULT_SHUTDOWN_TIMEOUT = 30.0  # gateway.shutdown_timeout when unset (deploy/config/vitals.yaml)
STATSD_PORT = 8125               # DESIGN: StatsD on UDP :8125
FLINK_PROMETHEUS_PORT = 9249     # Flink PrometheusReporter's default port


def get(obj, *path, default=None):
    for p in path:
        if isinstance(obj, dict) and p in obj:
            obj = obj[p]
        elif isinstance(obj, list) and isinstance(p, int) and p < len(obj):
            obj = obj[p]
        else:
            return default
    return obj


def objects(m, kind):
    return [x for x in m["manifests"] if get(x["doc"], "kind") == kind]


def ident(x):
    return f"{x['file']}: {get(x['doc'], 'kind')}/{get(x['doc'], 'metadata', 'name')}"


def check_objects(m, errs):
    seen = set()
    for x in m["manifests"]:
        d = x["doc"]
        if not isinstance(d, dict) or not all(get(d, k) for k in ("apiVersion", "kind")) \
                or not get(d, "metadata", "name"):
            errs.append(f"{x['file']}: every document needs apiVersion, kind and metadata.name")
            continue
        key = (d["kind"], get(d, "metadata", "namespace"), d["metadata"]["name"])
        if key in seen:
            errs.append(f"{ident(x)}: defined twice")
        seen.add(key)
    namespaces = objects(m, "Namespace")
    if len(namespaces) != 1:
        errs.append(f"deploy/kubernetes: expected one Namespace, found {len(namespaces)}")
        return None
    ns = namespaces[0]["doc"]["metadata"]["name"]
    for x in m["manifests"]:
        if get(x["doc"], "kind") != "Namespace" and get(x["doc"], "metadata", "namespace") != ns:
            errs.append(f"{ident(x)}: metadata.namespace must be {ns!r}")
    return ns


def check_configmaps(m, errs):
    embedded = set()
    for x in objects(m, "ConfigMap"):
        for key, body in (get(x["doc"], "data") or {}).items():
            if not key.endswith(".yaml"):
                continue
            cfg = m["configs"].get(key)
            if cfg is None:
                errs.append(f"{ident(x)}: data.{key} has no deploy/config/{key} to come from")
                continue
            embedded.add(key)
            if body != cfg["text"]:
                diff = list(difflib.unified_diff(cfg["text"].splitlines(), (body or "").splitlines(),
                                                 cfg["file"], f"{x['file']} data.{key}", lineterm="", n=0))
                errs.append(f"{ident(x)}: data.{key} differs from {cfg['file']} "
                            f"(run check_manifests.py --write-configmaps):\n    " + "\n    ".join(diff[:12]))
    for key, cfg in m["configs"].items():
        if key != "vitals.yaml" and key not in embedded:
            errs.append(f"{cfg['file']}: not embedded in any ConfigMap of deploy/kubernetes/")
        text = cfg["text"]
        if not text.endswith("\n") or text.endswith("\n\n") or re.search(r"[ \t]+$", text, re.M) or "\t" in text:
            errs.append(f"{cfg['file']}: must end with one newline and have no tabs or trailing "
                        "spaces (a ConfigMap block scalar cannot hold them verbatim)")


def container_ports(container):
    return {p.get("name"): p for p in (container.get("ports") or []) if isinstance(p, dict)}


def resolve_port(container, port):
    if isinstance(port, int):
        return port
    p = container_ports(container).get(port)
    return get(p, "containerPort")


def vitals_container(workload):
    """(container, subcommand, config path) of the vitals container."""
    for c in get(workload, "spec", "template", "spec", "containers", default=[]) or []:
        argv = [str(a) for a in (c.get("command") or []) + (c.get("args") or [])]
        role = next((a for a in argv if a in ("gateway", "scorer", "standalone")), None)
        if role is None:
            continue
        config = None
        for i, a in enumerate(argv):
            if a == "--config" and i + 1 < len(argv):
                config = argv[i + 1]
            elif a.startswith("--config="):
                config = a.split("=", 1)[1]
        return c, role, config
    return None, None, None


def check_workload(m, x, errs):
    d = x["doc"]
    name = ident(x)
    pod = get(d, "spec", "template", "spec", default={}) or {}
    c, role, config_path = vitals_container(d)
    if c is None:
        errs.append(f"{name}: no container runs `vitals gateway|scorer`")
        return None
    if not config_path:
        errs.append(f"{name}: container {c.get('name')} has no --config")
        return None
    # The config: mounted ConfigMap key -> deploy/config/<key>.
    cfg = None
    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    for vm in c.get("volumeMounts") or []:
        mount = vm.get("mountPath", "").rstrip("/")
        if config_path.startswith(mount + "/"):
            key = config_path[len(mount) + 1:]
            cm_name = get(volumes.get(vm.get("name")), "configMap", "name")
            cms = [cm for cm in objects(m, "ConfigMap") if cm["doc"]["metadata"]["name"] == cm_name]
            if not cms:
                errs.append(f"{name}: --config {config_path} is mounted from ConfigMap {cm_name!r}, "
                            "which deploy/kubernetes/ does not define")
            elif key not in (get(cms[0]["doc"], "data") or {}):
                errs.append(f"{name}: ConfigMap {cm_name} has no key {key!r} for --config {config_path}")
            cfg = m["configs"].get(key)
    if cfg is None:
        errs.append(f"{name}: --config {config_path} does not come from a ConfigMap key backed by deploy/config/")
        return None
    sections = set(cfg["doc"] or {}) - {"log_level"}
    if sections != {role}:
        errs.append(f"{cfg['file']}: runs as `vitals {role}`, so it must have exactly a `{role}:` "
                    f"section (has {sorted(sections)})")
    section = get(cfg["doc"], role) or {}
    iface = m["interfaces"].get(role, {})
    listen = port_of(section.get("listen", "0.0.0.0:9091" if role == "gateway" else "0.0.0.0:9095"))
    if iface.get("ports") != {listen}:
        errs.append(f"{cfg['file']}: {role}.listen port {listen} is not the {role} port of "
                    f"docs/interfaces.md ({sorted(iface.get('ports', []))})")
    http = container_ports(c).get("http")
    if not http:
        errs.append(f"{name}: the vitals container needs a port named http")
    else:
        if http.get("containerPort") != listen:
            errs.append(f"{name}: containerPort {http.get('containerPort')} != {role}.listen port {listen}")
        if http.get("protocol", "TCP") != "TCP":
            errs.append(f"{name}: port http must be TCP")
        if role == "gateway" and http.get("hostPort") != listen:
            errs.append(f"{name}: the gateway's port http needs hostPort {listen} (Flink pushes to <node IP>:{listen})")
    if role == "gateway":
        check_statsd_port(name, c, section, errs)
    # Probes: paths from docs/interfaces.md (the scorer section does not list
    # them yet: it serves the same paths as the gateway).
    paths = iface.get("paths") or m["interfaces"].get("gateway", {}).get("paths", set())
    for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
        if path not in paths:
            errs.append(f"docs/interfaces.md: no {path} for the {role}; the {probe} relies on it")
        got = get(c, probe, "httpGet", "path")
        port = resolve_port(c, get(c, probe, "httpGet", "port"))
        if got != path or port != listen:
            errs.append(f"{name}: {probe} must be GET {path} on port {listen} (is {got} on {port})")
    for kind in ("requests", "limits"):
        for res in ("cpu", "memory"):
            if not get(c, "resources", kind, res):
                errs.append(f"{name}: resources.{kind}.{res} is missing")
    # Pod wiring.
    sa = pod.get("serviceAccountName")
    if not sa or not [s for s in objects(m, "ServiceAccount") if s["doc"]["metadata"]["name"] == sa]:
        errs.append(f"{name}: serviceAccountName {sa!r} is not a ServiceAccount of deploy/kubernetes/")
    selector = get(d, "spec", "selector", "matchLabels") or {}
    labels = get(d, "spec", "template", "metadata", "labels") or {}
    if not selector or any(labels.get(k) != v for k, v in selector.items()):
        errs.append(f"{name}: spec.selector.matchLabels must match the pod template's labels")
    if role == "gateway":
        env = {e.get("name"): e for e in c.get("env") or []}
        if get(env.get("NODE_NAME"), "valueFrom", "fieldRef", "fieldPath") != "spec.nodeName":
            errs.append(f"{name}: env NODE_NAME must come from the downward API (fieldRef spec.nodeName)")
        if section.get("node"):
            errs.append(f"{cfg['file']}: gateway.node is set, so NODE_NAME would be ignored: leave it unset")
        timeout = parse_duration(section.get("shutdown_timeout", DEFAULT_SHUTDOWN_TIMEOUT))
        grace = pod.get("terminationGracePeriodSeconds", 30)
        if not isinstance(grace, int) or grace <= timeout:
            errs.append(f"{name}: terminationGracePeriodSeconds ({grace}) must exceed gateway.shutdown_timeout "
                        f"({timeout:g} s in {cfg['file']}) so that the final Kafka flush completes")
    if role == "scorer" and section.get("fleet_reads", True) is not False and not section.get("advertise_url"):
        # ScorerConfig::AdvertisedUrl: a wildcard listen host is replaced by
        # $POD_IP, else by the host name (the pod's name, which other pods
        # cannot resolve).
        host = str(section.get("listen", "0.0.0.0:9095")).rsplit(":", 1)[0].strip("[]")
        env = {e.get("name"): e for e in c.get("env") or []}
        if host in ("", "0.0.0.0", "::") and \
                get(env.get("POD_IP"), "valueFrom", "fieldRef", "fieldPath") != "status.podIP":
            errs.append(f"{name}: env POD_IP must come from the downward API (fieldRef status.podIP): "
                        "the other replicas redirect to http://$POD_IP:<port> (fleet-wide reads, "
                        "scorer.advertise_url unset)")
    if role == "scorer" and get(d, "kind") == "Deployment" and (get(d, "spec", "replicas") or 1) < 2:
        errs.append(f"{name}: run at least 2 scorer replicas")
    return {"role": role, "labels": labels, "container": c, "port": listen, "name": d["metadata"]["name"],
            "kind": d["kind"]}


def check_statsd_port(name, c, section, errs):
    """The DaemonSet's UDP port for Flink's StatsDReporter."""
    statsd = section.get("statsd") or {}
    if statsd.get("enabled", True) is not True:
        errs.append(f"{name}: gateway.statsd.enabled is off, yet deploy/flink/ offers the StatsD reporter")
    listen = port_of(statsd.get("listen", f"0.0.0.0:{STATSD_PORT}"))
    if listen != STATSD_PORT:
        errs.append(f"{name}: gateway.statsd.listen port {listen} is not {STATSD_PORT} (docs/interfaces.md, deploy/flink/)")
    p = container_ports(c).get("statsd")
    if not p:
        errs.append(f"{name}: the gateway needs a port named statsd: UDP {STATSD_PORT}, containerPort and hostPort")
        return
    if p.get("protocol") != "UDP":
        errs.append(f"{name}: port statsd must be protocol UDP (is {p.get('protocol', 'TCP')})")
    if p.get("containerPort") != listen or p.get("hostPort") != listen:
        errs.append(f"{name}: port statsd needs containerPort and hostPort {listen} "
                    f"(has {p.get('containerPort')} / {p.get('hostPort')})")


PSA_LEVELS = ("privileged", "baseline", "restricted")
PSA_PREFIX = "pod-security.kubernetes.io/"


def host_access(workload):
    """What in a pod template the Pod Security `baseline` level refuses, as
    far as these manifests can use it: host namespaces, hostPorts,
    privileged containers, added capabilities, hostPath volumes."""
    pod = get(workload, "spec", "template", "spec", default={}) or {}
    found = [f for f in ("hostNetwork", "hostPID", "hostIPC") if pod.get(f)]
    for c in (pod.get("containers") or []) + (pod.get("initContainers") or []):
        ports = [p.get("hostPort") for p in c.get("ports") or [] if p.get("hostPort")]
        if ports:
            found.append(f"hostPort {', '.join(str(x) for x in ports)}")
        if get(c, "securityContext", "privileged"):
            found.append("privileged container")
        if get(c, "securityContext", "capabilities", "add"):
            found.append("added capabilities")
    if any("hostPath" in v for v in pod.get("volumes") or []):
        found.append("hostPath volume")
    return found


def check_pod_security(m, errs):
    namespaces = objects(m, "Namespace")
    if len(namespaces) != 1:
        return
    x = namespaces[0]
    labels = get(x["doc"], "metadata", "labels") or {}
    for mode in ("enforce", "warn", "audit"):
        level = labels.get(PSA_PREFIX + mode)
        if level not in PSA_LEVELS:
            errs.append(f"{ident(x)}: label {PSA_PREFIX}{mode} must be one of {list(PSA_LEVELS)} "
                        f"(is {level!r}; deploy/README.md, Pod Security)")
    enforce = labels.get(PSA_PREFIX + "enforce")
    for w in m["manifests"]:
        if get(w["doc"], "kind") not in ("DaemonSet", "Deployment", "StatefulSet"):
            continue
        needs = host_access(w["doc"])
        if needs and enforce != "privileged":
            errs.append(f"{ident(w)} uses {', '.join(needs)}, which Pod Security level {enforce!r} refuses: "
                        f"the namespace needs {PSA_PREFIX}enforce: privileged")


def is_absolute_runbook(url):
    u = urllib.parse.urlsplit(str(url or ""))
    return u.scheme in ("http", "https") and bool(u.netloc) and bool(u.fragment)


def alerts_of(groups):
    return [r for g in groups or [] for r in (g.get("rules") or []) if isinstance(r, dict) and "alert" in r]


def check_runbooks(m, errs):
    sources = [(r["file"], get(r["doc"], "groups")) for r in m["rules"]]
    sources += [(ident(x), get(x["doc"], "spec", "groups")) for x in m["operator"]
                if get(x["doc"], "kind") == "PrometheusRule"]
    for where, groups in sources:
        alerts = alerts_of(groups)
        if not alerts and where.startswith("alerts/"):
            errs.append(f"{where}: no alerts found")
        for r in alerts:
            url = get(r, "annotations", "runbook_url")
            if not is_absolute_runbook(url):
                errs.append(f"{where}: alert {r['alert']}: runbook_url {url!r} is not an absolute "
                            "http(s) URL with an #anchor (alerts/README.md, Runbook links)")


def check_prometheus_rules(m, ns, errs):
    """The generated PrometheusRules: the text a fresh generation gives, and
    spec.groups equal to the source groups."""
    where = generate_rules.DEFAULT_OUTPUT
    text = m.get("operator_rules_text")
    if text is None:
        errs.append(f"{where}: missing; run python3 deploy/tools/generate_rules.py")
        return
    try:
        want = generate_rules.render_prometheus_rules([(r["file"], r["text"]) for r in m["rules"]],
                                                      namespace=ns or generate_rules.DEFAULT_NAMESPACE)
    except generate_rules.GenerateError as e:
        errs.append(f"{where}: cannot regenerate: {e}")
        return
    if text != want:
        diff = list(difflib.unified_diff(want.splitlines(), text.splitlines(), "generated", where,
                                         lineterm="", n=0))
        errs.append(f"{where} differs from a fresh generation from alerts/rules/ (stale: run "
                    "python3 deploy/tools/generate_rules.py):\n    " + "\n    ".join(diff[:12]))
    rules = [x for x in m["operator"] if get(x["doc"], "kind") == "PrometheusRule"]
    if len(rules) != len(m["rules"]):
        errs.append(f"{where}: {len(rules)} PrometheusRules for {len(m['rules'])} files in alerts/rules/")
    for x, src in zip(rules, m["rules"]):
        if get(x["doc"], "apiVersion") != "monitoring.coreos.com/v1":
            errs.append(f"{ident(x)}: apiVersion must be monitoring.coreos.com/v1")
        if get(x["doc"], "metadata", "namespace") != ns:
            errs.append(f"{ident(x)}: metadata.namespace must be {ns!r}")
        spec = get(x["doc"], "spec")
        if spec != src["doc"]:
            errs.append(f"{ident(x)}: spec.groups differ from the groups of {src['file']}")


def monitor_job(doc, labels):
    """The job name Prometheus gives a monitor's targets: a relabeling to
    `job` wins over jobLabel, which wins over the default."""
    endpoints = get(doc, "spec", "podMetricsEndpoints") or get(doc, "spec", "endpoints") or []
    for r in get(endpoints, 0, "relabelings") or []:
        if r.get("targetLabel") == "job" and not r.get("sourceLabels") and r.get("action", "replace") == "replace":
            return r.get("replacement")
    job_label = get(doc, "spec", "jobLabel")
    if job_label:
        return labels.get(job_label)
    return None


def check_monitors(m, ns, workloads, services, errs):
    pod_monitors = [x for x in m["operator"] if get(x["doc"], "kind") == "PodMonitor"]
    service_monitors = [x for x in m["operator"] if get(x["doc"], "kind") == "ServiceMonitor"]
    gateway = next((w for w in workloads if w["role"] == "gateway"), None)
    scorer_services = services.get("scorer", [])
    for x in pod_monitors + service_monitors:
        if get(x["doc"], "metadata", "namespace") != ns:
            errs.append(f"{ident(x)}: metadata.namespace must be {ns!r}")
    if len(pod_monitors) != 1 or gateway is None:
        errs.append("deploy/prometheus-operator: want one PodMonitor, for the gateway DaemonSet")
    else:
        x = pod_monitors[0]
        d = x["doc"]
        selector = get(d, "spec", "selector", "matchLabels") or {}
        if not selector or any(gateway["labels"].get(k) != v for k, v in selector.items()):
            errs.append(f"{ident(x)}: spec.selector.matchLabels must pick the gateway pods")
        ep = get(d, "spec", "podMetricsEndpoints", 0) or {}
        if resolve_port(gateway["container"], ep.get("port")) != gateway["port"]:
            errs.append(f"{ident(x)}: podMetricsEndpoints[0].port must be the gateway's http port (is {ep.get('port')!r})")
        if ep.get("honorLabels") is not True:
            errs.append(f"{ident(x)}: honorLabels must be true (docs/self-metrics.md)")
        if monitor_job(d, gateway["labels"]) != "vitals-gateway":
            errs.append(f"{ident(x)}: its targets must get job=\"vitals-gateway\" (the rules select on it)")
    if len(service_monitors) != 1 or not scorer_services:
        errs.append("deploy/prometheus-operator: want one ServiceMonitor, for the scorer Service")
    else:
        x = service_monitors[0]
        d = x["doc"]
        selector = get(d, "spec", "selector", "matchLabels") or {}
        picked = [s for s in scorer_services
                  if selector and all((get(s, "metadata", "labels") or {}).get(k) == v for k, v in selector.items())]
        if len(picked) != 1:
            errs.append(f"{ident(x)}: spec.selector.matchLabels must pick the scorer Service")
        else:
            s = picked[0]
            ep = get(d, "spec", "endpoints", 0) or {}
            if ep.get("port") not in [p.get("name") for p in get(s, "spec", "ports") or []]:
                errs.append(f"{ident(x)}: endpoints[0].port {ep.get('port')!r} is no port name of Service "
                            f"{s['metadata']['name']}")
            if ep.get("honorLabels") is not True:
                errs.append(f"{ident(x)}: honorLabels must be true (docs/self-metrics.md)")
            job = monitor_job(d, get(s, "metadata", "labels") or {}) or s["metadata"]["name"]
            if job != "vitals-scorer":
                errs.append(f"{ident(x)}: its targets must get job=\"vitals-scorer\" (the rules select on it)")


def check_services(m, workloads, errs):
    by_role = {}
    for x in objects(m, "Service"):
        d = x["doc"]
        selector = get(d, "spec", "selector") or {}
        targets = [w for w in workloads if selector and all(w["labels"].get(k) == v for k, v in selector.items())]
        if len(targets) != 1:
            errs.append(f"{ident(x)}: the selector must pick exactly one workload of deploy/kubernetes/")
            continue
        w = targets[0]
        for p in get(d, "spec", "ports") or []:
            if resolve_port(w["container"], p.get("targetPort", p.get("port"))) is None:
                errs.append(f"{ident(x)}: targetPort {p.get('targetPort')} is no port of {w['name']}")
        by_role.setdefault(w["role"], []).append(d)
    gateway_services = by_role.get("gateway", [])
    if not [s for s in gateway_services if get(s, "spec", "clusterIP") == "None"]:
        errs.append("deploy/kubernetes: the gateway needs a headless Service (clusterIP: None) for scraping")
    if not by_role.get("scorer"):
        errs.append("deploy/kubernetes: the scorer needs a Service")
    return by_role


def scrape_jobs(doc, file, errs):
    jobs = {}
    for job in get(doc, "scrape_configs") or []:
        jobs[get(job, "job_name")] = job
    for name in ("vitals-gateway", "vitals-scorer"):
        job = jobs.get(name)
        if job is None:
            errs.append(f"{file}: no scrape job {name!r} (docs/self-metrics.md)")
        elif job.get("honor_labels") is not True:
            errs.append(f"{file}: job {name} needs honor_labels: true (docs/self-metrics.md)")
    return jobs


def check_scrape(m, ns, services, errs):
    f = m["scrape.yml"]
    jobs = scrape_jobs(f["doc"], f["file"], errs)
    for role in ("gateway", "scorer"):
        job = jobs.get(f"vitals-{role}")
        if job is None:
            continue
        keep = {tuple(r.get("source_labels") or []): r.get("regex") for r in job.get("relabel_configs") or []
                if r.get("action") == "keep"}
        service = keep.get(("__meta_kubernetes_service_name",))
        port = keep.get(("__meta_kubernetes_endpoint_port_name",))
        matches = [s for s in services.get(role, []) if s["metadata"]["name"] == service]
        if not matches:
            errs.append(f"{f['file']}: job vitals-{role} must keep __meta_kubernetes_service_name of a "
                        f"Service selecting the {role} (found {service!r})")
        elif port not in [p.get("name") for p in get(matches[0], "spec", "ports") or []]:
            errs.append(f"{f['file']}: job vitals-{role} keeps port name {port!r}, which Service {service} lacks")
        sd = get(job, "kubernetes_sd_configs", 0) or {}
        if sd.get("role") != "endpoints" or ns not in (get(sd, "namespaces", "names") or []):
            errs.append(f"{f['file']}: job vitals-{role} must discover role endpoints in namespace {ns}")


def check_laptop(m, errs):
    f = m["laptop.yml"]
    jobs = scrape_jobs(f["doc"], f["file"], errs)
    for role in ("gateway", "scorer"):
        job = jobs.get(f"vitals-{role}")
        if job is None:
            continue
        want = m["interfaces"].get(role, {}).get("ports", set())
        targets = [t for sc in job.get("static_configs") or [] for t in sc.get("targets") or []]
        if not targets or any(port_of(t) not in want for t in targets):
            errs.append(f"{f['file']}: job vitals-{role} must target the default port {sorted(want)} (has {targets})")
    base = os.path.dirname(os.path.join(m["root"], f["file"]))
    loaded = {os.path.realpath(p) for pattern in get(f["doc"], "rule_files") or []
              for p in glob.glob(os.path.join(base, pattern))}
    rules = {os.path.realpath(p) for p in glob.glob(os.path.join(m["root"], "alerts", "rules", "*.yml"))}
    if not rules or not rules <= loaded:
        errs.append(f"{f['file']}: rule_files must load every alerts/rules/*.yml")


def flink_legacy_parse(text):
    """flink-conf.yaml as Flink 1.x reads it: `key: value` per line, cut at '#'."""
    out = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            key, sep, value = line.partition(": ")
            out[key.strip()] = value.strip() if sep else None
    return out


def flatten(d, prefix=""):
    out = {}
    for k, v in (d or {}).items():
        if isinstance(v, dict):
            out.update(flatten(v, f"{prefix}{k}."))
        else:
            out[f"{prefix}{k}"] = v
    return out


def as_flink_string(v):
    return str(v).lower() if isinstance(v, bool) else str(v)


def check_flink(m, errs):
    flat = {k: as_flink_string(v) for k, v in (m["flink-conf.yaml"]["doc"] or {}).items()}
    legacy = flink_legacy_parse(m["flink-conf.yaml"]["text"])
    if legacy != flat:
        bad = sorted(k for k in set(legacy) | set(flat) if legacy.get(k) != flat.get(k))
        errs.append(f"deploy/flink/flink-conf.yaml: Flink's legacy parser reads {bad} differently from YAML "
                    "(no quotes, no '#' in values)")
    nested = {k: as_flink_string(v) for k, v in flatten(m["config.yaml"]["doc"]).items()}
    if nested != flat:
        bad = sorted(k for k in set(nested) | set(flat) if nested.get(k) != flat.get(k))
        errs.append(f"deploy/flink/config.yaml and flink-conf.yaml disagree on {bad}")
    gateway = min(m["interfaces"].get("gateway", {}).get("ports") or {0})
    r = "metrics.reporter."
    expect = {
        r + "promgateway.factory.class": "org.apache.flink.metrics.prometheus.PrometheusPushGatewayReporterFactory",
        r + "promgateway.hostUrl": f"http://${{NODE_IP}}:{gateway}",
        r + "stsd.factory.class": "org.apache.flink.metrics.statsd.StatsDReporterFactory",
        r + "stsd.host": "${NODE_IP}",
        r + "stsd.port": str(STATSD_PORT),
        r + "influxdb.factory.class": "org.apache.flink.metrics.influxdb.InfluxdbReporterFactory",
        r + "influxdb.host": "${NODE_IP}",
        r + "influxdb.port": str(gateway),
        r + "prom.factory.class": "org.apache.flink.metrics.prometheus.PrometheusReporterFactory",
        r + "prom.port": str(FLINK_PROMETHEUS_PORT),
        "metrics.reporters": "promgateway",
    }
    for key, value in expect.items():
        if flat.get(key) != value:
            errs.append(f"deploy/flink/flink-conf.yaml: {key} should be {value!r} (is {flat.get(key)!r})")
    if not str(flat.get(r + "promgateway.groupingKey", "")).startswith("cluster="):
        errs.append("deploy/flink/flink-conf.yaml: promgateway.groupingKey must carry cluster=<cluster>")


def check(m):
    errs = []
    ns = check_objects(m, errs)
    check_configmaps(m, errs)
    workloads = []
    for x in m["manifests"]:
        if get(x["doc"], "kind") in ("DaemonSet", "Deployment", "StatefulSet"):
            w = check_workload(m, x, errs)
            if w:
                workloads.append(w)
    roles = sorted(w["role"] for w in workloads)
    if roles != ["gateway", "scorer"]:
        errs.append(f"deploy/kubernetes: expected one gateway and one scorer workload, found {roles}")
    if any(w["role"] == "gateway" and w["kind"] != "DaemonSet" for w in workloads):
        errs.append("deploy/kubernetes: the gateway must be a DaemonSet (one per node)")
    services = check_services(m, workloads, errs)
    check_scrape(m, ns, services, errs)
    check_laptop(m, errs)
    check_flink(m, errs)
    check_pod_security(m, errs)
    check_prometheus_rules(m, ns, errs)
    check_monitors(m, ns, workloads, services, errs)
    check_runbooks(m, errs)
    return errs


# ---------------------------------------------------------------------------
# Self-test: the checker must notice each of these breakages.


def _find(m, kind, name):
    return next(x["doc"] for x in m["manifests"] if get(x["doc"], "kind") == kind
                and get(x["doc"], "metadata", "name") == name)


def _container(m, kind, name):
    return vitals_container(_find(m, kind, name))[0]


def _job(m, file, name):
    return next(j for j in m[file]["doc"]["scrape_configs"] if j["job_name"] == name)


def _edit_configmap(m):
    cm = next(x["doc"] for x in objects(m, "ConfigMap") if "gateway.yaml" in (get(x["doc"], "data") or {}))
    cm["data"]["gateway.yaml"] = cm["data"]["gateway.yaml"].replace("shutdown_timeout", "shutdown_timeout ", 1)


def _short_grace(m):
    timeout = parse_duration(get(m["configs"]["gateway.yaml"]["doc"], "gateway", "shutdown_timeout") or 30)
    _find(m, "DaemonSet", "vitals-gateway")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] = int(timeout)


MUTATIONS = [
    ("ConfigMap body edited", _edit_configmap, "differs from"),
    ("grace period = shutdown_timeout", _short_grace, "terminationGracePeriodSeconds"),
    ("readiness on /healthz",
     lambda m: _container(m, "DaemonSet", "vitals-gateway")["readinessProbe"]["httpGet"].update(path="/healthz"),
     "readinessProbe"),
    ("scorer liveness on the wrong port",
     lambda m: _container(m, "Deployment", "vitals-scorer")["livenessProbe"]["httpGet"].update(port=9091),
     "livenessProbe"),
    ("no hostPort",
     lambda m: container_ports(_container(m, "DaemonSet", "vitals-gateway"))["http"].pop("hostPort"),
     "hostPort"),
    ("no NODE_NAME",
     lambda m: _container(m, "DaemonSet", "vitals-gateway").update(env=[]), "NODE_NAME"),
    ("no POD_IP for the scorer",
     lambda m: _container(m, "Deployment", "vitals-scorer").update(env=[]), "POD_IP"),
    ("gateway listens elsewhere",
     lambda m: m["configs"]["gateway.yaml"]["doc"]["gateway"].update(listen="0.0.0.0:9999"), "listen port"),
    ("no honor_labels in scrape.yml",
     lambda m: _job(m, "scrape.yml", "vitals-scorer").update(honor_labels=False), "honor_labels"),
    ("laptop.yml on another port",
     lambda m: _job(m, "laptop.yml", "vitals-gateway")["static_configs"][0].update(targets=["localhost:9092"]),
     "default port"),
    ("Flink 2.x snippet drifts",
     lambda m: m["config.yaml"]["doc"]["metrics"]["reporter"]["promgateway"].update(jobName="other"),
     "disagree"),
    ("no StatsD port",
     lambda m: _container(m, "DaemonSet", "vitals-gateway").update(
         ports=[p for p in _container(m, "DaemonSet", "vitals-gateway")["ports"] if p.get("name") != "statsd"]),
     "port named statsd"),
    ("StatsD over TCP",
     lambda m: container_ports(_container(m, "DaemonSet", "vitals-gateway"))["statsd"].update(protocol="TCP"),
     "UDP"),
    ("StatsD without hostPort",
     lambda m: container_ports(_container(m, "DaemonSet", "vitals-gateway"))["statsd"].pop("hostPort"),
     "port statsd needs"),
    ("no Pod Security label",
     lambda m: _find(m, "Namespace", "vitals")["metadata"]["labels"].pop(PSA_PREFIX + "enforce"),
     PSA_PREFIX + "enforce"),
    ("Pod Security baseline with hostPorts",
     lambda m: _find(m, "Namespace", "vitals")["metadata"]["labels"].update({PSA_PREFIX + "enforce": "baseline"}),
     "enforce: privileged"),
    ("PrometheusRule edited by hand",
     lambda m: m.update(operator_rules_text=m["operator_rules_text"].replace("for: 5m", "for: 6m", 1)),
     "fresh generation"),
    ("PrometheusRule groups drift",
     lambda m: next(x for x in m["operator"] if get(x["doc"], "kind") == "PrometheusRule")["doc"]["spec"][
         "groups"][0].update(interval="1m"),
     "spec.groups differ"),
    ("relative runbook_url",
     lambda m: alerts_of(m["rules"][0]["doc"]["groups"])[0]["annotations"].update(
         runbook_url="docs/runbooks.md#x"),
     "absolute"),
    ("PodMonitor without honorLabels",
     lambda m: next(x for x in m["operator"] if get(x["doc"], "kind") == "PodMonitor")["doc"]["spec"][
         "podMetricsEndpoints"][0].update(honorLabels=False),
     "honorLabels"),
    ("ServiceMonitor on another job name",
     lambda m: next(x for x in m["operator"] if get(x["doc"], "kind") == "ServiceMonitor")["doc"]["spec"][
         "endpoints"][0]["relabelings"][0].update(replacement="scorer"),
     "vitals-scorer"),
    ("quoted value in flink-conf.yaml",
     lambda m: m["flink-conf.yaml"].update(text=m["flink-conf.yaml"]["text"].replace(
         "metrics.reporters: promgateway", 'metrics.reporters: "promgateway"')), "legacy parser"),
]

YAML_CASES = [
    ("a: 1\nb:\n- x\n- y: z\n  w: [1, 'q', \"r\"]\n", {"a": 1, "b": ["x", {"y": "z", "w": [1, "q", "r"]}]}),
    ("k: |\n  one\n\n  two # kept\n\nn: 2 # comment\n", {"k": "one\n\ntwo # kept\n", "n": 2}),
    ("k: |-\n  x\n", {"k": "x"}),
    ("url: http://h:9091/p#frag\n", {"url": "http://h:9091/p#frag"}),
    ("a: yes\n", YamlError),
    ("a: 0644\n", YamlError),
    ("a: b: c\n", YamlError),
    ("a: 1\na: 2\n", YamlError),
    ("a:\n  b: 1\n   c: 2\n", YamlError),
    ("a: &x 1\n", YamlError),
]


def self_test(model):
    failures = []
    for text, want in YAML_CASES:
        try:
            got = yaml_load(text, "case")
        except YamlError as e:
            got = YamlError
            if want is not YamlError:
                failures.append(f"YAML subset: {text!r} raised {e}")
            continue
        if got != want:
            failures.append(f"YAML subset: {text!r} gave {got!r}, want {want!r}")
    for what, mutate, expect in MUTATIONS:
        m = copy.deepcopy(model)
        mutate(m)
        errs = check(m)
        if not any(expect in e for e in errs):
            failures.append(f"self-test: '{what}' went unnoticed (want an error about {expect!r}; got {errs})")
    return failures


def promtool_check(root):
    promtool = shutil.which("promtool")
    if promtool is None:
        print("deploy_manifests: promtool not installed, skipping `promtool check config`")
        return []
    laptop = os.path.join(root, "deploy", "prometheus", "laptop.yml")
    run = subprocess.run([promtool, "check", "config", laptop], capture_output=True, text=True)
    if run.returncode != 0:
        return [f"promtool check config {laptop} failed:\n{run.stdout}{run.stderr}"]
    # A site's runbook base: the generated plain rule files still load.
    with tempfile.TemporaryDirectory() as tmp:
        try:
            files = generate_rules.write_rule_files(root, tmp, "https://runbooks.example.org/vitals/runbooks")
        except generate_rules.GenerateError as e:
            return [f"generate_rules.py --rule-files: {e}"]
        run = subprocess.run([promtool, "check", "rules"] + files, capture_output=True, text=True)
        if run.returncode != 0:
            return [f"promtool check rules on rules generated with --runbook-base failed:\n{run.stdout}{run.stderr}"]
    # scrape.yml uses kubernetes_sd_configs, which Debian's Prometheus build
    # leaves out: check it where promtool knows it.
    scrape = os.path.join(root, "deploy", "prometheus", "scrape.yml")
    run = subprocess.run([promtool, "check", "config", scrape], capture_output=True, text=True)
    if run.returncode != 0:
        if "kubernetes_sd_configs not found" in run.stdout + run.stderr:
            print("deploy_manifests: this promtool lacks kubernetes_sd_configs, skipping scrape.yml")
            return []
        return [f"promtool check config {scrape} failed:\n{run.stdout}{run.stderr}"]
    return []


def write_configmaps(root):
    """Copies deploy/config/<key> into every `<key>: |` block of the manifests."""
    configs = {os.path.basename(p): read(p) for p in glob.glob(os.path.join(root, "deploy", "config", "*.yaml"))}
    for path in sorted(glob.glob(os.path.join(root, "deploy", "kubernetes", "*.y*ml"))):
        lines = read(path).split("\n")
        out, i, changed = [], 0, False
        while i < len(lines):
            line = lines[i]
            out.append(line)
            i += 1
            mt = re.match(r"( *)([A-Za-z0-9_.-]+\.yaml): \|$", line)
            if not mt or mt.group(2) not in configs:
                continue
            indent = len(mt.group(1))
            end = i
            while end < len(lines) and (lines[end].strip() == "" or len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
                end += 1
            while end > i and lines[end - 1].strip() == "":
                end -= 1  # blank lines after the block stay where they are
            block = [(" " * (indent + 2) + l) if l else "" for l in configs[mt.group(2)].rstrip("\n").split("\n")]
            changed |= block != lines[i:end]
            out.extend(block)
            i = end
        if changed:
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(out))
            print(f"deploy_manifests: updated {os.path.relpath(path, root)}")


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    if len(args) != 1 or any(a not in ("--write-configmaps",) for a in argv[1:] if a.startswith("--")):
        print(__doc__, file=sys.stderr)
        return 2
    root = os.path.abspath(args[0])
    if "--write-configmaps" in argv:
        write_configmaps(root)
    try:
        model = load_model(root)
    except (YamlError, OSError, ValueError, generate_rules.GenerateError) as e:
        print(f"deploy_manifests: {e}", file=sys.stderr)
        return 1
    errs = check(model)
    for e in errs:
        print(f"error: {e}", file=sys.stderr)
    if errs:
        return 1
    failures = self_test(model) + promtool_check(root)
    for f in failures:
        print(f"error: {f}", file=sys.stderr)
    if failures:
        return 1
    print(f"deploy_manifests: ok ({len(model['manifests'])} manifests, {len(MUTATIONS)} breakages caught)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
