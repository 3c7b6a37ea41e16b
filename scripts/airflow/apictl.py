#!/usr/bin/env python3
"""Small stdlib-only client used by scripts/airflow.sh to talk to a local Airflow's REST API:
/api/v2 with a JWT (Airflow 3, SimpleAuthManager or FAB) or /api/v1 with basic auth (Airflow 2).
The API version is detected (GET /api/v2/version, then /api/v1/version) unless --api says it.

Subcommands:
  token                 print a JWT for the given user (POST /auth/token; Airflow 3 only)
  auth-header           print the Authorization header value: "Bearer <JWT>" (v2) or "Basic ..." (v1)
  version               print the API version and Airflow's version, e.g. "v1 2.11.2"
  health                print component health; exit 0 when metadatabase and scheduler are healthy
  expected-dags DIR     print the DAG ids declared (dag_id="...") in the *.py files of DIR
  wait                  poll until healthy and every expected DAG is listed (or time out)
  idle                  poll until no DAG run is queued or running (or time out)

Only the Python standard library is used, so any python3 >= 3.10 can run it.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import ssl
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

DAG_ID_RE = re.compile(r"""\bdag_id\s*=\s*["']([^"']+)["']""")
# Components started by scripts/airflow.sh; metadatabase + scheduler are the hard requirement.
REQUIRED = ("metadatabase", "scheduler")
STARTED = ("metadatabase", "scheduler", "dag_processor", "triggerer")


class ApiError(Exception):
    pass


_SSL_CONTEXT: ssl.SSLContext | None = None


def set_cafile(cafile: str | None) -> None:
    """Trust this CA (PEM) for https URLs, e.g. the private CA of AIRFLOW_TLS=1."""
    global _SSL_CONTEXT
    _SSL_CONTEXT = ssl.create_default_context(cafile=cafile) if cafile else None


def request(url: str, *, method: str = "GET", body: dict | None = None, token: str | None = None,
            auth: str | None = None, timeout: float = 10.0) -> tuple[int, object]:
    """One HTTP call; `token` is sent as a bearer token, `auth` as the whole Authorization value."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    elif auth:
        req.add_header("Authorization", auth)
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=_SSL_CONTEXT) as resp:
            raw = resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        raw = err.read()
        status = err.code
    except (urllib.error.URLError, OSError) as err:
        raise ApiError(f"cannot reach {url}: {getattr(err, 'reason', err)}") from err
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        payload = raw.decode(errors="replace")[:200]
    return status, payload


def get_token(base: str, username: str, password: str) -> str:
    """A JWT from POST {base}/auth/token (Airflow 3: SimpleAuthManager answers 201, FAB 201)."""
    status, payload = request(f"{base}/auth/token", method="POST",
                              body={"username": username, "password": password})
    if status not in (200, 201) or not isinstance(payload, dict) or "access_token" not in payload:
        raise ApiError(f"POST /auth/token as {username!r} returned {status}: {payload}")
    return payload["access_token"]


