#!/usr/bin/env bash
# Local Apache Airflow (2.10 - 3.3) for development and tests: pinned install, start/stop, health.
#
#   scripts/airflow.sh install   create the version's virtualenv from scripts/airflow/requirements/<version>.txt
#   scripts/airflow.sh start     install if needed, migrate the DB, create users, start all components, wait
#   scripts/airflow.sh stop      stop the processes this script started (for this state dir)
#   scripts/airflow.sh status    print component health and the DAGs listed
#   scripts/airflow.sh env       print `export` lines for running the `airflow` CLI by hand
#   scripts/airflow.sh url       print the base URL of the instance (scheme, port, sub-path)
#   scripts/airflow.sh idle      wait until no DAG run is queued or running
#
# Settings (environment):
#   AIRFLOW_VERSION        2.10.5 | 2.11.2 | 3.0.6 | 3.1.8 | 3.2.2 | 3.3.2      (default: 3.3.2)
#   AIRFLOW_AUTH           simple (SimpleAuthManager, Airflow 3 only) | fab (FAB auth manager)
#                          (default: simple on Airflow 3, fab on Airflow 2 - the only choice there)
#   AIRFLOW_STATE_DIR      where home/, logs/, pids/, tls/ of this instance live
#                          (default: <repo>/.airflow for 3.3.2 simple, else <repo>/.airflow/instances/<version>-<auth>)
#   AIRFLOW_VENV           the version's virtualenv, shared by its instances (default: <repo>/.airflow/venvs/<version>)
#   AIRFLOW_PORT           API server / webserver port on 127.0.0.1                    (default: 8080)
#   AIRFLOW_TLS            1: serve HTTPS with a certificate of a private CA made in <state>/tls (default: 0)
#   AIRFLOW_BASE_PATH      serve under this sub-path, e.g. /airflow                   (default: none)
#   AIRFLOW_JWT_EXPIRATION lifetime of API tokens in seconds (Airflow 3)              (default: Airflow's, 86400)
#   AIRFLOW_DB_URL         SQLAlchemy URL of the metadata DB (e.g. postgresql+psycopg2://u:p@127.0.0.1:5432/db)
#                          (default: SQLite in <state>/home/airflow.db)
#   AIRFLOW_WAIT_IDLE      1: `start` also waits until the first scheduled runs have finished (default: 0)
#   AIRFLOW_START_TIMEOUT  seconds to wait for readiness (and for idle)                 (default: 600)
#   AIRFLOW_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL                          (default: 30)
#   AIRFLOW_PYTHON         interpreter used to create the venv                          (default: python3)
#   AIRFLOW_JWT_SECRET     JWT signing secret shared by all components                  (default: a fixed dev value)
#
# Users:
#   SimpleAuthManager (pinned passwords file):  admin/admin (admin), viewer/viewer (viewer)
#   FAB (created by `start`):                   admin/admin (Admin), viewer/viewer (Viewer),
#                                               user/user (User), op/op (Op)
#
# API: Airflow 3 /api/v2 with JWTs from POST <base>/auth/token; Airflow 2 /api/v1 with basic auth
# ([api] auth_backends = basic_auth,session). Executor: LocalExecutor, except Airflow 2 on SQLite
# (SequentialExecutor: Airflow 2 refuses LocalExecutor on SQLite). SQLite has one writer at a time:
# concurrent mutating API calls can fail with HTTP 500 "database is locked"; see scripts/airflow/README.md.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
SUPPORTED_VERSIONS="2.10.5 2.11.2 3.0.6 3.1.8 3.2.2 3.3.2"
AF_VERSION="${AIRFLOW_VERSION:-3.3.2}"
AF_MAJOR="${AF_VERSION%%.*}"
if [[ "$AF_MAJOR" == 2 ]]; then AUTH="${AIRFLOW_AUTH:-fab}"; else AUTH="${AIRFLOW_AUTH:-simple}"; fi
if [[ "$AF_VERSION" == 3.3.2 && "$AUTH" == simple ]]; then
  DEFAULT_STATE_DIR="$REPO/.airflow"
