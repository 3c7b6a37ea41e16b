#!/usr/bin/env bash
# Smoke test of the production profile: the backend built for production (the bundle of
# `yarn build:backend`, installed with production dependencies only, as Backstage's Dockerfile
# does) runs as `node packages/backend` on PostgreSQL and Redis against a real local Airflow, as
# one or more replicas sharing the database and the cache. Checks, per replica:
#   - GET /api/airflow/instances answers 200 with the instance healthy
#   - an entity's DAGs answer 200 with its DAGs (guest token from POST /api/auth/guest/refresh)
#   - the ownership view answers 200 with a built index, the same one on every replica (it is
#     kept in the shared cache)
# and then that the plugin databases (backstage_plugin_*) have tables and Redis holds the cache
# keys. The `backstage:*` keys of Redis are deleted before the replicas start.
# Stops everything it started (KEEP=1 leaves it running and prints how to stop it).
#
# Environment:
#   SMOKE_REPLICAS      number of backend replicas (default 1); replica i listens on BACKEND_PORT+i.
#                       Replica 0 starts first (it creates the databases and runs the migrations),
#                       the others once it is ready; SMOKE_SIMULTANEOUS=1 starts all at once
#   BACKEND_PORT        port of the first replica (default: CI_BACKEND_PORT, else 7007)
#   AIRFLOW_PORT        port of the local Airflow started by this script (default 28080);
#                       AIRFLOW_STATE_DIR as for scripts/airflow.sh
#   AIRFLOW_BASE_URL    use a running Airflow instead (with AIRFLOW_USERNAME / AIRFLOW_PASSWORD)
#   POSTGRES_PORT, POSTGRES_STATE_DIR, REDIS_PORT, REDIS_STATE_DIR   as for scripts/postgres.sh, redis.sh
#   SMOKE_DIR           where the production install and logs live (default .services/prod-backend)
#   SMOKE_SKIP_BUILD=1  reuse packages/backend/dist from an earlier build
#   SMOKE_FRESH=1       drop the backstage_plugin_* databases first (a first start on an empty database)
#   SMOKE_ENTITY        entity whose DAGs are fetched (default component/default/analytics-reports)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

REPLICAS="${SMOKE_REPLICAS:-1}"
BACKEND_PORT="${BACKEND_PORT:-${CI_BACKEND_PORT:-7007}}"
export AIRFLOW_PORT="${AIRFLOW_PORT:-28080}"
SMOKE_DIR="${SMOKE_DIR:-$REPO_ROOT/.services/prod-backend}"
DIST="$SMOKE_DIR/dist"
ENTITY="${SMOKE_ENTITY:-component/default/analytics-reports}"
[[ "$REPLICAS" =~ ^[1-9]$ ]] || die "SMOKE_REPLICAS must be 1-9"

t_start=$(date +%s)
elapsed() { echo "$(( $(date +%s) - t_start ))s"; }
step() { log "[$(elapsed)] $*"; }

passed=0
failed=0
ok() { passed=$((passed + 1)); printf '  ok    %s\n' "$*"; }
bad() { failed=$((failed + 1)); printf '  FAIL  %s\n' "$*"; }

started_airflow=0
backend_pids=()
cleanup() {
  local pid
  if [ "${KEEP:-0}" = 1 ]; then
    log "KEEP=1: left running. Stop with: kill -TERM -- -<pid> for backend pid(s) ${backend_pids[*]:-none};"
    log "  bash scripts/airflow.sh stop; bash scripts/redis.sh stop; bash scripts/postgres.sh stop"
    return
  fi
  for pid in "${backend_pids[@]}"; do
    # Each replica runs in its own session (setsid); its PID is the group id.
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for pid in "${backend_pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  done
  if [ "$started_airflow" = 1 ]; then bash scripts/airflow.sh stop >/dev/null 2>&1 || true; fi
  stop_prod_services
}
trap cleanup EXIT

for i in $(seq 0 $((REPLICAS - 1))); do
  port=$((BACKEND_PORT + i))
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is in use; set BACKEND_PORT"
  fi
done

ensure_deps

# ---------------------------------------------------------------- services
step "PostgreSQL and Redis"
start_prod_services
if [ "${SMOKE_FRESH:-0}" = 1 ]; then
  for db in $(bash scripts/postgres.sh psql -tAc "select datname from pg_database where datname like 'backstage\_plugin\_%'"); do
    bash scripts/postgres.sh psql -qc "drop database \"$db\" with (force)"
  done
  step "SMOKE_FRESH=1: dropped the backstage_plugin_* databases"
fi

