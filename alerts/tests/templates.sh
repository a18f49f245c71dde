#!/usr/bin/env bash
# Renders the notification templates of alerts/alertmanager.yml
# (alerts/templates/*.tmpl) for a sample notification and compares them with
# what an on-call engineer must see: a title naming the job, one paragraph
# per alert, and runbook links that resolve against the documentation base.
#   usage: templates.sh [AMTOOL]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
amtool=${1:-amtool}
failures=0

render() {
  "$amtool" template render --template.glob="$here/../templates/*.tmpl" \
    --template.data="$here/notification.json" --template.text="$1"
}

check() {
  local name=$1 want=$2 got
  got=$(render "{{ template \"$name\" . }}") || { echo "FAIL  $name: amtool failed"; failures=$((failures + 1)); return; }
  if [[ "$got" == "$want" ]]; then
    echo "ok    $name"
  else
    echo "FAIL  $name"
    diff <(printf '%s\n' "$want") <(printf '%s\n' "$got")
    failures=$((failures + 1))
  fi
}

check vitals.title '[FIRING:1] Flink job orders-enrich on k8s-prod-eu'
check vitals.text '[critical] Flink job orders-enrich on k8s-prod-eu is critical: score 3.0/10, worst dimension checkpoint (1.5/10)
The health score of orders-enrich (job id a1) has been at or below 4 for 10 minutes. Dimension scores: checkpoint 1.5, gc 6.0, latency 8.0.
Runbook: https://git.example.com/flink-platform/vitals/-/blob/main/docs/runbooks.md#flinkjobhealthcritical
[critical, resolved] Flink job orders-enrich on k8s-prod-eu: checkpoints fail and none completed in 15 minutes
About 6 checkpoints failed.
Runbook: https://git.example.com/flink-platform/vitals/-/blob/main/docs/runbooks.md#flinkcheckpointsstalled'

# Every template the receivers use must exist.
for name in $(grep -o 'template "[a-z._]*"' "$here/../alertmanager.yml" | sort -u | cut -d'"' -f2); do
  if ! grep -q "define \"$name\"" "$here"/../templates/*.tmpl; then
    echo "FAIL  alertmanager.yml uses template $name, which no templates/*.tmpl defines"
    failures=$((failures + 1))
  fi
done

if ((failures)); then exit 1; fi
echo "templates render as expected"
