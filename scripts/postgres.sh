#!/usr/bin/env bash
# Local PostgreSQL for the production profile of the example portal (no system service).
#
#   scripts/postgres.sh install          install Debian's postgresql package if missing
#   scripts/postgres.sh start            install if needed, initdb on first start, start, wait until ready
#   scripts/postgres.sh stop             stop the server this script started (by its PID)
#   scripts/postgres.sh status           running or not, and whether it accepts connections
#   scripts/postgres.sh url [DB]         print the connection URL (of database DB if given)
#   scripts/postgres.sh env              print `export POSTGRES_*=...` lines for app-config.production.yaml
#   scripts/postgres.sh psql [ARGS]      psql as the superuser (e.g. psql -c '\l')
#   scripts/postgres.sh createdb NAME [USER [PASSWORD]]
#                                        create role USER (default NAME, password default USER)
#                                        and database NAME owned by it, if missing; prints its URL
#
# Settings (environment):
#   POSTGRES_PORT       port on 127.0.0.1                        (default: 25432)
#   POSTGRES_STATE_DIR  data/, log, port file                    (default: <repo>/.services/postgres)
#   POSTGRES_USER       superuser created by initdb              (default: backstage)
#   POSTGRES_PASSWORD   its password                             (default: backstage)
#   POSTGRES_OS_USER    OS user running the server               (default: postgres as root, else you)
#   POSTGRES_BIN        folder with initdb/pg_ctl/postgres       (default: newest /usr/lib/postgresql/*/bin)
#
# Listens on 127.0.0.1 only (TCP, password auth: scram-sha-256); no Unix socket. The superuser
# may create databases: Backstage creates one per plugin (backstage_plugin_<id>).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SCRIPT_DIR/service-lib.sh"

svc_say() { printf '[postgres] %s\n' "$*" >&2; }
svc_die() { printf '[postgres] error: %s\n' "$*" >&2; exit 1; }

STATE_DIR="${POSTGRES_STATE_DIR:-$SERVICES_REPO/.services/postgres}"
DATA_DIR="$STATE_DIR/data"
LOG_FILE="$STATE_DIR/postgres.log"
PORT_FILE="$STATE_DIR/port"
RECORDED_PORT="$(cat "$PORT_FILE" 2>/dev/null || true)"
# status/stop/url follow the port of a running server unless POSTGRES_PORT says otherwise.
PORT="${POSTGRES_PORT:-${RECORDED_PORT:-25432}}"
HOST=127.0.0.1
PG_USER="${POSTGRES_USER:-backstage}"
PG_PASSWORD="${POSTGRES_PASSWORD:-backstage}"
OS_USER="${POSTGRES_OS_USER:-$(service_os_user postgres)}"
START_TIMEOUT="${POSTGRES_START_TIMEOUT:-60}"