if [ -z "${AIRFLOW_BASE_URL:-}" ]; then
  step "Airflow on port $AIRFLOW_PORT"
  bash scripts/airflow.sh status >/dev/null 2>&1 || started_airflow=1
  bash scripts/airflow.sh start >"$REPO_ROOT/.services/airflow-start.log" 2>&1 ||
    { tail -n 30 "$REPO_ROOT/.services/airflow-start.log"; die "Airflow did not start"; }
  export AIRFLOW_BASE_URL="http://127.0.0.1:$AIRFLOW_PORT" AIRFLOW_USERNAME=admin AIRFLOW_PASSWORD=admin
fi
: "${AIRFLOW_USERNAME:?}" "${AIRFLOW_PASSWORD:?}"

# ---------------------------------------------------------------- build and production install
SKIP_BUILD="${SMOKE_SKIP_BUILD:-0}" bash scripts/prod-install.sh "$SMOKE_DIR"

# ---------------------------------------------------------------- replicas
# A clean cache namespace, so that the keys checked below are written by this run.
for key in $(bash scripts/redis.sh cli --scan --pattern 'backstage:*'); do
  bash scripts/redis.sh cli unlink "$key" >/dev/null
done

write_replica_config() {
  local i="$1" port="$2"
  # Per replica: its port, and what a production run of the example needs besides the
  # production profile: the example catalog by absolute path and the guest sign-in (the
  # example portal has no other provider; a real deployment configures a real one).
  cat >"$SMOKE_DIR/app-config.replica-$i.yaml" <<YAML
app:
  baseUrl: http://localhost:$port
backend:
  baseUrl: http://localhost:$port
  listen:
    port: $port
  cors:
    origin: http://localhost:$port
auth:
  providers:
    guest:
      dangerouslyAllowOutsideDevelopment: true
catalog:
  locations:
    - type: file
      target: $REPO_ROOT/examples/entities.yaml
    - type: file
      target: $REPO_ROOT/catalog-info.yaml
YAML
}

start_replica() {
  local i="$1" port=$((BACKEND_PORT + $1))
  write_replica_config "$i" "$port"
  step "starting replica $i on port $port (log $SMOKE_DIR/logs/backend-$i.log)"
  (cd "$DIST" && NODE_ENV=production exec setsid node packages/backend \
    --config app-config.yaml --config app-config.production.yaml \
    --config "$SMOKE_DIR/app-config.replica-$i.yaml") >"$SMOKE_DIR/logs/backend-$i.log" 2>&1 &
  backend_pids+=("$!")
}

# Ready: every plugin started (Backstage's readiness endpoint answers 200).
wait_ready() {
  local i="$1" port=$((BACKEND_PORT + $1)) deadline=$(( $(date +%s) + 180 ))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/.backstage/health/v1/readiness" || true)" = 200 ]; do
    if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "${backend_pids[$i]}" 2>/dev/null; then
      grep -m 5 '"level":"error"' "$SMOKE_DIR/logs/backend-$i.log" | cut -c1-600
      die "replica $i on port $port did not become ready (log $SMOKE_DIR/logs/backend-$i.log)"
    fi
    sleep 1
  done
}

# The first replica alone creates the plugin databases and runs their migrations; the others
# start once it is ready. Started at the same time on an empty PostgreSQL, replicas race in
# the knex migrations and fail to start (SMOKE_SIMULTANEOUS=1 shows it).
if [ "${SMOKE_SIMULTANEOUS:-0}" = 1 ]; then
  for i in $(seq 0 $((REPLICAS - 1))); do start_replica "$i"; done
  for i in $(seq 0 $((REPLICAS - 1))); do wait_ready "$i"; done
else
  start_replica 0
  wait_ready 0
  step "replica 0 ready"
  for i in $(seq 1 $((REPLICAS - 1))); do start_replica "$i"; done
  for i in $(seq 1 $((REPLICAS - 1))); do wait_ready "$i"; done
fi
step "every replica answers"

# ---------------------------------------------------------------- checks
built_at=()
json() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const j=JSON.parse(s);console.log(($1)(j))})"; }