else
  DEFAULT_STATE_DIR="$REPO/.airflow/instances/$AF_VERSION-$AUTH"
fi
STATE_DIR="${AIRFLOW_STATE_DIR:-$DEFAULT_STATE_DIR}"
VENV="${AIRFLOW_VENV:-$REPO/.airflow/venvs/$AF_VERSION}"
AF_HOME="$STATE_DIR/home"
LOG_DIR="$STATE_DIR/logs"
PID_DIR="$STATE_DIR/pids"
TLS_DIR="$STATE_DIR/tls"
REQUIREMENTS="$SCRIPT_DIR/airflow/requirements/$AF_VERSION.txt"
APICTL="$SCRIPT_DIR/airflow/apictl.py"
DAGS_FOLDER="$REPO/examples/dags"
STAMP="$VENV/.requirements.sha256"
PORT_FILE="$PID_DIR/api-server.port"
URL_FILE="$PID_DIR/url"
# status/stop/env follow the port of a running instance unless AIRFLOW_PORT says otherwise.
RECORDED_PORT="$(cat "$PORT_FILE" 2>/dev/null || true)"
PORT="${AIRFLOW_PORT:-${RECORDED_PORT:-8080}}"
HOST=127.0.0.1
TLS="${AIRFLOW_TLS:-0}"
BASE_PATH="${AIRFLOW_BASE_PATH:-}"
BASE_PATH="${BASE_PATH%/}"
JWT_EXPIRATION="${AIRFLOW_JWT_EXPIRATION:-}"
DB_URL="${AIRFLOW_DB_URL:-sqlite:///$AF_HOME/airflow.db}"
if [[ "$TLS" == 1 ]]; then SCHEME=https; else SCHEME=http; fi
URL="$SCHEME://$HOST:$PORT$BASE_PATH"
CA_FILE="$TLS_DIR/ca.pem"
# status/url follow the URL of a running instance unless the settings that make it are given.
RECORDED_URL="$(cat "$URL_FILE" 2>/dev/null || true)"
use_recorded_url() {
  if [[ -n "$RECORDED_URL" && -z "${AIRFLOW_TLS+x}${AIRFLOW_BASE_PATH+x}${AIRFLOW_PORT+x}" ]]; then
    URL="$RECORDED_URL"
    if [[ "$URL" == https:* ]]; then TLS=1; fi
  fi
}
START_TIMEOUT="${AIRFLOW_START_TIMEOUT:-600}"
STOP_TIMEOUT="${AIRFLOW_STOP_TIMEOUT:-30}"
PYTHON="${AIRFLOW_PYTHON:-python3}"
# >= 64 bytes, or PyJWT warns on every token (HMAC-SHA512 key length).
JWT_SECRET="${AIRFLOW_JWT_SECRET:-local-development-only-airflow-jwt-signing-secret-not-for-production-0123456789}"
# Flask session key (Airflow 2 webserver, FAB); the same for every worker.
SECRET_KEY="local-development-only-flask-secret-key-0123456789"
SIMPLE_USERS="admin:admin,viewer:viewer"
SIMPLE_PASSWORDS_JSON='{"admin": "admin", "viewer": "viewer"}'
# username:password:FAB role
FAB_USERS="admin:admin:Admin viewer:viewer:Viewer user:user:User op:op:Op"
# Every component this script may start; stop/status look at all of them.
ALL_COMPONENTS=(api-server webserver dag-processor scheduler triggerer)
# Start order. `stop` ends the API server (webserver) last. Each runs in its own session (setsid).
if [[ "$AF_MAJOR" == 2 ]]; then
  COMPONENTS=(webserver scheduler triggerer)
  API_PREFIX=/api/v1
else
  COMPONENTS=(api-server dag-processor scheduler triggerer)
  API_PREFIX=/api/v2
fi

