#!/usr/bin/env bash
# Local Apache Airflow 3 for development and tests: pinned install, start/stop, health.
#
#   scripts/airflow.sh install   create the virtualenv from scripts/airflow/requirements.txt
#   scripts/airflow.sh start     install if needed, migrate the DB, start all components, wait until ready
#   scripts/airflow.sh stop      stop the processes this script started
#   scripts/airflow.sh status    print component health and the DAGs listed
#   scripts/airflow.sh env       print `export` lines for running the `airflow` CLI by hand
#
# Settings (environment):
#   AIRFLOW_STATE_DIR      where venv/, home/, logs/, pids/ live        (default: <repo>/.airflow)
#   AIRFLOW_PORT           API server / UI port on 127.0.0.1            (default: 8080)
#   AIRFLOW_START_TIMEOUT  seconds to wait for readiness                (default: 300)
#   AIRFLOW_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL          (default: 30)
#   AIRFLOW_PYTHON         interpreter used to create the venv          (default: python3)
#   AIRFLOW_JWT_SECRET     JWT signing secret shared by all components  (default: a fixed dev value)
#
# Credentials (SimpleAuthManager, pinned in a pre-written passwords file):
#   admin / admin    role admin
#   viewer / viewer  role viewer (read only)
#
# Metadata DB: SQLite ($AIRFLOW_STATE_DIR/home/airflow.db, WAL mode), LocalExecutor. SQLite has one
# writer at a time: concurrent mutating API calls (trigger, pause, clear) can fail with HTTP 500
# "database is locked" after ~5 s; two API workers make that rare, sequential calls avoid it.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/.." && pwd)"
STATE_DIR="${AIRFLOW_STATE_DIR:-$REPO/.airflow}"
VENV="$STATE_DIR/venv"
AF_HOME="$STATE_DIR/home"
LOG_DIR="$STATE_DIR/logs"
PID_DIR="$STATE_DIR/pids"
REQUIREMENTS="$SCRIPT_DIR/airflow/requirements.txt"
APICTL="$SCRIPT_DIR/airflow/apictl.py"
DAGS_FOLDER="$REPO/examples/dags"
STAMP="$VENV/.requirements.sha256"
PORT_FILE="$PID_DIR/api-server.port"
# status/stop/env follow the port of a running instance unless AIRFLOW_PORT says otherwise.
RECORDED_PORT="$(cat "$PORT_FILE" 2>/dev/null || true)"
PORT="${AIRFLOW_PORT:-${RECORDED_PORT:-8080}}"
HOST=127.0.0.1
URL="http://$HOST:$PORT"
START_TIMEOUT="${AIRFLOW_START_TIMEOUT:-300}"
STOP_TIMEOUT="${AIRFLOW_STOP_TIMEOUT:-30}"
PYTHON="${AIRFLOW_PYTHON:-python3}"
# >= 64 bytes, or PyJWT warns on every token (HMAC-SHA512 key length).
JWT_SECRET="${AIRFLOW_JWT_SECRET:-local-development-only-airflow-jwt-signing-secret-not-for-production-0123456789}"
USERS="admin:admin,viewer:viewer"
PASSWORDS_JSON='{"admin": "admin", "viewer": "viewer"}'
# Start order. `stop` ends the API server last. Each runs in its own session (setsid).
COMPONENTS=(api-server dag-processor scheduler triggerer)

say() { printf '[airflow] %s\n' "$*"; }
die() { printf '[airflow] error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

# ---------------------------------------------------------------- environment

airflow_env_vars() {
  # name=value pairs, one per line; used by `start` (exported) and `env` (printed).
  cat <<EOF
AIRFLOW_HOME=$AF_HOME
AIRFLOW__CORE__DAGS_FOLDER=$DAGS_FOLDER
AIRFLOW__CORE__LOAD_EXAMPLES=False
AIRFLOW__CORE__EXECUTOR=LocalExecutor
AIRFLOW__CORE__PARALLELISM=8
AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
AIRFLOW__CORE__AUTH_MANAGER=airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager
AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=$USERS
AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=False
AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=$AF_HOME/simple_auth_manager_passwords.json
AIRFLOW__CORE__EXECUTION_API_SERVER_URL=$URL/execution/
AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///$AF_HOME/airflow.db
AIRFLOW__API__HOST=$HOST
AIRFLOW__API__PORT=$PORT
AIRFLOW__API__WORKERS=2
AIRFLOW__API_AUTH__JWT_SECRET=$JWT_SECRET
AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=5
AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=False
AIRFLOW__LOGGING__BASE_LOG_FOLDER=$AF_HOME/logs
EOF
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
  command -v "$PYTHON" >/dev/null 2>&1 ||
    die "$PYTHON not found. Install Python 3.10-3.14 (e.g. apt-get install python3 python3-venv) or set AIRFLOW_PYTHON."
  local ver
  ver="$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
  "$PYTHON" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 14) else 1)' ||
    die "Airflow 3.3 needs Python 3.10-3.14, but $PYTHON is $ver. Set AIRFLOW_PYTHON to a suitable interpreter."
  "$PYTHON" -c 'import venv, ensurepip' >/dev/null 2>&1 ||
    die "$PYTHON $ver lacks the venv/ensurepip modules (Debian/Ubuntu: apt-get install python3-venv)."
}