for i in $(seq 0 $((REPLICAS - 1))); do
  base="http://127.0.0.1:$((BACKEND_PORT + i))"
  code=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/airflow/instances")
  [ "$code" = 401 ] && ok "replica $i: /api/airflow/instances without a token is 401" || bad "replica $i: without a token: $code"

  token=$(curl -sf -X POST "$base/api/auth/guest/refresh" | json 'j=>j.backstageIdentity.token') ||
    { bad "replica $i: no guest token"; continue; }

  body=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $token" "$base/api/airflow/instances")
  code=${body##*$'\n'}; body=${body%$'\n'*}
  if [ "$code" = 200 ] && summary=$(printf '%s' "$body" | json 'j=>{const a=j.instances; if(!a.length||!a.every(x=>x.status==="healthy")) throw 1; return a.map(x=>x.name+" "+x.status+" "+x.version).join(", ")}' 2>/dev/null); then
    ok "replica $i: GET /api/airflow/instances 200 $(printf '%s' "$summary" | cut -c1-160)"
  else
    bad "replica $i: GET /api/airflow/instances $code $(printf '%s' "$body" | cut -c1-300)"
  fi

  # The catalog ingests the example entities shortly after startup: retry until the entity is known.
  deadline=$(( $(date +%s) + 120 ))
  while :; do
    body=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $token" "$base/api/airflow/entities/$ENTITY/dags")
    code=${body##*$'\n'}; body=${body%$'\n'*}
    [ "$code" = 200 ] || [ "$(date +%s)" -ge "$deadline" ] && break
    sleep 2
  done
  if [ "$code" = 200 ] && n=$(printf '%s' "$body" | json 'j=>{const n=j.dags.length; if(!n||j.errors.length) throw 1; return n+" DAGs ("+j.dags.map(d=>d.dagId).join(", ")+")"}' 2>/dev/null); then
    ok "replica $i: GET /api/airflow/entities/$ENTITY/dags 200, $n"
  else
    bad "replica $i: GET /api/airflow/entities/$ENTITY/dags $code $(printf '%s' "$body" | cut -c1-300)"
  fi

  # The ownership index is built by a scheduled task (10 s after startup, once across replicas)
  # and kept in the cache: every replica answers with the same build.
  deadline=$(( $(date +%s) + 90 ))
  while :; do
    body=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $token" "$base/api/airflow/ownership")
    code=${body##*$'\n'}; body=${body%$'\n'*}
    built=$(printf '%s' "$body" | json 'j=>j.builtAt' 2>/dev/null || echo null)
    { [ "$code" = 200 ] && [ "$built" != null ]; } || [ "$(date +%s)" -ge "$deadline" ] && break
    sleep 2
  done
  if [ "$code" = 200 ] && [ "$built" != null ]; then
    ok "replica $i: GET /api/airflow/ownership 200, index built at $built, $(printf '%s' "$body" | json 'j=>JSON.stringify(j.summary)')"
    built_at+=("$built")
  else
    bad "replica $i: GET /api/airflow/ownership $code builtAt=$built $(printf '%s' "$body" | cut -c1-300)"
  fi
done

if [ "$REPLICAS" -gt 1 ] && [ "${#built_at[@]}" = "$REPLICAS" ]; then
  if [ "$(printf '%s\n' "${built_at[@]}" | sort -u | wc -l)" = 1 ]; then
    ok "the $REPLICAS replicas share one ownership index (built at ${built_at[0]})"
  else
    bad "the replicas answer different ownership indexes: ${built_at[*]}"
  fi
fi

dbs=$(bash scripts/postgres.sh psql -tAc "select datname from pg_database where datname like 'backstage_plugin_%' order by 1" | tr '\n' ' ')
[ -n "$dbs" ] && ok "PostgreSQL databases: $dbs" || bad "no backstage_plugin_* database in PostgreSQL"
for db in $dbs; do
  tables=$(PGDATABASE="$db" bash scripts/postgres.sh psql -tAc "select count(*) from information_schema.tables where table_schema = 'public'")
  printf '        %s: %s tables\n' "$db" "$tables"
done
catalog_entities=$(PGDATABASE=backstage_plugin_catalog bash scripts/postgres.sh psql -tAc "select count(*) from final_entities" 2>/dev/null || echo 0)
[ "${catalog_entities:-0}" -gt 0 ] && ok "PostgreSQL: $catalog_entities entities in backstage_plugin_catalog.final_entities" ||
  bad "PostgreSQL: no entities in backstage_plugin_catalog.final_entities"

keys=$(bash scripts/redis.sh cli --scan --pattern 'backstage:*' | sort)
nkeys=$(printf '%s\n' "$keys" | grep -c . || true)
airflow_keys=$(printf '%s\n' "$keys" | grep -c ':airflow:' || true)
[ "$airflow_keys" -gt 0 ] && ok "Redis: $nkeys keys under backstage:*, $airflow_keys of the airflow plugin" ||
  bad "Redis: no key of the airflow plugin (backstage:…:airflow:…) ($nkeys keys under backstage:*)"
printf '%s\n' "$keys" | sed -n '1,15p' | sed 's/^/        /'

step "done"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
