"""Hourly ETL for the orders domain: extract -> transform -> load, then a quality check."""

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

DOC = """
### Orders ETL (hourly)

Pulls the last hour of orders from the (simulated) order service, normalises
currencies, loads them into the `orders_fact` table and runs a row-count
quality check. Every task finishes in about a second; nothing leaves the box.
"""


@dag(
    dag_id="orders_etl_hourly",
    description="Hourly orders ETL: extract, transform, load and a quality check",
    doc_md=DOC,
    schedule="@hourly",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    tags=["etl", "orders"],
    default_args={"owner": "data-engineering", "retries": 1, "retry_delay": pendulum.duration(seconds=5)},
)
def orders_etl_hourly():
    @task
    def extract(data_interval_start=None, data_interval_end=None) -> list[dict]:
        rng = random.Random(str(data_interval_start))
        orders = [
            {"order_id": 1000 + i, "amount": round(rng.uniform(5, 250), 2), "currency": rng.choice(["EUR", "USD"])}
            for i in range(rng.randint(5, 15))
        ]
        log.info("Extracted %d orders for window %s .. %s", len(orders), data_interval_start, data_interval_end)
        time.sleep(1)
        return orders

    @task
    def transform(orders: list[dict]) -> list[dict]:
        rates = {"EUR": 1.0, "USD": 0.92}
        normalised = [{**o, "amount_eur": round(o["amount"] * rates[o["currency"]], 2)} for o in orders]
        log.info("Normalised %d orders to EUR (total %.2f EUR)", len(normalised), sum(o["amount_eur"] for o in normalised))
        time.sleep(1)
        return normalised

    @task
    def load(rows: list[dict]) -> int:
        log.info("Loading %d rows into orders_fact (simulated upsert)", len(rows))
        time.sleep(1)
        return len(rows)

    @task
    def quality_check(loaded: int) -> None:
        if loaded <= 0:
            raise ValueError("Quality check failed: no rows were loaded into orders_fact")
        log.info("Quality check passed: %d rows loaded", loaded)

    quality_check(load(transform(extract())))


orders_etl_hourly()
