#!/usr/bin/env bash
# Checks the transport options of scripts/airflow.sh for real: starts one instance with
# AIRFLOW_TLS=1, AIRFLOW_BASE_PATH=/airflow and (Airflow 3) AIRFLOW_JWT_EXPIRATION=15, then checks
# with curl that
#   - HTTPS verifies through the private CA, and fails without it; plain HTTP is not served;
#   - the API answers under the sub-path and not at the root;
#   - Airflow 3: a token works, and is refused (401) once it has expired;
#     Airflow 2: basic auth works over HTTPS under the sub-path, wrong credentials are 401;
#   - the smoke test passes through the CA (on Airflow 3 the task processes then reach the
#     Execution API over HTTPS too);
# and stops the instance. Prints `N passed, N failed`.
#
#   AIRFLOW_VERSION=3.3.2 AIRFLOW_AUTH=fab AIRFLOW_PORT=28181 bash scripts/airflow/transport_check.sh
#
# Uses its own state dir (.airflow/transport-<version>-<auth>/, wiped first) so it never touches
# another instance.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VERSION="${AIRFLOW_VERSION:-3.3.2}"
MAJOR="${VERSION%%.*}"
if [[ "$MAJOR" == 2 ]]; then AUTH="${AIRFLOW_AUTH:-fab}"; else AUTH="${AIRFLOW_AUTH:-simple}"; fi
PORT="${AIRFLOW_PORT:-28180}"
EXPIRY=15
export AIRFLOW_VERSION="$VERSION" AIRFLOW_AUTH="$AUTH" AIRFLOW_PORT="$PORT"
export AIRFLOW_STATE_DIR="$REPO/.airflow/transport-$VERSION-$AUTH"
export AIRFLOW_TLS=1 AIRFLOW_BASE_PATH=/airflow AIRFLOW_JWT_EXPIRATION="$EXPIRY"
CA="$AIRFLOW_STATE_DIR/tls/ca.pem"
BASE="https://127.0.0.1:$PORT/airflow"
passed=0 failed=0

check() {
  local name="$1"; shift
  if "$@"; then passed=$((passed + 1)); echo "PASS $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
# HTTP status of a curl call (000 when no HTTP answer, e.g. a TLS failure).
status() { curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@" || true; }

bash "$REPO/scripts/airflow.sh" stop >/dev/null 2>&1 || true
rm -rf "$AIRFLOW_STATE_DIR"
trap 'bash "$REPO/scripts/airflow.sh" stop >/dev/null 2>&1 || true' EXIT
if ! bash "$REPO/scripts/airflow.sh" start; then
  echo "FAIL start"; echo "0 passed, 1 failed"; exit 1
fi

if [[ "$MAJOR" == 2 ]]; then API=v1; else API=v2; fi
check "HTTPS through the private CA: GET $BASE/api/$API/version is 200" \
  test "$(status --cacert "$CA" "$BASE/api/$API/version")" = 200
check "the certificate names localhost too" \
  test "$(status --cacert "$CA" "https://localhost:$PORT/airflow/api/$API/version")" = 200
check "without the CA the certificate is refused (curl exit 60)" \
  bash -c 'curl -s -o /dev/null --max-time 20 "$0"; test $? = 60' "$BASE/api/$API/version"
check "plain HTTP gets no HTTP answer" \
  test "$(status "http://127.0.0.1:$PORT/airflow/api/$API/version")" != 200
if [[ "$MAJOR" == 2 ]]; then
  # (Airflow 3 mounts its app with a root path: it answers with and without the prefix.)
  check "the API is not served at the root, only under /airflow" \
    test "$(status --cacert "$CA" "https://127.0.0.1:$PORT/api/$API/version")" = 404
fi

if [[ "$MAJOR" == 2 ]]; then
  check "basic auth over HTTPS under the sub-path: GET /api/v1/dags is 200" \
    test "$(status --cacert "$CA" -u admin:admin "$BASE/api/v1/dags?limit=1")" = 200
  check "a wrong password is 401" \
    test "$(status --cacert "$CA" -u admin:wrong "$BASE/api/v1/dags?limit=1")" = 401
else
  token="$(curl -s --cacert "$CA" -X POST "$BASE/auth/token" -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"admin"}' | python3 -c 'import json,sys; print(json.load(sys.stdin).get("access_token",""))')"
  check "a token from POST $BASE/auth/token" test -n "$token"
  check "the token lasts $EXPIRY s (exp - iat in the JWT)" python3 - "$token" "$EXPIRY" <<'PY'
import base64, json, sys
payload = sys.argv[1].split(".")[1]
claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
sys.exit(0 if claims["exp"] - claims["iat"] == int(sys.argv[2]) else 1)
PY
  check "the fresh token is accepted: GET /api/v2/dags is 200" \
    test "$(status --cacert "$CA" -H "Authorization: Bearer $token" "$BASE/api/v2/dags?limit=1")" = 200
  # Airflow accepts a token up to [api_auth] jwt_leeway (10 s) past its expiry.
  sleep $((EXPIRY + 10 + 3))
  code="$(curl -s --cacert "$CA" -o "$AIRFLOW_STATE_DIR/expired.json" -w '%{http_code}' -H "Authorization: Bearer $token" "$BASE/api/v2/dags?limit=1")"
  check "after expiry (+ leeway) the token is refused with 401 ($(cat "$AIRFLOW_STATE_DIR/expired.json"))" test "$code" = 401
fi

check "smoke test through the CA (a run succeeds, a failing run fails, a cleared run runs again)" \
  python3 "$HERE/smoke_test.py" --url "$BASE" --cacert "$CA"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
