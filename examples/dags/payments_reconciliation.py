"""Daily payments reconciliation that fails deterministically on purpose (test fixture)."""

from __future__ import annotations

import logging
import time

import pendulum

try:  # Airflow 3
    from airflow.sdk import Param, dag, task
except ImportError:  # Airflow 2.10 / 2.11
    from airflow.decorators import dag, task
    from airflow.models.param import Param

log = logging.getLogger(__name__)

DOC = """
### Payments reconciliation (daily)

Matches the payment provider's settlement file against the ledger.

**This DAG fails on purpose, deterministically**, so that failed runs exist:

* any run whose param / conf `fail` is `true` fails
  (trigger with `{"conf": {"fail": true}}`);
* **scheduled** runs whose data interval starts on an **odd day of the month**
  fail. With the default cron timetables of Airflow 3 and of Airflow 2 the data
  interval of a scheduled `@daily` run starts at its logical date, so the run of
  2025-01-03T00:00Z fails and the run of 2025-01-04T00:00Z succeeds.

Manual runs with `fail` false (the default) always succeed. The failing task is
`reconcile`, with a `RuntimeError` whose message says which rule fired.
"""


@dag(
    dag_id="payments_reconciliation",
    description="Daily payments vs ledger reconciliation; fails when conf fail=true or on odd-day scheduled runs",
    doc_md=DOC,
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    tags=["finance", "reconciliation"],
    default_args={"owner": "data-engineering", "retries": 0},
    params={"fail": Param(False, type="boolean", description="Force the reconcile task to fail")},
)
def payments_reconciliation():
    @task
    def fetch_settlements(ds=None) -> int:
        log.info("Fetched settlement file for %s: 128 payments", ds)
        time.sleep(1)
        return 128

    @task
    def fetch_ledger(ds=None) -> int:
        log.info("Fetched ledger entries for %s: 128 entries", ds)
        time.sleep(1)
        return 128

    @task
    def reconcile(settlements: int, ledger: int, params=None, dag_run=None, data_interval_start=None,
                  logical_date=None) -> None:
        run_type = getattr(dag_run, "run_type", None)
        run_type = str(getattr(run_type, "value", run_type))  # the enum's str() is "DagRunType.SCHEDULED"
        if params.get("fail"):
            raise RuntimeError("Reconciliation failed on purpose: param/conf 'fail' is true")
        interval_start = data_interval_start or logical_date
        if run_type == "scheduled" and interval_start is not None and interval_start.day % 2 == 1:
            raise RuntimeError(
                f"Reconciliation failed on purpose: scheduled run whose data interval starts on an odd "
                f"day of the month ({interval_start.date().isoformat()}); see the DAG doc"
            )
        log.info("Reconciled %d settlements against %d ledger entries: 0 mismatches", settlements, ledger)

    @task
    def notify_finance() -> None:
        log.info("Sent reconciliation summary to finance")

    reconcile(fetch_settlements(), fetch_ledger()) >> notify_finance()


payments_reconciliation()