def basic_auth(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def detect_api(base: str) -> str:
    """'v2' (Airflow 3) if GET /api/v2/version answers 200, else 'v1' if /api/v1/version does."""
    errors = []
    for version in ("v2", "v1"):
        try:
            status, payload = request(f"{base}/api/{version}/version")
        except ApiError as err:
            raise ApiError(f"cannot detect the API version: {err}") from err
        if status == 200 and isinstance(payload, dict) and "version" in payload:
            return version
        errors.append(f"/api/{version}/version: {status}")
    raise ApiError(f"cannot detect the API version at {base} ({', '.join(errors)})")


class Client:
    """Airflow REST API client: /api/v2 with a JWT (Airflow 3) or /api/v1 with basic auth (Airflow 2)."""

    def __init__(self, base: str, username: str = "admin", password: str = "admin", api: str = "auto") -> None:
        self.base = base.rstrip("/")
        self.username = username
        self.password = password
        self.api = api if api in ("v1", "v2") else detect_api(self.base)
        self._token: str | None = None

    @property
    def prefix(self) -> str:
        return f"{self.base}/api/{self.api}"

    def authorization(self) -> str:
        if self.api == "v1":
            return basic_auth(self.username, self.password)
        if self._token is None:
            self._token = get_token(self.base, self.username, self.password)
        return f"Bearer {self._token}"

    def forget_token(self) -> None:
        self._token = None

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        """A call to {prefix}{path}; on v2 a 401 (expired token) takes a new token once."""
        status, payload = request(f"{self.prefix}{path}", method=method, body=body, auth=self.authorization())
        if status == 401 and self.api == "v2":
            self.forget_token()
            status, payload = request(f"{self.prefix}{path}", method=method, body=body, auth=self.authorization())
        return status, payload

    def health(self) -> dict:
        path = "/monitor/health" if self.api == "v2" else "/health"
        status, payload = request(f"{self.prefix}{path}")
        if status != 200 or not isinstance(payload, dict):
            raise ApiError(f"GET /api/{self.api}{path} returned {status}: {payload}")
        return payload

    def version(self) -> str:
        status, payload = request(f"{self.prefix}/version")
        if status != 200 or not isinstance(payload, dict):
            raise ApiError(f"GET /api/{self.api}/version returned {status}: {payload}")
        return str(payload.get("version"))

    def dags(self) -> dict[str, dict]:
        dags: dict[str, dict] = {}
        offset = 0
        while True:
            status, payload = self.call("GET", f"/dags?limit=100&offset={offset}")
            if status != 200 or not isinstance(payload, dict):
                raise ApiError(f"GET /api/{self.api}/dags returned {status}: {payload}")
            page = payload.get("dags") or []
            for dag in page:
                dags[dag["dag_id"]] = dag
            offset += len(page)
            if not page or offset >= int(payload.get("total_entries") or 0):
                return dags

    def import_errors(self) -> list[str]:
        status, payload = self.call("GET", "/importErrors?limit=100")
        if status != 200 or not isinstance(payload, dict):
            return []
        return [f"{e.get('filename')}: {str(e.get('stack_trace') or '').strip().splitlines()[-1:]}"
                for e in payload.get("import_errors") or []]


def default_components(api: str) -> tuple[str, ...]:
    # Airflow 2's scheduler parses the DAG files itself (no standalone dag-processor is started).
    return STARTED if api == "v2" else ("metadatabase", "scheduler", "triggerer")


def component_states(health: dict, names: tuple[str, ...] = ()) -> dict[str, str]:
    return {name: str((health.get(name) or {}).get("status")) for name in (names or STARTED)}


def expected_dags(folder: str) -> list[str]:
    ids: list[str] = []
    for path in sorted(Path(folder).glob("*.py")):
        ids.extend(DAG_ID_RE.findall(path.read_text(encoding="utf-8")))
    return ids


def dead_components(pids_dir: str | None) -> list[str]:
    if not pids_dir:
        return []
    dead = []
    for pid_file in sorted(Path(pids_dir).glob("*.pid")):
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, 0)
        except (ValueError, ProcessLookupError):
            dead.append(pid_file.stem)
            continue
        except PermissionError:
            continue
        try:  # an exited process stays a zombie until it is reaped
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X"):
                dead.append(pid_file.stem)
        except (OSError, IndexError):
            pass
    return dead


def cmd_token(args: argparse.Namespace) -> int:
    client = Client(args.url, args.username, args.password, args.api)
    if client.api == "v1":
        print("[airflow] Airflow 2 (/api/v1) has no token endpoint: it takes basic auth "
              "(see the auth-header command)", file=sys.stderr)
        return 2
    print(get_token(client.base, args.username, args.password))
    return 0


def cmd_auth_header(args: argparse.Namespace) -> int:
    """The Authorization header value for this instance: `Bearer <JWT>` (v2) or `Basic ...` (v1)."""
    client = Client(args.url, args.username, args.password, args.api)
    print(client.authorization())
    return 0


def cmd_version(args: argparse.Namespace) -> int:
    client = Client(args.url, args.username, args.password, args.api)
    print(f"{client.api} {client.version()}")
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    try:
        client = Client(args.url, args.username, args.password, args.api)
        health = client.health()
    except ApiError as err:
        print(f"api-server: not reachable ({err})")
        return 1
    names = default_components(client.api)
    states = component_states(health, names)
    print(f"api: /api/{client.api}")
    for name, state in states.items():
        extra = ""
        for key in ("latest_scheduler_heartbeat", "latest_dag_processor_heartbeat", "latest_triggerer_heartbeat"):
            if (health.get(name) or {}).get(key):
                extra = f" (last heartbeat {health[name][key]})"
        print(f"{name}: {state}{extra}")
    try:
        dags = client.dags()
        paused = sorted(d for d, v in dags.items() if v.get("is_paused"))
        print(f"dags: {len(dags)} listed ({len(paused)} paused: {', '.join(paused) or '-'})")
    except ApiError as err:
        print(f"dags: unavailable ({err})")
    return 0 if all(states[n] == "healthy" for n in REQUIRED) else 1


def cmd_expected(args: argparse.Namespace) -> int:
    for dag_id in expected_dags(args.folder):
        print(dag_id)
    return 0