cmd_install() {
  [[ -f "$REQUIREMENTS" ]] || die "missing $REQUIREMENTS"
  if is_installed; then
    say "virtualenv up to date ($VENV, $(grep -m1 '^apache-airflow==' "$REQUIREMENTS"))"
    return 0
  fi
  if [[ -n "$(running_components)" ]]; then
    die "the virtualenv must be rebuilt but Airflow from $STATE_DIR is running; run '$0 stop' first"
  fi
  check_python
  local started=$SECONDS total log
  # Pins carrying an environment marker (python_version < "3.11") only count where they apply.
  total="$(grep -E '^[A-Za-z0-9][^ ]*==' "$REQUIREMENTS" | grep -vc ';' || true)"
  if "$PYTHON" -c 'import sys; sys.exit(sys.version_info >= (3, 11))'; then
    total=$((total + $(grep -E '^[A-Za-z0-9][^ ]*==' "$REQUIREMENTS" | grep -c ';' || true)))
  fi
  mkdir -p "$LOG_DIR"
  log="$LOG_DIR/install.log"
  say "installing $(grep -m1 '^apache-airflow==' "$REQUIREMENTS") ($total pinned packages) into $VENV"
  say "step 1/3: creating virtualenv with $("$PYTHON" --version 2>&1)"
  rm -f "$STAMP"
  "$PYTHON" -m venv --clear "$VENV"
  say "step 2/3: pip install -r scripts/airflow/requirements.txt (full output: $log)"
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
  say "installed Airflow $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("apache-airflow"))') in $((SECONDS - started))s"
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
  for c in "${COMPONENTS[@]}"; do
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
  for c in "${COMPONENTS[@]}"; do
    if pid="$(live_pid "$c")"; then
      roots+=("$pid")
      names+=("$c:$pid")
    fi
  done
  if ((${#roots[@]} == 0)); then
    say "nothing running (state dir $STATE_DIR)"
    rm -f "$PID_DIR"/*.pid "$PORT_FILE" 2>/dev/null || true
    return 0
  fi
  # Snapshot every process of the components' sessions now: once a component exits,
  # its leftover children are reparented and only the session id still ties them to us.
  for pid in "${roots[@]}"; do
    mapfile -t -O "${#all[@]}" all < <(session_pids "$pid")
  done
  say "stopping ${names[*]} (${#all[@]} processes)"
  # 1. SIGTERM to the components only, each shuts down its own workers. The API server goes
  #    last: running tasks report their end state through its Execution API.
  local phase group want
  for phase in workers api; do
    group=()
    for c in "${COMPONENTS[@]}"; do
      [[ $c == api-server ]] && want=api || want=workers
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
  rm -f "$PID_DIR"/*.pid "$PORT_FILE"
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
  # execs in place and $! is the component's own PID. fd 9 (the lock) is not inherited.
  setsid "$VENV/bin/airflow" "$name" "$@" </dev/null >>"$log" 2>&1 9>&- &
  echo "$!" >"$(pid_file "$name")"
  say "started $name (pid $!, log $log)"
}

cmd_start() {
  local running
  mapfile -t running < <(running_components)
  if ((${#running[@]} > 0)) && [[ -n "$RECORDED_PORT" && "$RECORDED_PORT" != "$PORT" ]]; then
    die "Airflow from $STATE_DIR is already running on port $RECORDED_PORT (not $PORT); run '$0 stop' first"
  fi
  if ((${#running[@]} == ${#COMPONENTS[@]})); then
    if is_installed && "$VENV/bin/python" "$APICTL" --url "$URL" health >/dev/null 2>&1; then
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
    export_airflow_env
    mkdir -p "$AF_HOME" "$LOG_DIR" "$PID_DIR"
    # Pre-written passwords file: SimpleAuthManager keeps it, so the passwords stay pinned.
    printf '%s\n' "$PASSWORDS_JSON" >"$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"
    local t0=$SECONDS
    say "migrating the metadata DB ($AF_HOME/airflow.db; log $LOG_DIR/db-migrate.log)"
    if ! airflow db migrate >"$LOG_DIR/db-migrate.log" 2>&1; then
      tail -n 30 "$LOG_DIR/db-migrate.log" >&2
      die "airflow db migrate failed (see $LOG_DIR/db-migrate.log)"
    fi
    # SQLite: write-ahead log, so that readers do not block the one writer (persists in the file).
    "$VENV/bin/python" -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=60); c.execute("PRAGMA journal_mode=WAL"); c.close()' \
      "$AF_HOME/airflow.db"
    say "DB ready in $((SECONDS - t0))s"
    echo "$PORT" >"$PORT_FILE"
    start_component api-server --host "$HOST" --port "$PORT"
    start_component dag-processor
    start_component scheduler --skip-serve-logs
    start_component triggerer --skip-serve-logs
  fi
  say "waiting up to ${START_TIMEOUT}s for $URL to be healthy with every DAG of examples/dags listed"
  local rc=0
  "$VENV/bin/python" "$APICTL" --url "$URL" wait --dags-folder "$DAGS_FOLDER" \
    --pids-dir "$PID_DIR" --timeout "$START_TIMEOUT" || rc=$?
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
  print_login
}

print_login() {
  say "Airflow UI and REST API: $URL  (API: $URL/api/v2)"
  say "log in as admin / admin (or viewer / viewer, read only)"
  say "token: curl -s -X POST $URL/auth/token -H 'Content-Type: application/json' -d '{\"username\":\"admin\",\"password\":\"admin\"}'"
}

cmd_status() {
  local c pid
  for c in "${COMPONENTS[@]}"; do
    if pid="$(live_pid "$c")"; then say "$c: running (pid $pid)"; else say "$c: not running"; fi
  done
  if [[ ! -x "$VENV/bin/python" ]]; then
    say "not installed (run: $0 install)"
    return 1
  fi
  say "health of $URL:"
  "$VENV/bin/python" "$APICTL" --url "$URL" health | sed 's/^/[airflow]   /'
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
    install) with_lock cmd_install ;;
    start) with_lock cmd_start ;;
    stop) with_lock cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
