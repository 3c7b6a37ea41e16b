"""Daily multi-touch marketing attribution."""

from __future__ import annotations

import logging
import time

import pendulum

try:  # Airflow 3
    from airflow.sdk import dag, task
except ImportError:  # Airflow 2.10 / 2.11
    from airflow.decorators import dag, task

log = logging.getLogger(__name__)

CHANNELS = {"search": 0.4, "social": 0.25, "email": 0.2, "display": 0.15}


@dag(
    dag_id="marketing_attribution",
    description="Daily linear multi-touch attribution of conversions to marketing channels",
    doc_md="Loads touchpoints and conversions, splits credit across channels and stores the daily attribution table.",
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    tags=["analytics", "marketing"],
    default_args={"owner": "analytics", "retries": 1, "retry_delay": pendulum.duration(seconds=5)},
)
def marketing_attribution():
    @task
    def load_touchpoints(ds=None) -> int:
        log.info("Loaded 5400 touchpoints for %s", ds)
        time.sleep(1)
        return 5400

    @task
    def load_conversions(ds=None) -> int:
        log.info("Loaded 310 conversions for %s", ds)
        time.sleep(1)
        return 310

    @task
    def attribute(touchpoints: int, conversions: int) -> dict:
        credit = {channel: round(conversions * share, 1) for channel, share in CHANNELS.items()}
        log.info("Attributed %d conversions over %d touchpoints: %s", conversions, touchpoints, credit)
        return credit

    @task
    def store(credit: dict) -> None:
        log.info("Stored attribution for %d channels", len(credit))

    store(attribute(load_touchpoints(), load_conversions()))


marketing_attribution()