def cmd_wait(args: argparse.Namespace) -> int:
    expected = expected_dags(args.dags_folder)
    if not expected:
        print(f"[airflow] no dag_id=... found in {args.dags_folder}/*.py", file=sys.stderr)
        return 2
    start = time.monotonic()
    deadline = start + args.timeout
    last_print = -1e9
    client: Client | None = None
    summary = "api-server not reachable yet"
    errors: list[str] = []
    while True:
        elapsed = time.monotonic() - start
        dead = dead_components(args.pids_dir)
        if dead:
            print(f"[airflow] component(s) exited during startup: {', '.join(dead)}", file=sys.stderr)
            return 3
        try:
            client = client or Client(args.url, args.username, args.password, args.api)
            names = default_components(client.api)
            states = component_states(client.health(), names)
            listed = client.dags()
            missing = [d for d in expected if d not in listed]
            healthy = all(states[n] == "healthy" for n in names if n in REQUIRED or not args.lenient)
            errors = client.import_errors() if missing else []
            summary = (" ".join(f"{n}={s}" for n, s in states.items())
                       + f" dags={len(expected) - len(missing)}/{len(expected)}")
            if healthy and not missing:
                print(f"[airflow] ready after {elapsed:.0f}s: {summary}")
                return 0
        except ApiError as err:
            summary = str(err)
            if client is not None and ("auth/token" in summary or "/dags" in summary):
                client.forget_token()
        if time.monotonic() >= deadline:
            print(f"[airflow] not ready after {args.timeout:.0f}s: {summary}", file=sys.stderr)
            for err in errors:
                print(f"[airflow] import error: {err}", file=sys.stderr)
            return 1
        if elapsed - last_print >= args.progress_every:
            print(f"[airflow] waiting ({elapsed:.0f}s/{args.timeout:.0f}s): {summary}", flush=True)
            for err in errors:
                print(f"[airflow]   import error: {err}", flush=True)
            last_print = elapsed
        time.sleep(args.interval)


def cmd_idle(args: argparse.Namespace) -> int:
    """Wait until no DAG run is queued or running (e.g. the first scheduled runs after a start)."""
    client = Client(args.url, args.username, args.password, args.api)
    start = time.monotonic()
    last_print = -1e9
    while True:
        status, payload = client.call("GET", "/dags/~/dagRuns?state=queued&state=running&limit=100")
        if status != 200 or not isinstance(payload, dict):
            raise ApiError(f"GET /api/{client.api}/dags/~/dagRuns returned {status}: {payload}")
        busy = sorted({r["dag_id"] for r in payload.get("dag_runs") or []})
        elapsed = time.monotonic() - start
        if not busy:
            print(f"[airflow] no DAG run queued or running after {elapsed:.0f}s")
            return 0
        if elapsed >= args.timeout:
            print(f"[airflow] still busy after {args.timeout:.0f}s: {', '.join(busy)}", file=sys.stderr)
            return 1
        if elapsed - last_print >= args.progress_every:
            print(f"[airflow] waiting for {payload.get('total_entries')} DAG run(s) to finish: {', '.join(busy)}",
                  flush=True)
            last_print = elapsed
        time.sleep(args.interval)


def add_common_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=os.environ.get("AIRFLOW_URL", "http://127.0.0.1:8080"),
                        help="base URL, with the sub-path if any, without /api/...")
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--api", choices=("auto", "v1", "v2"), default="auto",
                        help="v2 (Airflow 3, JWT), v1 (Airflow 2, basic auth) or auto-detect")
    parser.add_argument("--cacert", help="PEM file of a CA to trust for https (AIRFLOW_TLS=1: <state>/tls/ca.pem)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(parser)
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("token").set_defaults(func=cmd_token)
    sub.add_parser("auth-header").set_defaults(func=cmd_auth_header)
    sub.add_parser("version").set_defaults(func=cmd_version)
    sub.add_parser("health").set_defaults(func=cmd_health)
    p = sub.add_parser("expected-dags")
    p.add_argument("folder")
    p.set_defaults(func=cmd_expected)
    p = sub.add_parser("wait")
    p.add_argument("--dags-folder", required=True)
    p.add_argument("--pids-dir")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--interval", type=float, default=2)
    p.add_argument("--progress-every", type=float, default=10)
    p.add_argument("--lenient", action="store_true",
                   help="only require metadatabase and scheduler, not dag_processor/triggerer")
    p.set_defaults(func=cmd_wait)
    p = sub.add_parser("idle")
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--interval", type=float, default=3)
    p.add_argument("--progress-every", type=float, default=20)
    p.set_defaults(func=cmd_idle)
    args = parser.parse_args()
    args.url = args.url.rstrip("/")
    set_cafile(args.cacert)
    try:
        return args.func(args)
    except ApiError as err:
        print(f"[airflow] {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