say() { printf '[airflow] %s\n' "$*"; }
die() { printf '[airflow] error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,39p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

check_settings() {
  [[ " $SUPPORTED_VERSIONS " == *" $AF_VERSION "* ]] ||
    die "AIRFLOW_VERSION=$AF_VERSION is not one of: $SUPPORTED_VERSIONS"
  case "$AUTH" in
    simple) [[ "$AF_MAJOR" == 3 ]] || die "SimpleAuthManager exists only on Airflow 3; use AIRFLOW_AUTH=fab for $AF_VERSION" ;;
    fab) ;;
    *) die "AIRFLOW_AUTH=$AUTH: use simple or fab" ;;
  esac
  [[ "$PORT" =~ ^[0-9]+$ ]] || die "AIRFLOW_PORT=$PORT is not a port number"
  [[ "$TLS" == 0 || "$TLS" == 1 ]] || die "AIRFLOW_TLS must be 0 or 1"
  [[ -z "$BASE_PATH" || "$BASE_PATH" =~ ^/[A-Za-z0-9._/-]+$ ]] ||
    die "AIRFLOW_BASE_PATH=$BASE_PATH: use a path like /airflow"
  [[ -z "$JWT_EXPIRATION" || "$JWT_EXPIRATION" =~ ^[1-9][0-9]*$ ]] ||
    die "AIRFLOW_JWT_EXPIRATION=$JWT_EXPIRATION: use a number of seconds"
}

is_sqlite() { [[ "$DB_URL" == sqlite:* ]]; }

# ---------------------------------------------------------------- environment

airflow_env_vars() {
  # name=value pairs, one per line; used by `start` (exported) and `env` (printed).
  local executor=LocalExecutor
  if [[ "$AF_MAJOR" == 2 ]] && is_sqlite; then executor=SequentialExecutor; fi
  cat <<EOF
AIRFLOW_HOME=$AF_HOME
AIRFLOW__CORE__DAGS_FOLDER=$DAGS_FOLDER
AIRFLOW__CORE__LOAD_EXAMPLES=False
AIRFLOW__CORE__EXECUTOR=$executor
AIRFLOW__CORE__PARALLELISM=8
AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=$DB_URL
AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=False
AIRFLOW__LOGGING__BASE_LOG_FOLDER=$AF_HOME/logs
AIRFLOW__WEBSERVER__SECRET_KEY=$SECRET_KEY
EOF
  if [[ "$AF_MAJOR" == 2 ]]; then
    cat <<EOF
AIRFLOW__API__AUTH_BACKENDS=airflow.api.auth.backend.basic_auth,airflow.api.auth.backend.session
AIRFLOW__WEBSERVER__WEB_SERVER_HOST=$HOST
AIRFLOW__WEBSERVER__WEB_SERVER_PORT=$PORT
AIRFLOW__WEBSERVER__BASE_URL=$URL
AIRFLOW__WEBSERVER__WORKERS=2
AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL=10
AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL=30
AIRFLOW__SCHEDULER__FILE_PARSING_SORT_MODE=alphabetical
EOF
  else
    cat <<EOF
AIRFLOW__CORE__EXECUTION_API_SERVER_URL=$URL/execution/
AIRFLOW__API__HOST=$HOST
AIRFLOW__API__PORT=$PORT
AIRFLOW__API__BASE_URL=$URL
AIRFLOW__API__WORKERS=2
AIRFLOW__API__SECRET_KEY=$SECRET_KEY
AIRFLOW__API_AUTH__JWT_SECRET=$JWT_SECRET
AIRFLOW__API_AUTH__JWT_ISSUER=airflow-local
AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=5
EOF
    if [[ -n "$JWT_EXPIRATION" ]]; then
      echo "AIRFLOW__API_AUTH__JWT_EXPIRATION_TIME=$JWT_EXPIRATION"
    fi
    if [[ "$AUTH" == simple ]]; then
      cat <<EOF
AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager
AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=$SIMPLE_USERS
AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=False
AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=$AF_HOME/simple_auth_manager_passwords.json
EOF
    else
      echo "AIRFLOW__CORE__AUTH_MANAGER=airflow.providers.fab.auth_manager.fab_auth_manager.FabAuthManager"
    fi
  fi
  if [[ "$TLS" == 1 ]]; then
    # The server certificate followed by the CA: served as the chain, and on Airflow 3 also what
    # task processes add to their trusted roots ([api] ssl_cert) to call the Execution API over HTTPS.
    if [[ "$AF_MAJOR" == 2 ]]; then
      echo "AIRFLOW__WEBSERVER__WEB_SERVER_SSL_CERT=$TLS_DIR/server-chain.pem"
      echo "AIRFLOW__WEBSERVER__WEB_SERVER_SSL_KEY=$TLS_DIR/server.key"
    else
      echo "AIRFLOW__API__SSL_CERT=$TLS_DIR/server-chain.pem"
      echo "AIRFLOW__API__SSL_KEY=$TLS_DIR/server.key"
    fi
    # Other Python HTTPS clients of the components (urllib, requests) trust the CA too.
    echo "SSL_CERT_FILE=$TLS_DIR/trust.pem"
    echo "REQUESTS_CA_BUNDLE=$TLS_DIR/trust.pem"
  fi
}

