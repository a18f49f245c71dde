#!/usr/bin/env bash
# Routing tests for alerts/alertmanager.yml: for representative label sets,
# the receivers AlertManager would notify, in routing-tree order.
#   usage: routes.sh [AMTOOL] [CONFIG]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
amtool=${1:-amtool}
config=${2:-$here/../alertmanager.yml}
failures=0

# expect RECEIVERS LABEL=VALUE...   (RECEIVERS comma-separated)
expect() {
  local want=$1; shift
  local got rc
  got=$("$amtool" config routes test --config.file="$config" --verify.receivers="$want" "$@" 2>/dev/null)
  rc=$?
  got=$(printf '%s\n' "$got" | grep -v '^WARNING' | tail -n 1)
  if ((rc == 0)) && [[ "$got" == "$want" ]]; then
    echo "ok    $want <= $*"
  else
    echo "FAIL  want $want, got ${got:-<nothing>} <= $*"
    failures=$((failures + 1))
  fi
}

job='alertname=FlinkJobHealthCritical component=flink-job job_name=orders-enrich job_id=a1'

# Job alerts: by team, then severity; platform pages split by cluster.
expect payments-pager            $job team=payments severity=critical cluster=k8s-prod-eu
expect payments-tickets          alertname=FlinkJobHealthDegraded component=flink-job job_name=orders-enrich team=payments severity=warning cluster=k8s-prod-eu
expect search-pager              alertname=FlinkCheckpointsStalled component=flink-job job_name=sessions team=search severity=critical cluster=yarn-prod-1
expect search-tickets            alertname=FlinkJobBackpressureSustained component=flink-job job_name=sessions team=search severity=warning cluster=yarn-prod-1
expect flink-platform-yarn-pager $job team=flink-platform severity=critical cluster=yarn-prod-1
expect flink-platform-k8s-pager  $job team=flink-platform severity=critical cluster=k8s-prod-eu
expect flink-platform-pager      $job team=flink-platform severity=critical cluster=onprem-1
expect flink-platform-tickets    alertname=FlinkJobHealthDegraded component=flink-job job_name=x team=flink-platform severity=warning cluster=k8s-prod-eu
# A team without a route of its own falls back to the platform team.
expect flink-platform-k8s-pager  $job team=ads severity=critical cluster=k8s-prod-eu
expect flink-platform-tickets    alertname=FlinkCheckpointsFailing component=flink-job job_name=y team=ads severity=warning cluster=yarn-prod-1
# "-dev" must be a whole name segment: yarn-devops-1 is production.
expect flink-platform-yarn-pager $job team=flink-platform severity=critical cluster=yarn-devops-1

# A job that does not run pages its owner like any critical job alert; it
# has no job_id (flink_job_state has none).
expect payments-pager            alertname=FlinkJobNotRunning component=flink-job job_name=orders-enrich team=payments severity=critical cluster=k8s-prod-eu
expect flink-platform-yarn-pager alertname=FlinkJobNotRunning component=flink-job job_name=clicks team=flink-platform severity=critical cluster=yarn-prod-1
expect flink-nonprod             alertname=FlinkJobNotRunning component=flink-job job_name=clicks team=search severity=critical cluster=k8s-staging

# Non-production clusters never page, whoever owns the job.
expect flink-nonprod             $job team=payments severity=critical cluster=k8s-staging
expect flink-nonprod             $job team=flink-platform severity=critical cluster=k8s-staging-eu
expect flink-nonprod             $job team=search severity=critical cluster=yarn-dev

# Rollback recommendations reach the migration tooling and the owner.
expect flink-migrations,payments-pager            alertname=FlinkJobRollbackRecommended component=flink-job job_name=payments-ledger team=payments severity=critical cluster=k8s-prod-eu
expect flink-migrations,flink-platform-k8s-pager  alertname=FlinkJobRollbackRecommended component=flink-job job_name=clicks team=flink-platform severity=critical cluster=k8s-prod-eu
expect flink-migrations,flink-nonprod             alertname=FlinkJobRollbackRecommended component=flink-job job_name=clicks team=payments severity=critical cluster=k8s-staging
# So do a wave's rollback verdicts.
expect flink-migrations,payments-pager            alertname=FlinkWaveRollback component=flink-job job_name=payments-ledger wave=w1 team=payments severity=critical cluster=k8s-prod-eu
expect flink-migrations,flink-platform-k8s-pager  alertname=FlinkWaveRollback component=flink-job job_name=clicks wave=w1 team=flink-platform severity=critical cluster=k8s-prod-eu

# Vitals infrastructure: the platform team, not split by cluster.
expect flink-platform-pager      alertname=VitalsGatewayKafkaDeliveryFailing component=vitals-gateway team=flink-platform severity=critical cluster=k8s-prod-eu instance=node-1:9091
expect flink-platform-pager      alertname=VitalsScorerAbsent component=vitals-scorer team=flink-platform severity=critical
expect flink-platform-tickets    alertname=VitalsScorerLagging component=vitals-scorer team=flink-platform severity=warning cluster=yarn-prod-1 instance=scorer-0:9095
expect flink-nonprod             alertname=VitalsTargetDown component=vitals-gateway team=flink-platform severity=warning cluster=k8s-dev instance=node-9:9091

# Nothing to go by: the default receiver.
expect flink-platform-tickets    alertname=Unknown

# The harness itself must notice a wrong receiver.
if "$amtool" config routes test --config.file="$config" --verify.receivers=payments-tickets \
     $job team=payments severity=critical cluster=k8s-prod-eu >/dev/null 2>&1; then
  echo "FAIL  amtool accepted a wrong receiver: the checks above prove nothing"
  failures=$((failures + 1))
fi

if ((failures)); then
  echo "$failures routing case(s) failed"
  exit 1
fi
echo "all routing cases passed"
