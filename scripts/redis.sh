#!/usr/bin/env bash
# Local Redis for the production profile of the example portal (Backstage's cache; no system service).
#
#   scripts/redis.sh install     install Debian's redis-server package if missing
#   scripts/redis.sh start       install if needed, start, wait until it answers PING
#   scripts/redis.sh stop        stop the server this script started (by its PID)
#   scripts/redis.sh status      running or not, and whether it answers
#   scripts/redis.sh url         print the connection URL
#   scripts/redis.sh env         print `export REDIS_URL=...` for app-config.production.yaml
#   scripts/redis.sh cli [ARGS]  redis-cli against it (e.g. cli keys '*')
#
# Settings (environment):
#   REDIS_PORT       port on 127.0.0.1                          (default: 26379)
#   REDIS_STATE_DIR  data/, log, PID file                       (default: <repo>/.services/redis)
#   REDIS_PASSWORD   requirepass; empty for none                (default: empty)
#   REDIS_MAXMEMORY  maxmemory, evicting least recently used    (default: 256mb)
#   REDIS_OS_USER    OS user running the server                 (default: redis as root, else you)
#
# Debian 12 ships Redis 7.0 (redis-server); Valkey is not packaged there.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$SCRIPT_DIR/service-lib.sh"

svc_say() { printf '[redis] %s\n' "$*" >&2; }
svc_die() { printf '[redis] error: %s\n' "$*" >&2; exit 1; }

STATE_DIR="${REDIS_STATE_DIR:-$SERVICES_REPO/.services/redis}"
DATA_DIR="$STATE_DIR/data"
PID_FILE="$STATE_DIR/redis.pid"
LOG_FILE="$STATE_DIR/redis.log"
PORT_FILE="$STATE_DIR/port"
RECORDED_PORT="$(cat "$PORT_FILE" 2>/dev/null || true)"
PORT="${REDIS_PORT:-${RECORDED_PORT:-26379}}"
HOST=127.0.0.1
PASSWORD="${REDIS_PASSWORD:-}"
MAXMEMORY="${REDIS_MAXMEMORY:-256mb}"
OS_USER="${REDIS_OS_USER:-$(service_os_user redis)}"
START_TIMEOUT="${REDIS_START_TIMEOUT:-30}"
REDIS_SERVER="${REDIS_SERVER:-/usr/bin/redis-server}"

usage() { sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

is_installed() { [ -x "$REDIS_SERVER" ] && command -v redis-cli >/dev/null; }

cmd_install() {
  if is_installed; then
    svc_say "installed: $("$REDIS_SERVER" --version | cut -d' ' -f1-3)"
    return 0
  fi
  local t0=$SECONDS
  # On a machine with systemd, Debian's package also starts its own service on port 6379,
  # which this script neither uses nor touches.
  apt_install redis-server
  is_installed || svc_die "redis-server installed but $REDIS_SERVER or redis-cli not found"
  id "$OS_USER" >/dev/null 2>&1 || svc_die "OS user $OS_USER does not exist"
  svc_say "installed $("$REDIS_SERVER" --version | cut -d' ' -f1-3) in $((SECONDS - t0))s"
}

rcli() {
  if [ -n "$PASSWORD" ]; then
    REDISCLI_AUTH="$PASSWORD" redis-cli -h "$HOST" -p "$PORT" "$@"
  else
    redis-cli -h "$HOST" -p "$PORT" "$@"
  fi
}

answers() { [ "$(rcli ping 2>/dev/null)" = PONG ]; }

# PID of our server, if it is running (the PID file is written by redis-server itself).
server_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null)"
  pid_is "$pid" redis-server || return 1
  # Same port as recorded: a reused PID of another redis-server is not ours.
  [ -z "$RECORDED_PORT" ] || tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q ":$RECORDED_PORT" || return 1
  echo "$pid"
}

