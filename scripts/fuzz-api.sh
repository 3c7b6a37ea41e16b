#!/usr/bin/env bash
# Property-based tests of the Airflow plugin's HTTP API with Schemathesis
# (from PyPI, pinned in scripts/fuzz/requirements.txt, in the git-ignored
# .tools/fuzz-venv): every operation of the OpenAPI spec, against the running
# example backend, as the guest user. Checks: no server errors, status codes
# and bodies as the spec says, schema-valid requests accepted, invalid ones
# refused, undeclared methods answered 405 with Allow.
#
#   scripts/fuzz-api.sh install     create the virtualenv
#   scripts/fuzz-api.sh run         run against $BACKSTAGE_URL (default http://127.0.0.1:7007)
#
# Settings: BACKSTAGE_URL, FUZZ_MAX_TIME (seconds, default 240), FUZZ_REPORT_DIR
# (JUnit report; default .ci-out/fuzz).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

VENV="$REPO_ROOT/.tools/fuzz-venv"
REQUIREMENTS="$REPO_ROOT/scripts/fuzz/requirements.txt"
CONFIG="$REPO_ROOT/scripts/fuzz/schemathesis.toml"
SPEC="$REPO_ROOT/plugins/airflow-backend/src/schema/openapi.yaml"
BACKSTAGE_URL="${BACKSTAGE_URL:-http://127.0.0.1:7007}"
MAX_TIME="${FUZZ_MAX_TIME:-240}"
REPORT_DIR="${FUZZ_REPORT_DIR:-$REPO_ROOT/.ci-out/fuzz}"

install() {
  local stamp="$VENV/.requirements.sha256" sum
  sum="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
  if [[ -x "$VENV/bin/st" && -f "$stamp" && "$(cat "$stamp")" == "$sum" ]]; then
    return 0
  fi
  log "Installing Schemathesis into .tools/fuzz-venv"
  python3 -m venv --clear "$VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$REQUIREMENTS"
  echo "$sum" > "$stamp"
}

guest_token() {
  curl -sf -H 'X-Requested-With: XMLHttpRequest' "$BACKSTAGE_URL/api/auth/guest/refresh" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["backstageIdentity"]["token"])'
}

run() {
  install
  mkdir -p "$REPORT_DIR"
  local token
  token="$(guest_token)" || die "could not sign in as the guest at $BACKSTAGE_URL"
  log "Fuzzing $BACKSTAGE_URL/api/airflow for at most ${MAX_TIME}s"
  cd "$REPO_ROOT/scripts/fuzz"
  "$VENV/bin/st" --config-file "$CONFIG" run "$SPEC" \
    --url "$BACKSTAGE_URL/api/airflow" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --workers 1 \
    --max-time "$MAX_TIME" \
    --request-timeout 30 \
    --seed 4242 \
    --report junit --report-dir "$REPORT_DIR"
}

case "${1:-run}" in
  install) install ;;
  run) run ;;
  *) echo "usage: $0 install|run" >&2; exit 2 ;;
esac
