#!/usr/bin/env python3
"""End-to-end check of a running local Airflow (started by scripts/airflow.sh start), Airflow 3
(/api/v2, JWT) or Airflow 2 (/api/v1, basic auth): the API version is detected.

Checks, against the real REST API:
  1. every DAG declared in examples/dags is listed; only legacy_cleanup is paused;
  2. a manual run of orders_etl_hourly reaches success;
  3. payments_reconciliation with conf {"fail": true} ends failed;
  4. clearing that run makes it run again (try_number 2 on the failing task) and fail again.

Usage: python3 scripts/airflow/smoke_test.py [--url http://127.0.0.1:8080] [--timeout 90]
       [--api auto|v1|v2] [--cacert <state>/tls/ca.pem] [--username admin --password admin]
Stdlib only. Prints one line per check and a closing "N passed, N failed" line.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
import apictl  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
TERMINAL = {"success", "failed"}


class Checker:
    def __init__(self, client: apictl.Client, timeout: float) -> None:
        self.client = client
        self.timeout = timeout
        self.passed = 0
        self.failed = 0

    def api(self, method: str, path: str, body: dict | None = None) -> tuple[int, object]:
        return self.client.call(method, path, body)

    def poll(self, path: str) -> tuple[int, object]:
        """A GET while waiting: a slow or refused answer counts as "not yet" (status 0)."""
        try:
            return self.api("GET", path)
        except apictl.ApiError:
            return 0, None

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'PASS' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}", flush=True)
        return ok

    def trigger(self, dag_id: str, conf: dict) -> str | None:
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        status, payload = self.api("POST", f"/dags/{quote(dag_id, safe='')}/dagRuns",
                                   {"logical_date": now, "conf": conf})
        if status != 200 or not isinstance(payload, dict):
            self.check(f"trigger {dag_id}", False, f"HTTP {status}: {payload}")
            return None
        return payload["dag_run_id"]

    def wait_run(self, dag_id: str, run_id: str, *, not_before: float = 0.0) -> tuple[str, float]:
        start = time.monotonic()
        state = "?"
        while time.monotonic() - start < self.timeout:
            status, payload = self.poll(f"/dags/{quote(dag_id, safe='')}/dagRuns/{quote(run_id, safe='')}")
            if status == 200 and isinstance(payload, dict):
                state = payload.get("state")
                if state in TERMINAL and time.monotonic() - start >= not_before:
                    return state, time.monotonic() - start
            time.sleep(1)
        return state, time.monotonic() - start

    def task_instances(self, dag_id: str, run_id: str) -> dict[str, dict]:
        status, payload = self.poll(f"/dags/{quote(dag_id, safe='')}/dagRuns/{quote(run_id, safe='')}/taskInstances")
        if status != 200 or not isinstance(payload, dict):
            return {}
        return {ti["task_id"]: ti for ti in payload.get("task_instances") or []}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    apictl.add_common_args(parser)
    parser.add_argument("--timeout", type=float, default=90, help="seconds to wait for each run")
    args = parser.parse_args()
    apictl.set_cafile(args.cacert)
    client = apictl.Client(args.url.rstrip("/"), args.username, args.password, args.api)
    c = Checker(client, args.timeout)
    print(f"Airflow {client.version()} at {client.base} (/api/{client.api})", flush=True)

    expected = apictl.expected_dags(str(REPO / "examples" / "dags"))
    listed = client.dags()
    missing = sorted(set(expected) - set(listed))
    c.check(f"all {len(expected)} example DAGs listed", not missing, f"missing {missing}" if missing else "")
    paused = sorted(d for d in expected if listed.get(d, {}).get("is_paused"))
    c.check("only legacy_cleanup is paused", paused == ["legacy_cleanup"], f"paused={paused}")

    run_id = c.trigger("orders_etl_hourly", {})
    if run_id:
        state, took = c.wait_run("orders_etl_hourly", run_id)
        c.check("orders_etl_hourly manual run succeeds", state == "success", f"{state} after {took:.0f}s ({run_id})")

    run_id = c.trigger("payments_reconciliation", {"fail": True})
    if run_id:
        state, took = c.wait_run("payments_reconciliation", run_id)
        c.check("payments_reconciliation with fail=true fails", state == "failed", f"{state} after {took:.0f}s")
        tis = c.task_instances("payments_reconciliation", run_id)
        c.check("reconcile task failed on try 1",
                tis.get("reconcile", {}).get("state") == "failed" and tis["reconcile"].get("try_number") == 1,
                str({k: (v.get("state"), v.get("try_number")) for k, v in tis.items()}))
        status, payload = c.api("POST", f"/dags/payments_reconciliation/dagRuns/{quote(run_id, safe='')}/clear",
                                {"dry_run": False})
        c.check("clear the failed run", status == 200, f"HTTP {status}")
        # Wait for the cleared run to leave its old terminal state, then to finish again.
        deadline = time.monotonic() + args.timeout
        try_number = None
        while time.monotonic() < deadline:
            ti = c.task_instances("payments_reconciliation", run_id).get("reconcile", {})
            try_number = ti.get("try_number")
            if try_number == 2 and ti.get("state") in TERMINAL:
                break
            time.sleep(1)
        state, _ = c.wait_run("payments_reconciliation", run_id)
        c.check("cleared run ran again (reconcile try_number 2, failed again)",
                try_number == 2 and state == "failed", f"try_number={try_number} run state={state}")

    print(f"{c.passed} passed, {c.failed} failed")
    return 0 if c.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
