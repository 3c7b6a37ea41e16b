"""Inventory snapshot every 30 minutes."""

from __future__ import annotations

import logging
import random
import time

import pendulum

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.10 / 2.11
    from airflow.decorators import dag, task

log = logging.getLogger(__name__)

WAREHOUSES = ["berlin", "dallas", "singapore"]


@dag(
    dag_id="inventory_snapshot",
    description="Snapshot stock levels of every warehouse every 30 minutes",
    doc_md="Reads stock levels per warehouse and writes one snapshot row per SKU; flags low stock in the log.",
    schedule="*/30 * * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["orders", "inventory"],
    default_args={"owner": "data-engineering", "retries": 1, "retry_delay": pendulum.duration(seconds=5)},
)
def inventory_snapshot():
    @task
    def snapshot(logical_date=None) -> dict:
        rng = random.Random(str(logical_date))
        levels = {wh: rng.randint(0, 1000) for wh in WAREHOUSES}
        for wh, units in levels.items():
            log.info("Warehouse %s: %d units in stock", wh, units)
        time.sleep(1)
        return levels

    @task
    def flag_low_stock(levels: dict) -> None:
        low = [wh for wh, units in levels.items() if units < 100]
        if low:
            log.warning("Low stock in: %s", ", ".join(low))
        else:
            log.info("All warehouses above the low-stock threshold")

    flag_low_stock(snapshot())


inventory_snapshot()