export_airflow_env() {
  local line
  while IFS= read -r line; do
    export "${line?}"
  done < <(airflow_env_vars)
  export PATH="$VENV/bin:$PATH"
}

cmd_env() {
  local line q="'" value
  while IFS= read -r line; do
    value="${line#*=}"
    printf "export %s='%s'\n" "${line%%=*}" "${value//$q/$q\\$q$q}"
  done < <(airflow_env_vars)
  value="$VENV/bin"
  printf "export PATH='%s':\"\$PATH\"\n" "${value//$q/$q\\$q$q}"
}

# apictl.py with this instance's URL, API version and CA.
apictl() {
  local args=(--url "$URL" --api "${API_PREFIX#/api/}")
  if [[ "$TLS" == 1 ]]; then args+=(--cacert "$CA_FILE"); fi
  "$VENV/bin/python" "$APICTL" "${args[@]}" "$@"
}

# ---------------------------------------------------------------- install

requirements_stamp() {
  local sum pyver
  sum="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
  pyver="$("$1" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
  printf '%s python-%s\n' "$sum" "$pyver"
}

is_installed() {
  [[ -x "$VENV/bin/python" && -x "$VENV/bin/airflow" && -f "$STAMP" ]] || return 1
  [[ "$(cat "$STAMP")" == "$(requirements_stamp "$VENV/bin/python" 2>/dev/null)" ]]
}

check_python() {
  local lo hi
  case "$AF_VERSION" in
    2.10.*) lo=8 hi=12 ;;
    2.11.* | 3.0.*) lo=9 hi=12 ;;
    3.1.* | 3.2.*) lo=10 hi=13 ;;
    *) lo=10 hi=14 ;;
  esac
  command -v "$PYTHON" >/dev/null 2>&1 ||
    die "$PYTHON not found. Install Python 3.$lo-3.$hi (e.g. apt-get install python3 python3-venv) or set AIRFLOW_PYTHON."
  local ver
  ver="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  "$PYTHON" -c "import sys; sys.exit(0 if (3, $lo) <= sys.version_info[:2] <= (3, $hi) else 1)" ||
    die "Airflow $AF_VERSION needs Python 3.$lo-3.$hi, but $PYTHON is $ver. Set AIRFLOW_PYTHON to a suitable interpreter."
  "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1 ||
    die "$PYTHON $ver lacks the venv/ensurepip modules (Debian/Ubuntu: apt-get install python3-venv)."
}

