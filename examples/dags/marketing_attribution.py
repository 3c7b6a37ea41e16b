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

# load_touchpoints logs one line per batch: a few thousand lines, more than one page of a log
# reader, written over about five seconds so that the log of a running try can be followed.
TOUCHPOINT_BATCHES = 3000
TOUCHPOINTS_PER_BATCH = 2
BATCHES_PER_PAUSE = 300
PAUSE_SECONDS = 0.5

DOC = """
Loads touchpoints and conversions, splits credit across channels and stores the daily attribution table.

* `load_touchpoints` logs one line per batch of touchpoints (3000 lines over about five
  seconds): its log is several pages long and grows while the task runs.
* `attribute` is mapped: one task instance per channel (map indexes 0..3:
  search, social, email, display).
"""


@dag(
    dag_id="marketing_attribution",
    description="Daily linear multi-touch attribution of conversions to marketing channels",
    doc_md=DOC,
    schedule="@daily",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    tags=["analytics", "marketing"],
    default_args={"owner": "analytics", "retries": 1, "retry_delay": pendulum.duration(seconds=5)},
)
def marketing_attribution():
    @task
    def load_touchpoints(ds=None) -> int:
        total = 0
        for batch in range(1, TOUCHPOINT_BATCHES + 1):
            total += TOUCHPOINTS_PER_BATCH
            log.info("Touchpoint batch %04d of %d loaded for %s: %d touchpoints so far",
                     batch, TOUCHPOINT_BATCHES, ds, total)
            if batch % BATCHES_PER_PAUSE == 0:
                time.sleep(PAUSE_SECONDS)
        log.info("Loaded %d touchpoints for %s", total, ds)
        return total

    @task
    def load_conversions(ds=None) -> int:
        log.info("Loaded 310 conversions for %s", ds)
        time.sleep(1)
        return 310

    @task
    def attribute(channel: str, touchpoints: int, conversions: int) -> dict:
        credit = round(conversions * CHANNELS[channel], 1)
        log.info("Attributed %.1f of %d conversions over %d touchpoints to channel %s",
                 credit, conversions, touchpoints, channel)
        return {"channel": channel, "credit": credit}

    @task
    def store(credits) -> None:
        rows = list(credits)
        log.info("Stored attribution for %d channels: %s", len(rows),
                 ", ".join(f"{r['channel']}={r['credit']}" for r in rows))

    credits = attribute.partial(touchpoints=load_touchpoints(), conversions=load_conversions()).expand(
        channel=list(CHANNELS)
    )
    store(credits)


marketing_attribution()
