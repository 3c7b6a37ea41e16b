#!/usr/bin/env python3
"""Small stdlib-only client used by scripts/airflow.sh to talk to the local Airflow 3 REST API.

Subcommands:
  token                 print a JWT for the given user (POST /auth/token)
  health                print component health; exit 0 when metadatabase and scheduler are healthy
  expected-dags DIR     print the DAG ids declared (dag_id="...") in the *.py files of DIR
  wait                  poll until healthy and every expected DAG is listed (or time out)

Only the Python standard library is used, so any python3 >= 3.10 can run it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
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


def request(url: str, *, method: str = "GET", body: dict | None = None, token: str | None = None,
            timeout: float = 10.0) -> tuple[int, object]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Accept", "application/json")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
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
    status, payload = request(f"{base}/auth/token", method="POST",
                              body={"username": username, "password": password})
    if status not in (200, 201) or not isinstance(payload, dict) or "access_token" not in payload:
        raise ApiError(f"POST /auth/token as {username!r} returned {status}: {payload}")
    return payload["access_token"]


def get_health(base: str) -> dict:
    status, payload = request(f"{base}/api/v2/monitor/health")
    if status != 200 or not isinstance(payload, dict):
        raise ApiError(f"GET /api/v2/monitor/health returned {status}: {payload}")
    return payload


def component_states(health: dict) -> dict[str, str]:
    return {name: str((health.get(name) or {}).get("status")) for name in STARTED}


def list_dag_ids(base: str, token: str) -> dict[str, dict]:
    dags: dict[str, dict] = {}
    offset = 0
    while True:
        status, payload = request(f"{base}/api/v2/dags?limit=100&offset={offset}", token=token)
        if status != 200 or not isinstance(payload, dict):
            raise ApiError(f"GET /api/v2/dags returned {status}: {payload}")
        page = payload.get("dags") or []
        for dag in page:
            dags[dag["dag_id"]] = dag
        offset += len(page)
        if not page or offset >= int(payload.get("total_entries") or 0):
            return dags


def import_errors(base: str, token: str) -> list[str]:
    status, payload = request(f"{base}/api/v2/importErrors?limit=100", token=token)
    if status != 200 or not isinstance(payload, dict):
        return []
    return [f"{e.get('filename')}: {str(e.get('stack_trace') or '').strip().splitlines()[-1:]}"
            for e in payload.get("import_errors") or []]


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
    print(get_token(args.url, args.username, args.password))
    return 0


def cmd_health(args: argparse.Namespace) -> int:
    try:
        health = get_health(args.url)
    except ApiError as err:
        print(f"api-server: not reachable ({err})")
        return 1
    states = component_states(health)
    for name, state in states.items():
        extra = ""
        for key in ("latest_scheduler_heartbeat", "latest_dag_processor_heartbeat", "latest_triggerer_heartbeat"):
            if (health.get(name) or {}).get(key):
                extra = f" (last heartbeat {health[name][key]})"
        print(f"{name}: {state}{extra}")
    try:
        token = get_token(args.url, args.username, args.password)
        dags = list_dag_ids(args.url, token)
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
    token: str | None = None
    summary = "api-server not reachable yet"
    errors: list[str] = []
    while True:
        elapsed = time.monotonic() - start
        dead = dead_components(args.pids_dir)
        if dead:
            print(f"[airflow] component(s) exited during startup: {', '.join(dead)}", file=sys.stderr)
            return 3
        try:
            states = component_states(get_health(args.url))
            token = token or get_token(args.url, args.username, args.password)
            listed = list_dag_ids(args.url, token)
            missing = [d for d in expected if d not in listed]
            healthy = all(states[n] == "healthy" for n in STARTED if n in REQUIRED or not args.lenient)
            errors = import_errors(args.url, token) if missing else []
            summary = (" ".join(f"{n}={s}" for n, s in states.items())
                       + f" dags={len(expected) - len(missing)}/{len(expected)}")
            if healthy and not missing:
                print(f"[airflow] ready after {elapsed:.0f}s: {summary}")
                return 0
        except ApiError as err:
            summary = str(err)
            if "auth/token" in summary or "/dags" in summary:
                token = None
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default=os.environ.get("AIRFLOW_URL", "http://127.0.0.1:8080"))
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default="admin")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("token").set_defaults(func=cmd_token)
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
    args = parser.parse_args()
    args.url = args.url.rstrip("/")
    try:
        return args.func(args)
    except ApiError as err:
        print(f"[airflow] {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
