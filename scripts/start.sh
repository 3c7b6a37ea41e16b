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
#   PROFILE            unset: SQLite in memory and the memory cache (nothing else needed);
#                      production: also starts a local PostgreSQL and Redis
#                      (scripts/postgres.sh, scripts/redis.sh; POSTGRES_PORT default 25432,
#                      REDIS_PORT default 26379) and loads app-config.production.yaml.
#                      Ctrl-C stops the services this script started (KEEP_SERVICES=1 keeps them).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

PROFILE="${PROFILE:-}"
case "$PROFILE" in
  "" | development) PROFILE="" ;;
  production) ;;
  *) die "PROFILE must be unset or 'production' (got '$PROFILE')" ;;
esac

ensure_deps

started_airflow=0
cleanup() {
  if [ "$started_airflow" = 1 ] && [ "${KEEP_AIRFLOW:-0}" != 1 ]; then
    bash "$REPO_ROOT/scripts/airflow.sh" stop || true
  fi
  if [ "${KEEP_SERVICES:-0}" != 1 ]; then stop_prod_services; fi
}
trap cleanup EXIT

config_args=()
if [ "$PROFILE" = production ]; then
  start_prod_services
  config_args=(--config "$REPO_ROOT/app-config.yaml" --config "$REPO_ROOT/app-config.production.yaml")
fi

if [ -z "${AIRFLOW_BASE_URL:-}" ]; then
  export AIRFLOW_PORT="${AIRFLOW_PORT:-8080}"
  started_airflow=1
  bash "$REPO_ROOT/scripts/airflow.sh" start
  export AIRFLOW_BASE_URL="http://127.0.0.1:$AIRFLOW_PORT"
  export AIRFLOW_USERNAME="${AIRFLOW_USERNAME:-admin}"
  export AIRFLOW_PASSWORD="${AIRFLOW_PASSWORD:-admin}"
fi
: "${AIRFLOW_USERNAME:?set AIRFLOW_USERNAME for your Airflow}"
: "${AIRFLOW_PASSWORD:?set AIRFLOW_PASSWORD for your Airflow}"

services=""
if [ "$PROFILE" = production ]; then
  services="
  Profile:    production: PostgreSQL $(bash "$REPO_ROOT/scripts/postgres.sh" url), Redis $REDIS_URL
              (Ctrl-C also stops the ones this script started; KEEP_SERVICES=1 keeps them)
"
fi

cat <<MSG

  Airflow:    $AIRFLOW_BASE_URL   (log in as $AIRFLOW_USERNAME)
  Backstage:  http://localhost:3000   (frontend; "Enter" signs in as the guest analyst)
              http://localhost:7007   (backend; API at /api/airflow)
$services
  Starting Backstage; the frontend is ready when the log says "compiled successfully".
  Ctrl-C stops Backstage and the local Airflow (KEEP_AIRFLOW=1 keeps Airflow running).

MSG
yarn start "${config_args[@]}"
