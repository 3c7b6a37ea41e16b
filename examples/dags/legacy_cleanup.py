"""Weekly cleanup of legacy temp tables; created paused on purpose."""

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
    dag_id="legacy_cleanup",
    description="Weekly purge of legacy staging tables (paused: kept for reference)",
    doc_md="Drops staging tables older than 30 days from the legacy warehouse. Created **paused**; unpause to use.",
    schedule="@weekly",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    is_paused_upon_creation=True,
    tags=["maintenance"],
    default_args={"owner": "data-engineering", "retries": 1, "retry_delay": pendulum.duration(seconds=5)},
)
def legacy_cleanup():
    @task
    def find_stale_tables() -> list[str]:
        tables = ["stg_orders_2023", "stg_customers_old", "tmp_migration_backup"]
        log.info("Found %d stale tables: %s", len(tables), ", ".join(tables))
        return tables

    @task
    def drop_tables(tables: list[str]) -> None:
        for table in tables:
            log.info("DROP TABLE IF EXISTS %s (dry run)", table)
        time.sleep(1)

    drop_tables(find_stale_tables())


legacy_cleanup()