cmd_install() {
  [[ -f "$REQUIREMENTS" ]] || die "missing $REQUIREMENTS"
  # One install at a time per virtualenv (instances of one version share it).
  mkdir -p "$(dirname "$VENV")"
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$VENV.lock"
    flock -w 900 8 || die "another scripts/airflow.sh is installing $VENV"
  fi
  if is_installed; then
    say "virtualenv up to date ($VENV, $(grep -m1 '^apache-airflow==' "$REQUIREMENTS"))"
    exec 8>&-
    return 0
  fi
  if [[ -n "$(running_components)" ]]; then
    die "the virtualenv must be rebuilt but Airflow from $STATE_DIR is running; run '$0 stop' first"
  fi
  check_python
  local started=$SECONDS total log markers
  # Pins carrying an environment marker only count where they apply.
  total="$(grep -E '^[A-Za-z0-9][^ ]*==' "$REQUIREMENTS" | grep -vc ';' || true)"
  markers="$(grep -E '^[A-Za-z0-9][^ ]*==.*;' "$REQUIREMENTS" | sed 's/^[^;]*;//' | sort -u || true)"
  if [[ -n "$markers" ]]; then
    total=$((total + $("$PYTHON" - "$REQUIREMENTS" <<'PY'
import re, sys
# Count the pins whose `python_version < "X.Y"` marker holds for this interpreter.
n = 0
for line in open(sys.argv[1]):
    m = re.search(r';\s*python_version\s*<\s*"(\d+)\.(\d+)"', line)
    if m and sys.version_info[:2] < (int(m.group(1)), int(m.group(2))):
        n += 1
print(n)
PY
)))
  fi
  mkdir -p "$VENV.logs"
  log="$VENV.logs/install.log"
  say "installing $(grep -m1 '^apache-airflow==' "$REQUIREMENTS") ($total pinned packages) into $VENV"
  say "step 1/3: creating virtualenv with $("$PYTHON" --version 2>&1)"
  rm -f "$STAMP"
  "$PYTHON" -m venv --clear "$VENV"
  say "step 2/3: pip install -r scripts/airflow/requirements/$AF_VERSION.txt (full output: $log)"
  # Number the packages as pip collects them, so a long download shows where it is.
  if ! "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input \
        -r "$REQUIREMENTS" 2>&1 | tee "$log" |
        awk -v total="$total" '
          /^Collecting [^ ]*==/ { n++; printf "[airflow]   [%d/%d] %s\n", n, total, $2; fflush(); next }
          /^Installing collected packages/ { print "[airflow]   installing files..."; fflush(); next }
          /^Successfully installed/ { print "[airflow]   done"; fflush() }'; then
    tail -n 30 "$log" >&2
    die "pip install failed (see $log)"
  fi
  say "step 3/3: checking the installed set"
  "$VENV/bin/python" -m pip check >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "pip check failed (see $log)"; }
  "$VENV/bin/airflow" version >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "airflow does not run (see $log)"; }
  requirements_stamp "$VENV/bin/python" >"$STAMP"
  exec 8>&-
  say "installed Airflow $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-airflow"))') in $((SECONDS - started))s"
}

# ---------------------------------------------------------------- TLS

# A private CA and a server certificate for 127.0.0.1 and localhost, made once per state dir.
ensure_tls() {
  mkdir -p "$TLS_DIR"
  if [[ -s "$TLS_DIR/server-chain.pem" && -s "$TLS_DIR/server.key" && -s "$CA_FILE" && -s "$TLS_DIR/trust.pem" ]] &&
    openssl x509 -checkend 86400 -noout -in "$TLS_DIR/server.pem" >/dev/null 2>&1; then
    return 0
  fi
  command -v openssl >/dev/null 2>&1 || die "AIRFLOW_TLS=1 needs openssl (apt-get install openssl)"
  say "making a private CA and a server certificate for 127.0.0.1/localhost in $TLS_DIR"
  (
    cd "$TLS_DIR"
    umask 077
    openssl req -x509 -newkey rsa:2048 -sha256 -nodes -days 365 -keyout ca.key -out ca.pem \
      -subj "/CN=Airflow for Backstage local test CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -sha256 -nodes -keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
      "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" >server.ext
    openssl x509 -req -sha256 -days 365 -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
      -extfile server.ext -out server.pem 2>/dev/null
    cat server.pem ca.pem >server-chain.pem
    chmod 644 ca.pem server.pem server-chain.pem
    rm -f server.csr ca.srl
  )
  # What the Airflow processes trust: the usual public roots plus the private CA.
  {
    cat "$("$VENV/bin/python" -c 'import certifi; print(certifi.where())' 2>/dev/null || echo /etc/ssl/certs/ca-certificates.crt)"
    cat "$CA_FILE"
  } >"$TLS_DIR/trust.pem"
}

# ---------------------------------------------------------------- processes

pid_file() { printf '%s/%s.pid' "$PID_DIR" "$1"; }

