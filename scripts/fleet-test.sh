#!/usr/bin/env bash
# The two-replica test (packages/backend/src/fleet/fleet.ftest.ts): PostgreSQL and Redis
# (scripts/postgres.sh, scripts/redis.sh), the real Airflow 3.3.2 on PostgreSQL with short-lived
# API tokens (scripts/airflow.sh), the backend built and installed for production
# (scripts/prod-install.sh), then Jest, which starts, kills and restarts two replicas on
# FLEET_BACKEND_PORT and FLEET_BACKEND_PORT+1, each behind a counting proxy to Airflow, and
# prints its counts ([fleet] lines, also in $FLEET_STATE_DIR/logs/counts.txt). The plugin
# databases (backstage_plugin_*) and the backstage:* Redis keys are dropped first: every run
# starts on an empty database. Stops what it started (by PID, through the scripts).
# Extra arguments go to Jest (e.g. --json --outputFile=report.json). SKIP_BUILD=1 reuses the
# last build (packages/backend/dist).
#
# Environment:
#   FLEET_BACKEND_PORT     first replica's port (default 7800; the second is +1)
#   FLEET_STATE_DIR        state and logs (default .services/fleet)
#   FLEET_REFRESH_MINUTES  ownership refresh interval of the replicas (default 0.25 = 15 s)
#   FLEET_JWT_SECONDS      Airflow's API token lifetime (default 20)
#   AIRFLOW_PORT (default 28800), POSTGRES_PORT (default 25450), REDIS_PORT (default 26390);
#   AIRFLOW_STATE_DIR, POSTGRES_STATE_DIR, REDIS_STATE_DIR (default: under FLEET_STATE_DIR)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

FLEET_BACKEND_PORT="${FLEET_BACKEND_PORT:-7800}"
export FLEET_STATE_DIR="${FLEET_STATE_DIR:-$REPO_ROOT/.services/fleet}"
export FLEET_REFRESH_MINUTES="${FLEET_REFRESH_MINUTES:-0.25}"
export FLEET_JWT_SECONDS="${FLEET_JWT_SECONDS:-20}"
export FLEET_PORTS="$FLEET_BACKEND_PORT,$((FLEET_BACKEND_PORT + 1))"
export FLEET_LOG_DIR="$FLEET_STATE_DIR/logs"
export FLEET_DIST="$FLEET_STATE_DIR/backend/dist"
export AIRFLOW_PORT="${AIRFLOW_PORT:-28800}"
export POSTGRES_PORT="${POSTGRES_PORT:-25450}" REDIS_PORT="${REDIS_PORT:-26390}"
export POSTGRES_STATE_DIR="${POSTGRES_STATE_DIR:-$FLEET_STATE_DIR/postgres}"
export REDIS_STATE_DIR="${REDIS_STATE_DIR:-$FLEET_STATE_DIR/redis}"
export AIRFLOW_STATE_DIR="${AIRFLOW_STATE_DIR:-$FLEET_STATE_DIR/airflow}"
export AIRFLOW_JWT_EXPIRATION="$FLEET_JWT_SECONDS"
export AIRFLOW_USERNAME=admin AIRFLOW_PASSWORD=admin
export AIRFLOW_BASE_URL="http://127.0.0.1:$AIRFLOW_PORT"
export REPO_ROOT

t0=$(date +%s)
step() { log "[fleet $(( $(date +%s) - t0 ))s] $*"; }

for port in "$FLEET_BACKEND_PORT" "$((FLEET_BACKEND_PORT + 1))"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is in use; set FLEET_BACKEND_PORT"; fi
done

started_airflow=0
cleanup() {
  if [ "$started_airflow" = 1 ]; then bash scripts/airflow.sh stop >/dev/null 2>&1 || true; fi
  stop_prod_services >/dev/null 2>&1
  step "stopped what it started"
}
trap cleanup EXIT

rm -rf "$FLEET_LOG_DIR"; mkdir -p "$FLEET_LOG_DIR"
ensure_deps

step "PostgreSQL on $POSTGRES_PORT, Redis on $REDIS_PORT"
start_prod_services
reset_prod_services

airflow_db="$(bash scripts/postgres.sh createdb airflow | tail -n 1)"
export AIRFLOW_DB_URL="${airflow_db/postgresql:/postgresql+psycopg2:}"
step "Airflow on $AIRFLOW_PORT (metadata DB on PostgreSQL, tokens valid $FLEET_JWT_SECONDS s; log $FLEET_LOG_DIR/airflow-start.log)"
bash scripts/airflow.sh status >/dev/null 2>&1 || started_airflow=1
bash scripts/airflow.sh start >"$FLEET_LOG_DIR/airflow-start.log" 2>&1 ||
  { tail -n 30 "$FLEET_LOG_DIR/airflow-start.log"; die "Airflow did not start"; }

step "production build and install"
bash scripts/prod-install.sh "$FLEET_STATE_DIR/backend"

step "the two-replica test"
status=0
CI=true yarn workspace backend test:fleet "$@" || status=$?
step "done (exit $status)"
exit "$status"
