#!/usr/bin/env bash
# Starts the example portal: installs what is missing (Node 22, Yarn
# dependencies, the Airflow virtualenv), starts a local Airflow 3 with the
# example DAGs, then Backstage (frontend :3000, backend :7007) with the example
# catalog. Ctrl-C stops Backstage and the Airflow processes this script started.
#
# Environment:
#   AIRFLOW_PORT       port of the local Airflow (default 8080)
#   AIRFLOW_BASE_URL   use your own Airflow instead of starting one (then also
#                      AIRFLOW_USERNAME / AIRFLOW_PASSWORD)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

ensure_deps

started_airflow=0
if [ -z "${AIRFLOW_BASE_URL:-}" ]; then
  export AIRFLOW_PORT="${AIRFLOW_PORT:-8080}"
  bash "$REPO_ROOT/scripts/airflow.sh" start
  started_airflow=1
  export AIRFLOW_BASE_URL="http://127.0.0.1:$AIRFLOW_PORT"
  export AIRFLOW_USERNAME="${AIRFLOW_USERNAME:-admin}"
  export AIRFLOW_PASSWORD="${AIRFLOW_PASSWORD:-admin}"
fi
: "${AIRFLOW_USERNAME:?set AIRFLOW_USERNAME for your Airflow}"
: "${AIRFLOW_PASSWORD:?set AIRFLOW_PASSWORD for your Airflow}"

cleanup() {
  if [ "$started_airflow" = 1 ] && [ "${KEEP_AIRFLOW:-0}" != 1 ]; then
    bash "$REPO_ROOT/scripts/airflow.sh" stop || true
  fi
}
trap cleanup EXIT

cat <<MSG

  Airflow:    $AIRFLOW_BASE_URL   (log in as $AIRFLOW_USERNAME)
  Backstage:  http://localhost:3000   (frontend; "Enter" signs in as the guest analyst)
              http://localhost:7007   (backend; API at /api/airflow)

  Starting Backstage; the frontend is ready when the log says "compiled successfully".
  Ctrl-C stops Backstage and the local Airflow (KEEP_AIRFLOW=1 keeps Airflow running).

MSG
yarn start