cmd_start() {
  local pid t0=$SECONDS
  if pid="$(server_pid)"; then
    if [ -n "$RECORDED_PORT" ] && [ "$RECORDED_PORT" != "$PORT" ]; then
      svc_die "already running on port $RECORDED_PORT (not $PORT), pid $pid; run '$0 stop' first"
    fi
    if answers; then
      svc_say "already running on $HOST:$PORT (pid $pid)"
      return 0
    fi
    svc_say "running (pid $pid) but not answering yet; waiting"
  else
    cmd_install
    mkdir -p "$STATE_DIR"
    ensure_owned_dir "$OS_USER" "$STATE_DIR"
    ensure_owned_dir "$OS_USER" "$DATA_DIR"
    if [ -f "$PID_FILE" ]; then
      svc_say "removing stale $PID_FILE"
      run_as "$OS_USER" rm -f "$PID_FILE"
    fi
    if port_busy "$PORT"; then
      svc_die "port $PORT on $HOST is already in use by another process; set REDIS_PORT to a free port"
    fi
    svc_say "starting Redis on $HOST:$PORT (data $DATA_DIR, log $LOG_FILE)"
    # The configuration comes on stdin ("-"), so the password never shows in `ps`.
    # daemonize: redis-server forks, detaches (own session) and writes its PID file.
    {
      cat <<CONF
bind 127.0.0.1
port $PORT
protected-mode yes
daemonize yes
supervised no
pidfile $PID_FILE
logfile $LOG_FILE
dir $DATA_DIR
dbfilename dump.rdb
save 300 10
appendonly no
maxmemory $MAXMEMORY
maxmemory-policy allkeys-lru
CONF
      if [ -n "$PASSWORD" ]; then printf 'requirepass "%s"\n' "$PASSWORD"; fi
    } | run_as "$OS_USER" "$REDIS_SERVER" - >/dev/null
    echo "$PORT" >"$PORT_FILE"
    RECORDED_PORT="$PORT"
  fi
  local deadline=$((SECONDS + START_TIMEOUT))
  until answers; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 20 "$LOG_FILE" >&2 || true
      svc_die "Redis did not answer within ${START_TIMEOUT}s (see $LOG_FILE)"
    fi
    sleep 0.2
  done
  svc_say "ready on $HOST:$PORT (pid $(server_pid)) in $((SECONDS - t0))s; $(cmd_url)"
}

cmd_stop() {
  local pid
  if ! pid="$(server_pid)"; then
    svc_say "not running (state dir $STATE_DIR)"
    if [ -f "$PID_FILE" ]; then run_as "$OS_USER" rm -f "$PID_FILE"; fi
    rm -f "$PORT_FILE"
    return 0
  fi
  # SIGTERM: Redis saves the dataset (save is configured) and exits.
  stop_pid Redis "$pid" TERM KILL
  rm -f "$PORT_FILE"
  if [ -f "$PID_FILE" ]; then run_as "$OS_USER" rm -f "$PID_FILE" 2>/dev/null || true; fi
  svc_say "stopped"
}

cmd_status() {
  local pid
  if pid="$(server_pid)"; then
    if answers; then
      svc_say "running on $HOST:$PORT (pid $pid), redis $(rcli info server | tr -d '\r' | sed -n 's/^redis_version://p'), $(rcli dbsize | tr -d '\r') keys"
    else
      svc_say "running (pid $pid) but not answering on $HOST:$PORT"
      return 1
    fi
  else
    svc_say "not running (state dir $STATE_DIR)"
    return 3
  fi
}

cmd_url() {
  if [ -n "$PASSWORD" ]; then
    local enc
    enc="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""), end="")' "$PASSWORD")"
    echo "redis://:$enc@$HOST:$PORT"
  else
    echo "redis://$HOST:$PORT"
  fi
}

cmd_env() { printf "export REDIS_URL='%s'\n" "$(cmd_url)"; }

cmd_cli() {
  server_pid >/dev/null || svc_die "not running; run '$0 start' first"
  rcli "$@"
}

main() {
  local cmd="${1:-}"
  [ $# -gt 0 ] && shift
  case "$cmd" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    url) cmd_url ;;
    env) cmd_env ;;
    cli) cmd_cli "$@" ;;
    -h | --help | help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
