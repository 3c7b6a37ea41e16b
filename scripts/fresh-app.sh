#!/usr/bin/env bash
# The install proof: does what a platform team does to put these plugins into
# its own Backstage, on a brand-new app, with the packages as they would be
# published.
#
#   pack     yarn pack (after prepack) of each published package into tarballs
#   create   a new app with @backstage/create-app in a folder outside the repo
#   apply    the README's "Installing in your Backstage" blocks, read from
#            README.md (scripts/fresh-app/apply-readme.mjs), with the tarballs
#            as the packages
#   install  yarn install in the app (Yarn's global cache is reused)
#   build    the app's frontend bundle (the backend serves it)
#   start    the app's backend on 127.0.0.1:$FRESH_APP_PORT against the Airflow
#            at AIRFLOW_BASE_URL (AIRFLOW_USERNAME / AIRFLOW_PASSWORD)
#   test     checks over HTTP and in Chromium (scripts/fresh-app/*.spec.ts)
#   stop     stops the backend that `start` started
#
# Usage: bash scripts/fresh-app.sh [all | <step>...]   (default: all, then stop)
# .ci/run calls the steps one by one and counts each.
#
# Environment:
#   FRESH_APP_DIR     work folder, outside the repository (default: a new
#                     /tmp/airflow-fresh-app.XXXXXX); the app is $FRESH_APP_DIR/app
#   FRESH_APP_PORT    the app's backend port (default 7008)
#   FRESH_APP_OUT     logs and reports (default .ci-out/fresh-app)
#   FRESH_APP_BUILD=0 skips building the packages before packing (.ci/run
#                     builds them just before)
#   CREATE_APP_VERSION  @backstage/create-app version (default 0.9.2)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

CREATE_APP_VERSION="${CREATE_APP_VERSION:-0.9.2}"
FRESH_APP_PORT="${FRESH_APP_PORT:-7008}"
FRESH_APP_OUT="${FRESH_APP_OUT:-$REPO_ROOT/.ci-out/fresh-app}"
if [ -z "${FRESH_APP_DIR:-}" ]; then
  FRESH_APP_DIR="$(mktemp -d /tmp/airflow-fresh-app.XXXXXX)"
