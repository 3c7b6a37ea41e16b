# Helpers shared by scripts/postgres.sh and scripts/redis.sh (sourced, not run).
# A service runs as an unprivileged user from Debian's packages, in a git-ignored
# folder of the repository, on 127.0.0.1 only, and is stopped by its PID.

SERVICES_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Runs a command as root: directly when we are root, else with sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs Debian packages; refreshes the package lists once if the first try fails.
apt_install() {
  command -v apt-get >/dev/null || svc_die "apt-get not found: install $* with your distribution's package manager"
  svc_say "apt-get install -y $*"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2; then
    svc_say "retrying after apt-get update"
    as_root apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
  fi
}

# The OS user a service runs as: as root, the system user Debian's package created
# ($1: postgres, redis), because PostgreSQL refuses to run as root; otherwise the caller.
service_os_user() {
  if [ "$(id -u)" = 0 ]; then echo "$1"; else id -un; fi
}

# Runs a command as user $1 (no sudo when that is the caller already).
run_as() {
  local user="$1"; shift
  if [ "$user" = "$(id -un)" ]; then
    "$@"
  elif [ "$(id -u)" = 0 ]; then
    (cd / && runuser -u "$user" -- "$@")
  else
    (cd / && sudo -u "$user" -- "$@")
  fi
}

# Creates directory $2 (and parents) owned by user $1 with mode 0700, and checks that
# $1 can reach it: every folder above it must be searchable (x) by that user.
ensure_owned_dir() {
  local user="$1" dir="$2"
  mkdir -p "$dir" 2>/dev/null || as_root mkdir -p "$dir"
  if [ "$user" != "$(id -un)" ]; then
    as_root chown "$user:" "$dir"
  fi
  if ! run_as "$user" test -w "$dir" -a -x "$dir" 2>/dev/null; then
    svc_die "user $user cannot reach $dir (a folder above it is not searchable by $user, e.g. a home directory with mode 0700); set the state folder to a path it can reach"
  fi
  run_as "$user" chmod 0700 "$dir"
}

# Alive and not a zombie.
pid_alive() {
  local state
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
  state="$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)"
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# True if process $1 is alive and its command line contains $2 (guards against PID reuse).
pid_is() {
  pid_alive "$1" || return 1
  tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -qF -- "$2"
}

# Waits until process $1 is gone; 1 if still alive after $2 seconds.
wait_pid_gone() {
  local pid="$1" deadline=$((SECONDS + $2))
  while pid_alive "$pid"; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# True if something accepts TCP connections on 127.0.0.1:$1.
port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Stops a server by PID: <name> <pid> <signal> <signal after 30 s> (the caller defines svc_say
# and svc_die). The signals differ per server: each has its own clean and immediate shutdown.
stop_pid() {
  local name="$1" pid="$2" soft="$3" hard="$4"
  svc_say "stopping $name (pid $pid)"
  kill -"$soft" "$pid" 2>/dev/null || as_root kill -"$soft" "$pid"
  if ! wait_pid_gone "$pid" 30; then
    svc_say "still running after 30s; SIG$hard"
    kill -"$hard" "$pid" 2>/dev/null || as_root kill -"$hard" "$pid" || true
    wait_pid_gone "$pid" 10 || svc_die "could not stop pid $pid"
  fi
}