# Print the PID recorded for a component if that process is alive and is an airflow process.
live_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  pid="$(tr -dc '0-9' <"$f")"
  [[ -n "$pid" ]] && is_alive "$pid" || return 1
  # Guard against PID reuse: the command line must still be ours.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q airflow || return 1
  printf '%s\n' "$pid"
}

running_components() {
  local c
  for c in "${ALL_COMPONENTS[@]}"; do
    if live_pid "$c" >/dev/null; then printf '%s\n' "$c"; fi
  done
}

# Every process of the session led by $1 plus all descendants of $1 (task processes
# move to their own process group but stay in the session, unless they call setsid).
session_pids() {
  local root="$1"
  ps -e -o pid=,ppid=,sid= | awk -v root="$root" '
    { pid[NR] = $1; ppid[NR] = $2; sid[NR] = $3; n = NR }
    END {
      keep[root] = 1
      for (i = 1; i <= n; i++) if (sid[i] == root) keep[pid[i]] = 1
      do {
        changed = 0
        for (i = 1; i <= n; i++) if ((ppid[i] in keep) && !(pid[i] in keep)) { keep[pid[i]] = 1; changed = 1 }
      } while (changed)
      for (p in keep) print p
    }'
}

# Alive and not a zombie (an exited child waits for PID 1 to reap it; it holds no resources).
is_alive() {
  local state
  kill -0 "$1" 2>/dev/null || return 1
  state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)"
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

alive_of() {
  local p
  for p in "$@"; do
    if is_alive "$p"; then printf '%s\n' "$p"; fi
  done
}

# Wait until none of the given PIDs is alive; return 1 if some still are after $1 seconds.
wait_gone() {
  local timeout="$1" left
  shift
  local deadline=$((SECONDS + timeout))
  while :; do
    left="$(alive_of "$@")"
    [[ -z "$left" ]] && return 0
    ((SECONDS >= deadline)) && return 1
    sleep 0.5
  done
}

