#!/usr/bin/env python3
"""Render docs/compatibility.md from the Jest JSON reports written by scripts/compat.sh.

Usage: python3 scripts/compat_report.py RESULTS_DIR OUTPUT.md COMBO...
Each COMBO (e.g. 3.3.2-fab) has RESULTS_DIR/<combo>.json (Jest --json report) and <combo>.meta
(key=value lines: airflow_version, auth, api, date, ...). A combination without a report is shown
as not run. Stdlib only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

AUTH_NAMES = {"simple": "SimpleAuthManager", "fab": "FAB"}



# What the plugin does where a version lacks something (the dialects in
# plugins/airflow-backend/src/lib/airflow/dialects/ and the client say the same).
FEATURE_DIFFERENCES = [
    "## Where versions differ",
    "",
    "Nothing breaks on the versions above; where one lacks a feature the plugin does this:",
    "",
    "| feature | Airflow 2.10 / 2.11 (`/api/v1`) | Airflow 3.0 / 3.1 (`/api/v2`) | Airflow 3.2 / 3.3 (`/api/v2`) |",
    "| --- | --- | --- | --- |",
    "| an entity's DAGs by id | one `GET /dags/{dag_id}` per DAG id, 8 at a time | the same | one `GET /dags?dag_id_pattern=a\\|b\\|...` |",
    "| task logs | text, parsed into lines (level and time where the line has them); no continuation token, so following a running try re-reads the log from the start, skipping the lines already shown | structured entries (JSON and NDJSON); Airflow answers a read with its continuation token with the whole log again, so the plugin hands out no token and following re-reads the log, skipping the lines already shown | structured entries, followed with Airflow's continuation token (only the new lines are read) |",
    "| tries of a task instance | `.../tries` | `.../tries` | `.../tries` |",
    "| mark a mapped task instance with its upstream or downstream tasks | **501** `AirflowNotSupportedError` naming the instance (Airflow 2 marks one mapped task instance alone; mark it alone or mark the whole task) | supported | supported |",
    "",
]

def read_meta(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    meta = {}
    for line in path.read_text().splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            meta[key] = value
    return meta


def strip_colours(line: str) -> str:
    # Jest colours its messages; drop the escape codes.
    while "\x1b[" in line:
        start = line.index("\x1b[")
        end = line.find("m", start)
        line = line[:start] + (line[end + 1:] if end >= 0 else "")
    return line.strip()


def first_line(messages: list[str]) -> str:
    """The first line of a failure, plus its Expected/Received lines when Jest printed them."""
    for message in messages:
        lines = [strip_colours(l) for l in message.splitlines()]
        lines = [l for l in lines if l]
        if not lines:
            continue
        extra = [l for l in lines[1:8] if l.startswith(("Expected", "Received"))]
        return " / ".join([lines[0]] + extra)[:400]
    return ""


def main() -> int:
    results, output, combos = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    tests: list[str] = []  # test titles in suite order, first seen first
    cells: dict[tuple[str, str], str] = {}
    failures: dict[str, list[tuple[str, str]]] = {}
    metas: dict[str, dict[str, str]] = {}
    summary: dict[str, str] = {}
    for combo in combos:
        meta = read_meta(results / f"{combo}.meta")
        metas[combo] = meta
        report_path = results / f"{combo}.json"
        if not report_path.exists():
            summary[combo] = f"not run ({meta['error']})" if meta.get("error") else "not run"
            continue
        report = json.loads(report_path.read_text())
        for suite in report.get("testResults", []):
            if suite.get("status") == "failed" and not suite.get("assertionResults"):
                failures.setdefault(combo, []).append(("(suite)", first_line([suite.get("message", "")])))
            for t in suite.get("assertionResults", []):
                title = t["title"]
                if title not in tests:
                    tests.append(title)
                status = t["status"]
                cells[(title, combo)] = {"passed": "pass", "failed": "**FAIL**"}.get(status, status)
                if status == "failed":
                    failures.setdefault(combo, []).append((title, first_line(t.get("failureMessages", []))))
        summary[combo] = f"{report.get('numPassedTests', 0)}/{report.get('numTotalTests', 0)}"

    dates = sorted({m["date"] for m in metas.values() if m.get("date")})
    lines = [
        "# Compatibility",
        "",
        "The integration suite (`packages/backend/src/integration/`, the example backend with the plugins",
        "against a real Airflow) run by `scripts/compat.sh` against each Airflow version and auth manager:",
        "Airflow 2 through `/api/v1` with basic auth (FAB), Airflow 3 through `/api/v2` with JWTs from",
        "SimpleAuthManager or the FAB auth manager. Each run starts from a fresh metadata DB (SQLite) with",
        "the DAGs of `examples/dags/`.",
        "",
        f"Run on {', '.join(dates) or '-'} (UTC) on the project's CI machine kind (2 cores, Python 3.11, Node 22).",
        "Regenerate with `bash scripts/compat.sh` (5-12 minutes per combination on 2 cores, most of it",
        "Airflow's start and the runs the tests wait for). A combination marked *not run* has no report.",
        "",
    ]
    header = ["test"] + [f"{c.rsplit('-', 1)[0]} {AUTH_NAMES.get(c.rsplit('-', 1)[1], c.rsplit('-', 1)[1])}"
                         for c in combos]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("| " + " | ".join(["---"] * len(header)) + " |")
    lines.append("| Airflow reported | " + " | ".join(
        f"{metas[c].get('airflow_version', '-')} (`/api/{metas[c].get('api', '?')}`)" if metas[c].get("api")
        else "-" for c in combos) + " |")
    lines.append("| **passed** | " + " | ".join(f"**{summary[c]}**" for c in combos) + " |")
    for title in tests:
        row = [title.replace("|", "\\|")] + [cells.get((title, c), "-") for c in combos]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    if failures:
        lines += ["## Failures", "", "The first line of each failure as Jest reported it.", ""]
        for combo in combos:
            for title, message in failures.get(combo, []):
                lines.append(f"- **{combo}**, {title}: `{message.replace('`', chr(39))}`")
        lines.append("")
    lines += FEATURE_DIFFERENCES
    output.write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