fi
case "$FRESH_APP_DIR" in "$REPO_ROOT"|"$REPO_ROOT"/*) die "FRESH_APP_DIR must be outside the repository";; esac
APP="$FRESH_APP_DIR/app"
TARBALLS="$FRESH_APP_DIR/tarballs"
PID_FILE="$FRESH_APP_DIR/backend.pid"
mkdir -p "$FRESH_APP_DIR" "$FRESH_APP_OUT"

# The published packages: every workspace under plugins/.
published_packages() {
  node -e '
    const fs = require("fs");
    for (const d of fs.readdirSync("plugins")) {
      const f = `plugins/${d}/package.json`;
      if (!fs.existsSync(f)) continue;
      const p = JSON.parse(fs.readFileSync(f, "utf8"));
      if (!p.private) console.log(`${d} ${p.name}`);
    }'
}

# Yarn on PATH for create-app (it runs `yarn -v`) and inside the app.
setup_path() {
  ensure_node
  mkdir -p "$FRESH_APP_DIR/bin"
  printf '#!/bin/sh\nexec node "%s" "$@"\n' "$YARN_JS" > "$FRESH_APP_DIR/bin/yarn"
  chmod +x "$FRESH_APP_DIR/bin/yarn"
  export PATH="$FRESH_APP_DIR/bin:$PATH"
}

step_pack() {
  rm -rf "$TARBALLS"; mkdir -p "$TARBALLS"
  local dir name
  while read -r dir name; do
    if [ "${FRESH_APP_BUILD:-1}" != 0 ]; then
      log "building $name"
      (cd "plugins/$dir" && yarn build)
    fi
    log "packing $name"
    (cd "plugins/$dir" && yarn pack --out "$TARBALLS/%s-%v.tgz")
  done < <(published_packages)
  node scripts/fresh-app/check-tarballs.mjs "$TARBALLS"
}

step_create() {
  rm -rf "$APP"
  log "creating a new app with @backstage/create-app@$CREATE_APP_VERSION in $APP"
  (cd "$FRESH_APP_DIR" && BACKSTAGE_APP_NAME=airflow-fresh-app \
    npx -y "@backstage/create-app@$CREATE_APP_VERSION" --path "$APP" --skip-install < /dev/null)
  [ -f "$APP/packages/backend/src/index.ts" ] || die "create-app made no app in $APP"
}

step_apply() {
  node scripts/fresh-app/apply-readme.mjs README.md "$APP" "$TARBALLS"
}

step_install() {
  # CI=true makes Yarn refuse to write the new app's lockfile; a new app has none.
  (cd "$APP" && yarn install --no-immutable)
  if grep -q '@airflow-for-backstage/backstage-plugin-airflow-common@npm:' "$APP/yarn.lock"; then
    die "a family package was resolved from the registry instead of its tarball"
  fi
}

step_build() {
  (cd "$APP/packages/app" && yarn build)
}

step_start() {
  step_stop >/dev/null 2>&1 || true
  cat > "$FRESH_APP_DIR/app-config.port.yaml" <<YAML
app:
  baseUrl: http://localhost:$FRESH_APP_PORT
backend:
  baseUrl: http://localhost:$FRESH_APP_PORT
  listen:
    port: $FRESH_APP_PORT
    host: 127.0.0.1
  cors:
    origin: http://localhost:$FRESH_APP_PORT
YAML
  : "${AIRFLOW_BASE_URL:?AIRFLOW_BASE_URL must name the Airflow the app talks to}"
  log "starting the app's backend on http://localhost:$FRESH_APP_PORT (Airflow $AIRFLOW_BASE_URL)"
  setsid bash -c 'cd "$0/packages/backend" && exec yarn start --config ../../app-config.yaml --config "$1"' \
    "$APP" "$FRESH_APP_DIR/app-config.port.yaml" > "$FRESH_APP_OUT/backend.log" 2>&1 &
  echo $! > "$PID_FILE"
  # Up when the Airflow plugin's router answers: 401 without a token (the
  # backend answers 404 while its plugins are still starting).
  local waited=0 status
  until status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FRESH_APP_PORT/api/airflow/instances")" && [ "$status" = 401 ]; do
    if [ "$waited" -ge 300 ] || ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      tail -n 40 "$FRESH_APP_OUT/backend.log" >&2
      die "the app's backend did not serve /api/airflow within ${waited}s (last status $status)"
    fi
    sleep 2; waited=$((waited + 2))
  done
  log "the app's backend serves /api/airflow after ${waited}s"
}

step_test() {
  FRESH_APP_URL="http://localhost:$FRESH_APP_PORT" FRESH_APP_OUT="$FRESH_APP_OUT" \
  PLAYWRIGHT_JSON_OUTPUT_NAME="$FRESH_APP_OUT/tests.json" \
    yarn playwright test --config scripts/fresh-app/playwright.config.ts
}

step_stop() {
  [ -f "$PID_FILE" ] || return 0
  local pgid
  pgid="$(cat "$PID_FILE")"
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    kill -0 -- "-$pgid" 2>/dev/null || break
    sleep 1
  done
  kill -KILL -- "-$pgid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

run_step() {
  local name="$1" started
  started=$(date +%s)
  "step_$name"
  echo "$name $(( $(date +%s) - started ))s" >> "$FRESH_APP_OUT/times.txt"
}

setup_path
steps=("$@")
[ ${#steps[@]} -gt 0 ] && [ "${steps[0]}" != all ] || steps=(pack create apply install build start test)
if [ "$#" -eq 0 ] || [ "$1" = all ]; then trap step_stop EXIT; fi
for s in "${steps[@]}"; do
  declare -F "step_$s" >/dev/null || die "unknown step: $s"
  run_step "$s"
done