usage() { sed -n '2,25p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

pg_bin_dir() {
  if [ -n "${POSTGRES_BIN:-}" ]; then echo "$POSTGRES_BIN"; return; fi
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$d" ] && [ -x "$d/pg_ctl" ] && echo "$d"
}

is_installed() {
  local bin
  bin="$(pg_bin_dir)" && [ -x "$bin/initdb" ] && [ -x "$bin/postgres" ] && command -v psql >/dev/null
}

cmd_install() {
  if is_installed; then
    svc_say "installed: $("$(pg_bin_dir)/postgres" --version)"
    return 0
  fi
  local t0=$SECONDS
  # Debian's package; on a machine with systemd it also sets up and starts its own cluster on
  # port 5432, which this script neither uses nor touches.
  apt_install postgresql
  is_installed || svc_die "postgresql installed but initdb/postgres not found under /usr/lib/postgresql/*/bin (set POSTGRES_BIN)"
  id "$OS_USER" >/dev/null 2>&1 || svc_die "OS user $OS_USER does not exist"
  svc_say "installed $("$(pg_bin_dir)/postgres" --version) in $((SECONDS - t0))s"
}

# PID of the postmaster of our data folder, if it is running.
server_pid() {
  local pid
  [ -f "$DATA_DIR/postmaster.pid" ] || return 1
  pid="$(head -n 1 "$DATA_DIR/postmaster.pid" 2>/dev/null | tr -dc '0-9')"
  pid_is "$pid" "$DATA_DIR" || return 1
  echo "$pid"
}

psql_super() {
  PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=5 psql -X -q -v ON_ERROR_STOP=1 \
    -h "$HOST" -p "$PORT" -U "$PG_USER" "$@"
}

accepts_connections() {
  PGPASSWORD="$PG_PASSWORD" PGCONNECT_TIMEOUT=3 psql -X -qtA -h "$HOST" -p "$PORT" -U "$PG_USER" \
    -d postgres -c 'select 1' >/dev/null 2>&1
}

init_cluster() {
  local bin="$1" pwfile
  svc_say "initdb $DATA_DIR (superuser $PG_USER, run as OS user $OS_USER)"
  ensure_owned_dir "$OS_USER" "$DATA_DIR"
  # The password file lives only for initdb, readable by the OS user alone.
  pwfile="$(run_as "$OS_USER" mktemp "$STATE_DIR/.pw.XXXXXX" 2>/dev/null || true)"
  [ -n "$pwfile" ] || svc_die "cannot write to $STATE_DIR as $OS_USER"
  printf '%s\n' "$PG_PASSWORD" | run_as "$OS_USER" tee "$pwfile" >/dev/null
  if ! run_as "$OS_USER" "$bin/initdb" -D "$DATA_DIR" -U "$PG_USER" --pwfile="$pwfile" \
      --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
      >"$STATE_DIR/initdb.log" 2>&1; then
    run_as "$OS_USER" rm -f "$pwfile"
    tail -n 20 "$STATE_DIR/initdb.log" >&2
    svc_die "initdb failed (see $STATE_DIR/initdb.log)"
  fi
  run_as "$OS_USER" rm -f "$pwfile"
  # Loopback TCP only, no Unix socket; enough connections for two backend replicas
  # (each plugin has its own database and connection pool).
  run_as "$OS_USER" tee -a "$DATA_DIR/postgresql.conf" >/dev/null <<'CONF'

# ---- set by scripts/postgres.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 300
CONF
}

cmd_start() {
  local pid bin
  if pid="$(server_pid)"; then
    if [ -n "$RECORDED_PORT" ] && [ "$RECORDED_PORT" != "$PORT" ]; then
      svc_die "already running on port $RECORDED_PORT (not $PORT), pid $pid; run '$0 stop' first"
    fi
    if accepts_connections; then
      svc_say "already running on $HOST:$PORT (pid $pid)"
      return 0
    fi
    svc_say "running (pid $pid) but not accepting connections yet; waiting"
  else
    cmd_install
    bin="$(pg_bin_dir)"
    mkdir -p "$STATE_DIR"
    ensure_owned_dir "$OS_USER" "$STATE_DIR"
    if [ ! -s "$DATA_DIR/PG_VERSION" ]; then
      init_cluster "$bin"
    fi
    # A postmaster.pid whose process is gone (or is not our server) is stale.
    if [ -f "$DATA_DIR/postmaster.pid" ]; then
      svc_say "removing stale $DATA_DIR/postmaster.pid"
      run_as "$OS_USER" rm -f "$DATA_DIR/postmaster.pid"
    fi
    if port_busy "$PORT"; then
      svc_die "port $PORT on $HOST is already in use by another process; set POSTGRES_PORT to a free port"
    fi
    local t0=$SECONDS
    svc_say "starting PostgreSQL on $HOST:$PORT (data $DATA_DIR, log $LOG_FILE)"
    run_as "$OS_USER" touch "$LOG_FILE" 2>/dev/null || true
    # pg_ctl forks the postmaster into its own session and returns; -W: we wait ourselves.
    run_as "$OS_USER" "$bin/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -W -o "-p $PORT" start >/dev/null
    echo "$PORT" >"$PORT_FILE"
  fi
  local deadline=$((SECONDS + START_TIMEOUT))
  until accepts_connections; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$LOG_FILE" >&2 || true
      svc_die "PostgreSQL did not accept connections within ${START_TIMEOUT}s (see $LOG_FILE)"
    fi
    if ! server_pid >/dev/null && [ "$SECONDS" -gt $((deadline - START_TIMEOUT + 5)) ]; then
      tail -n 20 "$LOG_FILE" >&2 || true
      svc_die "PostgreSQL exited (see $LOG_FILE)"
    fi
    sleep 0.3
  done
  svc_say "ready on $HOST:$PORT (pid $(server_pid)) in $((SECONDS - ${t0:-$SECONDS}))s; $(cmd_url)"
}

cmd_stop() {
  local pid
  if ! pid="$(server_pid)"; then
    svc_say "not running (state dir $STATE_DIR)"
    if [ -f "$DATA_DIR/postmaster.pid" ]; then run_as "$OS_USER" rm -f "$DATA_DIR/postmaster.pid"; fi
    rm -f "$PORT_FILE"
    return 0
  fi
  # SIGINT is PostgreSQL's fast shutdown (ends sessions, checkpoints, exits); SIGQUIT its immediate one.
  stop_pid PostgreSQL "$pid" INT QUIT
  rm -f "$PORT_FILE"
  svc_say "stopped"
}

cmd_status() {
  local pid
  if pid="$(server_pid)"; then
    if accepts_connections; then
      svc_say "running on $HOST:$PORT (pid $pid), accepting connections; $(psql_super -d postgres -tAc 'select version()' | cut -d, -f1)"
    else
      svc_say "running (pid $pid) but not accepting connections on $HOST:$PORT"
      return 1
    fi
  else
    svc_say "not running (state dir $STATE_DIR)"
    return 3
  fi
}

urlencode() {
  node -e 'process.stdout.write(encodeURIComponent(process.argv[1]))' "$1" 2>/dev/null ||
    python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""), end="")' "$1"
}

