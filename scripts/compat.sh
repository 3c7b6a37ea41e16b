#!/usr/bin/env bash
# Compatibility matrix: runs the integration suite (packages/backend/src/integration) against each
# supported Airflow version and auth manager, one after another, and writes docs/compatibility.md.
#
#   bash scripts/compat.sh                  every combination below
#   bash scripts/compat.sh 2.11.2-fab 3.3.2-simple   only these (the table keeps the others' last results)
#
# For each combination it starts that Airflow from a fresh state dir (.airflow/compat/<combo>/, new
# metadata DB), starts the example backend against it, runs `yarn test:integration` (Jest JSON report
# in .airflow/compat/results/<combo>.json), stops both, and finally renders the table from every
# report there (scripts/compat_report.py).
#
# Settings (environment):
#   COMPAT_AIRFLOW_PORT   Airflow port on 127.0.0.1  (default 28090)
#   COMPAT_BACKEND_PORT   example backend port        (default 7090)
#   AIRFLOW_DB_URL        passed on to scripts/airflow.sh (default SQLite)
# Exit status: 0 when every selected combination ran and passed, 1 otherwise.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib.sh

ALL_COMBOS=(2.10.5-fab 2.11.2-fab 3.0.6-simple 3.0.6-fab 3.1.8-simple 3.1.8-fab 3.2.2-simple 3.2.2-fab 3.3.2-simple 3.3.2-fab)
AIRFLOW_PORT_="${COMPAT_AIRFLOW_PORT:-28090}"
BACKEND_PORT="${COMPAT_BACKEND_PORT:-7090}"
ROOT="$REPO_ROOT/.airflow/compat"
RESULTS="$ROOT/results"
mkdir -p "$RESULTS"

if [ "$#" -gt 0 ]; then combos=("$@"); else combos=("${ALL_COMBOS[@]}"); fi
for combo in "${combos[@]}"; do
  [[ " ${ALL_COMBOS[*]} " == *" $combo "* ]] || die "unknown combination $combo (one of: ${ALL_COMBOS[*]})"
done

ensure_deps
BACKEND_PGID=""
current_state=""
current_version=""
current_auth=""

stop_all() {
  stop_example_backend
  if [ -n "$current_state" ]; then
    AIRFLOW_VERSION="$current_version" AIRFLOW_AUTH="$current_auth" AIRFLOW_STATE_DIR="$current_state" \
      bash scripts/airflow.sh stop >/dev/null 2>&1 || true
    current_state=""
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

failed_combos=()
started=$(date +%s)
for combo in "${combos[@]}"; do
  version="${combo%-*}" auth="${combo##*-}"
  state="$ROOT/$combo"
  out="$RESULTS/$combo"
  rm -f "$out.json" "$out.meta"
  log "[$(( $(date +%s) - started ))s] $combo: starting Airflow $version ($auth) on port $AIRFLOW_PORT_"
  # A fresh metadata DB for every run: stop what a previous run may have left, then wipe the state.
  AIRFLOW_VERSION="$version" AIRFLOW_AUTH="$auth" AIRFLOW_STATE_DIR="$state" bash scripts/airflow.sh stop >/dev/null 2>&1 || true
  rm -rf "$state"
  mkdir -p "$state"
  current_state="$state" current_version="$version" current_auth="$auth"
  t0=$(date +%s)
  if ! AIRFLOW_VERSION="$version" AIRFLOW_AUTH="$auth" AIRFLOW_STATE_DIR="$state" AIRFLOW_PORT="$AIRFLOW_PORT_" \
      bash scripts/airflow.sh start > "$out.airflow-start.log" 2>&1; then
    echo "FAILED: $combo: Airflow did not start (last lines of $out.airflow-start.log):"
    tail -n 30 "$out.airflow-start.log"
    printf 'airflow_version=%s\nauth=%s\nerror=Airflow did not start\ndate=%s\n' "$version" "$auth" "$(date -u +%F)" > "$out.meta"
    failed_combos+=("$combo"); stop_all; continue
  fi
  airflow_start_s=$(( $(date +%s) - t0 ))
  export AIRFLOW_BASE_URL="http://127.0.0.1:$AIRFLOW_PORT_" AIRFLOW_USERNAME=admin AIRFLOW_PASSWORD=admin
  export BACKSTAGE_URL="http://127.0.0.1:$BACKEND_PORT"
  if [ "${version%%.*}" = 2 ]; then export AIRFLOW_API_VERSION=v1; else export AIRFLOW_API_VERSION=v2; fi
  log "[$(( $(date +%s) - started ))s] $combo: Airflow ready in ${airflow_start_s}s; starting the example backend on $BACKEND_PORT"
  start_example_backend "$BACKEND_PORT" "$out.backend.log"
  if ! wait_for_http "$BACKSTAGE_URL/api/airflow/instances" 180; then
    echo "FAILED: $combo: the backend did not start (last lines of $out.backend.log):"
    tail -n 30 "$out.backend.log"
    printf 'airflow_version=%s\nauth=%s\nerror=the example backend did not start\ndate=%s\n' "$version" "$auth" "$(date -u +%F)" > "$out.meta"
    failed_combos+=("$combo"); stop_all; continue
  fi
  log "[$(( $(date +%s) - started ))s] $combo: integration tests"
  t0=$(date +%s)
  CI=true yarn test:integration --json --outputFile="$out.json" > "$out.tests.log" 2>&1
  rc=$?
  tests_s=$(( $(date +%s) - t0 ))
  reported="$(curl -s "$AIRFLOW_BASE_URL/api/${AIRFLOW_API_VERSION}/version" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{try{console.log(JSON.parse(s).version)}catch{console.log("?")}})')"
  printf 'airflow_version=%s\nauth=%s\napi=%s\nairflow_start_s=%s\ntests_s=%s\ndate=%s\n' \
    "$reported" "$auth" "$AIRFLOW_API_VERSION" "$airflow_start_s" "$tests_s" "$(date -u +%F)" > "$out.meta"
  if [ ! -s "$out.json" ]; then
    echo "FAILED: $combo: no Jest report (last lines of $out.tests.log):"; tail -n 40 "$out.tests.log"
    failed_combos+=("$combo")
  else
    counts="$(node -e 'const r=require(process.argv[1]); console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed`)' "$out.json")"
    log "$combo: $counts (tests took ${tests_s}s)"
    [ "$rc" -eq 0 ] || failed_combos+=("$combo")
  fi
  stop_all
done

python3 scripts/compat_report.py "$RESULTS" docs/compatibility.md "${ALL_COMBOS[@]}"
log "[$(( $(date +%s) - started ))s] wrote docs/compatibility.md"
if [ "${#failed_combos[@]}" -gt 0 ]; then
  echo "combinations with failures: ${failed_combos[*]}"
  exit 1
fi
