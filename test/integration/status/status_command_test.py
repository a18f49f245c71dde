#!/usr/bin/env python3
"""`vitals status` against `vitals standalone` whose simulated job_001 fails
its checkpoints (critical once graded) while job_000 and job_002 run well:

- the table lists every job with the columns the on-call view needs, and
  the exit code is 3 while a selected job is critical;
- filters select on the scorer (--prefix, --grade, --cluster, --team), and a
  selection without a critical job exits 0;
- --json prints the JobList; --watch in a terminal (tmux) redraws the
  table in place under a heading with the time;
- `status wave <wave>` shows a wave's verdicts (exit 4 while it holds) and
  --json its WaveStatus; an unknown wave exits 1;
- a scorer that cannot be read exits 1, a bad URL 2.

usage: status_command_test.py VITALS
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

VITALS = sys.argv[1]


def status(scorer, *flags):
    r = subprocess.run([VITALS, "status", "--scorer", scorer, *flags], capture_output=True,
                       text=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def main():
    failures = []

    def check(ok, what):
        print(("ok    " if ok else "FAIL  ") + what, flush=True)
        if not ok:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "vitals.yaml").write_text(
            "scorer:\n  tick: 200ms\n  scoring:\n    grace: 500ms\n    min_intervals: 1\n")
        log = open(tmp / "vitals.log", "w+")
        vitals = subprocess.Popen(
            [VITALS, "standalone", "--config", str(tmp / "vitals.yaml"),
             "--gateway-listen", "127.0.0.1:0", "--scorer-listen", "127.0.0.1:0",
             "--statsd-listen", "127.0.0.1:0", "--table=false", "--interval", "2s",
             "--simulate-jobs", "3", "--simulate-faults", "job-001=checkpoint_failure",
             "--simulate-teams", "payments,web"],
            stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            scorer = None
            for line in vitals.stdout:
                if m := re.search(r"scorer metrics\s+(http://[\d.:]+)/metrics", line):
                    scorer = m.group(1)
                    break
            if scorer is None:
                print("FAIL  vitals standalone did not come up")
                return 1

            grades = {}
            deadline = time.time() + 150
            while time.time() < deadline:
                code, out, _ = status(scorer, "--json")
                if code in (0, 3):
                    grades = {j["jobName"]: j.get("grade") for j in json.loads(out).get("jobs", [])}
                if len(grades) == 3 and grades.get("job_001") == "critical":
                    break
                time.sleep(2)
            check(grades.get("job_001") == "critical" and len(grades) == 3,
                  f"--json lists the jobs with their grades: {grades}")

            code, out, _ = status(scorer)
            lines = out.splitlines()
            check(code == 3, f"exit code 3 while job_001 is critical (got {code})")
            check(lines and lines[0].split()[:4] == ["JOB", "CLUSTER", "STATE", "SCORE"],
                  f"the table's header: {lines[:1]}")
            check(sum(1 for l in lines if l.startswith("job_")) == 3 and lines[1].startswith("job_001"),
                  "every job listed, the critical one first")

            code, out, _ = status(scorer, "--prefix", "job_00", "--grade", "critical")
            check(code == 3 and [l.split()[0] for l in out.splitlines()[1:]] == ["job_001"],
                  f"--grade critical selects job_001 only (exit {code})")
            others = [j for j, g in grades.items() if g != "critical"]
            code, out, _ = status(scorer, "--prefix", others[0])
            check(code == 0 and [l.split()[0] for l in out.splitlines()[1:]] == [others[0]],
                  f"--prefix {others[0]} selects one job that is not critical: exit 0 ({code})")
            # In a terminal (tmux): the table renders under a watch(1)-like
            # heading, and --watch redraws it with a new time.
            session = f"vitals-status-{os.getpid()}"
            subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "40",
                            f"{VITALS} status --scorer {scorer} --watch --refresh 1s"], check=True)
            try:
                def screen():
                    return subprocess.run(["tmux", "capture-pane", "-p", "-t", session],
                                          capture_output=True, text=True).stdout
                first = ""
                deadline = time.time() + 15
                while time.time() < deadline and "job_001" not in first:
                    time.sleep(0.5)
                    first = screen()
                heading = [l for l in first.splitlines() if l.startswith("Every 1s: ")]
                check(heading and "JOB" in first and "job_000" in first and "job_001" in first,
                      f"--watch in tmux renders the heading and the table: {first!r}")
                later = first
                deadline = time.time() + 15
                # A capture can fall between the new heading and the table
                # drawn under it: wait for both.
                while time.time() < deadline and heading and (heading[0] in later
                                                              or "job_001" not in later):
                    time.sleep(0.5)
                    later = screen()
                check(heading and heading[0] not in later and "job_001" in later
                      and later.count("Every 1s: ") == 1,
                      f"--watch redraws in place with a new time: {later!r}")
            finally:
                subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)

            # Teams from the pushes' `team` grouping key (job i: teams[i % 2]).
            code, out, _ = status(scorer, "--team", "web")
            check(code == 3 and [l.split()[0] for l in out.splitlines()[1:]] == ["job_001"],
                  f"--team web selects job_001 only (exit {code}): {out!r}")
            code, out, _ = status(scorer, "--team", "payments", "--json")
            team_jobs = sorted(j["jobName"] for j in json.loads(out).get("jobs", []))
            check(team_jobs == ["job_000", "job_002"], f"--team payments: {team_jobs}")
            code, out, _ = status(scorer, "--cluster", "no-such-cluster")
            check(code == 0 and "no job matches" in out, "a selection of no job says so, exit 0")

            # A wave of two jobs that do not move: recorded, then `hold`
            # (no evaluation on the new cluster), exit 4; --json is the
            # WaveStatus; an unknown wave exits 1.
            cluster = json.loads(status(scorer, "--json")[1])["jobs"][0]["cluster"]
            body = json.dumps({"name": "w1", "from": cluster, "to": "k8s-prod-eu",
                               "jobs": ["job_000", "job_002"]}).encode()
            req = urllib.request.Request(scorer + "/api/v1/waves", data=body,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=30) as r:
                check(r.status == 201, f"POST /api/v1/waves: {r.status}")
            code, out, _ = status(scorer, "wave", "w1")
            lines = out.splitlines()
            check(code == 4 and lines and lines[0].startswith("wave w1: ") and "HOLD" in out,
                  f"status wave w1: hold, exit 4 ({code}): {lines[:2]}")
            rows = {l.split()[0]: l.split()[1] for l in lines if l.startswith("job_")}
            check(rows == {"job_000": "insufficient_data", "job_002": "insufficient_data"},
                  f"status wave w1 lists the jobs with their verdicts: {rows}")
            code, out, _ = status(scorer, "wave", "w1", "--json")
            wave = json.loads(out) if code == 4 else {}
            check(wave.get("verdict") == "hold" and len(wave.get("jobs", [])) == 2,
                  f"status wave w1 --json prints the WaveStatus (exit {code})")
            code, _, err = status(scorer, "wave", "nope")
            check(code == 1 and "no wave nope" in err, f"an unknown wave: exit 1 ({err.strip()})")

            code, _, err = status("http://127.0.0.1:1")
            check(code == 1 and "Connection refused" in err, f"an unreachable scorer: exit 1 ({err.strip()})")
            code, _, err = status("ftp://x")
            check(code == 2 and "--scorer" in err, f"a bad URL: exit 2 ({err.strip()})")
        finally:
            vitals.terminate()
            vitals.wait(timeout=60)
        if failures:
            log.seek(0)
            print(log.read()[-2000:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
