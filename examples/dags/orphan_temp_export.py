"""Manual-only temp export; no catalog entity references this DAG."""

from __future__ import annotations

import logging
import time

import pendulum

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.10 / 2.11
    from airflow.decorators import dag, task

log = logging.getLogger(__name__)


@dag(
    dag_id="orphan_temp_export",
    description="Ad-hoc export of a temp table to CSV (manual trigger only, not owned by any catalog entity)",
    doc_md="One-off export someone left behind. It has no tags and no schedule; trigger it by hand.",
    schedule=None,
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    default_args={"owner": "airflow", "retries": 1, "retry_delay": pendulum.duration(seconds=5)},
)
def orphan_temp_export():
    @task
    def export_csv() -> str:
        path = "/tmp/orphan_temp_export.csv"
        log.info("Exported 42 rows to %s (simulated)", path)
        time.sleep(1)
        return path

    export_csv()


orphan_temp_export()