pg_url() { # user password [db]
  printf 'postgresql://%s:%s@%s:%s/%s\n' "$(urlencode "$1")" "$(urlencode "$2")" "$HOST" "$PORT" "${3:-}"
}

cmd_url() { pg_url "$PG_USER" "$PG_PASSWORD" "${1:-}"; }

cmd_env() {
  cat <<EOF
export POSTGRES_HOST='$HOST'
export POSTGRES_PORT='$PORT'
export POSTGRES_USER='$PG_USER'
export POSTGRES_PASSWORD='$PG_PASSWORD'
EOF
}

valid_ident() { [[ "$1" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]]; }

cmd_createdb() {
  local name="${1:-}" user="${2:-${1:-}}" password="${3:-${2:-${1:-}}}"
  [ -n "$name" ] || svc_die "usage: $0 createdb NAME [USER [PASSWORD]]"
  valid_ident "$name" || svc_die "database name '$name': letters, digits and _ only"
  valid_ident "$user" || svc_die "user name '$user': letters, digits and _ only"
  server_pid >/dev/null || svc_die "not running; run '$0 start' first"
  # Idempotent: the role and the database are created only when missing.
  psql_super -d postgres -v role="$user" -v pw="$password" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SQL
  psql_super -d postgres -v db="$name" -v role="$user" <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
SQL
  svc_say "database $name owned by $user"
  pg_url "$user" "$password" "$name"
}

cmd_psql() {
  server_pid >/dev/null || svc_die "not running; run '$0 start' first"
  PGPASSWORD="$PG_PASSWORD" exec psql -X -h "$HOST" -p "$PORT" -U "$PG_USER" -d "${PGDATABASE:-postgres}" "$@"
}

main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    url) cmd_url "$@" ;;
    env) cmd_env ;;
    psql) cmd_psql "$@" ;;
    createdb) cmd_createdb "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