cmd_stop() {
  local c pid roots=() names=() all=()
  for c in "${ALL_COMPONENTS[@]}"; do
    if pid="$(live_pid "$c")"; then
      roots+=("$pid")
      names+=("$c:$pid")
    fi
  done
  if ((${#roots[@]} == 0)); then
    say "nothing running (state dir $STATE_DIR)"
    rm -f "$PID_DIR"/*.pid "$PORT_FILE" "$URL_FILE" 2>/dev/null || true
    return 0
  fi
  # Snapshot every process of the components' sessions now: once a component exits,
  # its leftover children are reparented and only the session id still ties them to us.
  for pid in "${roots[@]}"; do
    mapfile -t -O "${#all[@]}" all < <(session_pids "$pid")
  done
  say "stopping ${names[*]} (${#all[@]} processes)"
  # 1. SIGTERM to the components only, each shuts down its own workers. The API server
  #    (webserver) goes last: running tasks report their end state through its Execution API.
  local phase group want
  for phase in workers api; do
    group=()
    for c in "${ALL_COMPONENTS[@]}"; do
      [[ $c == api-server || $c == webserver ]] && want=api || want=workers
      if [[ $phase == "$want" ]] && pid="$(live_pid "$c")"; then group+=("$pid"); fi
    done
    ((${#group[@]} > 0)) || continue
    kill -TERM "${group[@]}" 2>/dev/null || true
    if ! wait_gone "$STOP_TIMEOUT" "${group[@]}"; then
      say "still running after ${STOP_TIMEOUT}s: $(alive_of "${group[@]}" | tr '\n' ' ')- sending SIGKILL"
      kill -KILL $(alive_of "${group[@]}") 2>/dev/null || true
    fi
  done
  # 2. Whatever is left of their sessions (task processes, API workers): TERM, then KILL.
  local rest
  mapfile -t rest < <(alive_of "${all[@]}")
  if ((${#rest[@]} > 0)); then
    kill -TERM "${rest[@]}" 2>/dev/null || true
    if ! wait_gone 10 "${rest[@]}"; then
      kill -KILL $(alive_of "${rest[@]}") 2>/dev/null || true
      wait_gone 5 "${rest[@]}" || say "warning: could not stop $(alive_of "${rest[@]}" | tr '\n' ' ')"
    fi
  fi
  rm -f "$PID_DIR"/*.pid "$PORT_FILE" "$URL_FILE"
  say "stopped"
}

port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null
}

start_component() {
  local name="$1" log="$LOG_DIR/$1.log"
  shift
  printf '\n===== %s starting %s =====\n' "$(date -u +%FT%TZ)" "$name" >>"$log"
  # setsid: own session + process group, detached from the terminal, so `stop` can find
  # the whole tree. Background children of a script are not group leaders, so setsid
  # execs in place and $! is the component's own PID. fds 8/9 (the locks) are not inherited.
  setsid "$VENV/bin/airflow" "$name" "$@" </dev/null >>"$log" 2>&1 8>&- 9>&- &
  echo "$!" >"$(pid_file "$name")"
  say "started $name (pid $!, log $log)"
}

# FAB users (idempotent: existing users get their role and password set again).
create_fab_users() {
  say "creating FAB users: admin/admin (Admin), viewer/viewer (Viewer), user/user (User), op/op (Op)"
  # shellcheck disable=SC2086 # one argument per user
  if ! "$VENV/bin/python" "$SCRIPT_DIR/airflow/fab_users.py" $FAB_USERS >"$LOG_DIR/users.log" 2>&1; then
    tail -n 20 "$LOG_DIR/users.log" >&2
    die "creating the FAB users failed (see $LOG_DIR/users.log)"
  fi
}

cmd_start() {
  local running
  mapfile -t running < <(running_components)
  if ((${#running[@]} > 0)) && [[ -n "$RECORDED_PORT" && "$RECORDED_PORT" != "$PORT" ]]; then
    die "Airflow from $STATE_DIR is already running on port $RECORDED_PORT (not $PORT); run '$0 stop' first"
  fi
  if ((${#running[@]} > 0)) && [[ -f "$URL_FILE" && "$(cat "$URL_FILE")" != "$URL" ]]; then
    die "Airflow from $STATE_DIR is already running at $(cat "$URL_FILE") (not $URL); run '$0 stop' first"
  fi
  if ((${#running[@]} == ${#COMPONENTS[@]})); then
    if is_installed && apictl health >/dev/null 2>&1; then
      say "already running and healthy at $URL (state dir $STATE_DIR)"
      print_login
      return 0
    fi
    say "components are running but not healthy yet; waiting"
  else
    if ((${#running[@]} > 0)); then
      say "only some components are running (${running[*]}); restarting all"
      cmd_stop
    fi
    if port_in_use; then
      die "port $PORT on $HOST is already in use by another process; set AIRFLOW_PORT to a free port"
    fi
    cmd_install
    mkdir -p "$AF_HOME" "$LOG_DIR" "$PID_DIR"
    if [[ "$TLS" == 1 ]]; then ensure_tls; fi
    export_airflow_env
    if [[ "$AUTH" == simple ]]; then
      # Pre-written passwords file: SimpleAuthManager keeps it, so the passwords stay pinned.
      printf '%s\n' "$SIMPLE_PASSWORDS_JSON" >"$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
    fi
    local t0=$SECONDS shown_db="$DB_URL"
    # Never print a password of the DB URL.
    shown_db="$(printf '%s' "$shown_db" | sed -E 's#(://[^:/@]*):[^@]*@#\1:***@#')"
    say "Airflow $AF_VERSION, auth $AUTH, state dir $STATE_DIR"
    say "migrating the metadata DB ($shown_db; log $LOG_DIR/db-migrate.log)"
    if ! airflow db migrate >"$LOG_DIR/db-migrate.log" 2>&1; then
      tail -n 30 "$LOG_DIR/db-migrate.log" >&2
      die "airflow db migrate failed (see $LOG_DIR/db-migrate.log)"
    fi
    if is_sqlite; then
      # SQLite: write-ahead log, so that readers do not block the one writer (persists in the file).
      "$VENV/bin/python" -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=60); c.execute("PRAGMA journal_mode=WAL"); c.close()' \
        "$AF_HOME/airflow.db"
    fi
    if [[ "$AUTH" == fab ]]; then create_fab_users; fi
    say "DB ready in $((SECONDS - t0))s"
    echo "$PORT" >"$PORT_FILE"
    echo "$URL" >"$URL_FILE"
    local tls_args=()
    if [[ "$TLS" == 1 ]]; then tls_args=(--ssl-cert "$TLS_DIR/server-chain.pem" --ssl-key "$TLS_DIR/server.key"); fi
    if [[ "$AF_MAJOR" == 2 ]]; then
      start_component webserver --hostname "$HOST" --port "$PORT" "${tls_args[@]}"
      start_component scheduler --skip-serve-logs
      start_component triggerer --skip-serve-logs
    else
      start_component api-server --host "$HOST" --port "$PORT" "${tls_args[@]}"
      start_component dag-processor
      start_component scheduler --skip-serve-logs
      start_component triggerer --skip-serve-logs
    fi
  fi
  say "waiting up to ${START_TIMEOUT}s for $URL to be healthy with every DAG of examples/dags listed"
  local rc=0
  apictl wait --dags-folder "$DAGS_FOLDER" --pids-dir "$PID_DIR" --timeout "$START_TIMEOUT" || rc=$?
  if ((rc != 0)); then
    local c
    for c in "${COMPONENTS[@]}"; do
      if [[ -f "$LOG_DIR/$c.log" ]]; then
        printf '\n----- last lines of %s -----\n' "$LOG_DIR/$c.log" >&2
        tail -n 8 "$LOG_DIR/$c.log" | cut -c1-400 >&2
      fi
    done
    die "Airflow did not become ready (components still running; use '$0 stop' to stop them)"
  fi
  if [[ "${AIRFLOW_WAIT_IDLE:-0}" == 1 ]]; then
    apictl idle --timeout "$START_TIMEOUT" || die "DAG runs still queued or running after ${START_TIMEOUT}s"
  fi
  print_login
}

print_login() {
  say "Airflow $AF_VERSION ($AUTH auth) UI and REST API: $URL  (API: $URL$API_PREFIX)"
  if [[ "$AUTH" == simple ]]; then
    say "log in as admin / admin (or viewer / viewer, read only)"
  else
    say "log in as admin / admin (Admin); also viewer / viewer (Viewer), user / user (User), op / op (Op)"
  fi
  local curl_ca=""
  if [[ "$TLS" == 1 ]]; then
    say "TLS: the server certificate is signed by the private CA $CA_FILE"
    say "     (Node: NODE_EXTRA_CA_CERTS=$CA_FILE; curl: --cacert $CA_FILE)"
    curl_ca=" --cacert $CA_FILE"
  fi
  if [[ "$AF_MAJOR" == 2 ]]; then
    say "API (basic auth): curl -s$curl_ca -u admin:admin $URL/api/v1/dags"
  else
    say "token: curl -s$curl_ca -X POST $URL/auth/token -H 'Content-Type: application/json' -d '{\"username\":\"admin\",\"password\":\"admin\"}'"
  fi
}

cmd_status() {
  local c pid
  say "Airflow $AF_VERSION, auth $AUTH, state dir $STATE_DIR, $URL"
  for c in "${COMPONENTS[@]}"; do
    if pid="$(live_pid "$c")"; then say "$c: running (pid $pid)"; else say "$c: not running"; fi
  done
  if [[ ! -x "$VENV/bin/python" ]]; then
    say "not installed (run: $0 install)"
    return 1
  fi
  say "health of $URL:"
  apictl health | sed 's/^/[airflow]   /'
}

with_lock() {
  mkdir -p "$STATE_DIR"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$STATE_DIR/.lock"
    flock -w 900 9 || die "another scripts/airflow.sh is busy with $STATE_DIR"
  fi
  "$@"
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    -h | --help | help) usage; return 0 ;;
  esac
  check_settings
  case "$cmd" in
    install) cmd_install ;;
    start) with_lock cmd_start ;;
    stop) with_lock cmd_stop ;;
    status) use_recorded_url; cmd_status ;;
    env) cmd_env ;;
    url) use_recorded_url; echo "$URL" ;;
    idle) use_recorded_url; apictl idle --timeout "$START_TIMEOUT" ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
