"""Daily sales report with typed, user-editable params."""

from __future__ import annotations

import logging
import random
import time

import pendulum

try:  # Airflow 3
    from airflow.sdk import Param, dag, task
except ImportError:  # Airflow 2.10 / 2.11
    from airflow.decorators import dag, task
    from airflow.models.param import Param

log = logging.getLogger(__name__)

DOC = """
### Sales daily report

Builds the morning sales report at 06:00 UTC. Trigger it by hand with other
params to get a report for another region:

| param | type | default |
| --- | --- | --- |
| `region` | one of `emea`, `amer`, `apac` | `emea` |
| `top_n` | integer 1..100 | `10` |
| `include_returns` | boolean | `false` |
| `report_title` | string | `Daily sales` |
"""


@dag(
    dag_id="sales_daily_report",
    description="Daily sales report per region (typed params: region, top_n, include_returns, report_title)",
    doc_md=DOC,
    schedule="0 6 * * *",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    catchup=False,
    tags=["reporting", "analytics"],
    default_args={"owner": "analytics", "retries": 1, "retry_delay": pendulum.duration(seconds=5)},
    params={
        "region": Param("emea", type="string", enum=["emea", "amer", "apac"], description="Sales region"),
        "top_n": Param(10, type="integer", minimum=1, maximum=100, description="How many top products to list"),
        "include_returns": Param(False, type="boolean", description="Net out returned orders"),
        "report_title": Param("Daily sales", type="string", description="Title printed on the report"),
    },
)
def sales_daily_report():
    @task
    def collect_sales(params=None, ds=None) -> list[dict]:
        rng = random.Random(f"{ds}-{params['region']}")
        sales = [{"sku": f"SKU-{i:03d}", "units": rng.randint(0, 500)} for i in range(150)]
        if params["include_returns"]:
            for row in sales:
                row["units"] -= rng.randint(0, min(row["units"], 20))
        log.info("Collected %d SKUs for region=%s on %s (returns netted: %s)",
                 len(sales), params["region"], ds, params["include_returns"])
        time.sleep(1)
        return sales

    @task
    def render_report(sales: list[dict], params=None) -> str:
        top = sorted(sales, key=lambda r: r["units"], reverse=True)[: params["top_n"]]
        lines = [f"{params['report_title']} - {params['region'].upper()}"]
        lines += [f"{n:>3}. {r['sku']}: {r['units']} units" for n, r in enumerate(top, 1)]
        report = "\n".join(lines)
        log.info("Rendered report:\n%s", report)
        return report

    @task
    def publish(report: str) -> None:
        log.info("Published report (%d lines) to the analytics share", report.count("\n") + 1)
        time.sleep(1)

    publish(render_report(collect_sales()))


sales_daily_report()
