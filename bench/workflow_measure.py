"""Timing and query plans for ``bench/workflow.py``: medians, p95 and EXPLAIN summaries."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

# Tables big enough that a sequential scan on them is a finding.
BIG_TABLES = {
    "dossiers_dossier",
    "workflow_dossierstep",
    "dossiers_dossierevent",
    "dossiers_dossierresult",
}


@dataclass
class Figure:
    """One measured operation: its timings and the plans of its queries."""

    name: str
    runs: int
    median_ms: float
    p95_ms: float
    max_ms: float
    queries: int
    plans: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""

    @property
    def seq_scans(self) -> list[str]:
        return [s for p in self.plans for s in p["seq_scans"]]

    def line(self) -> str:
        scans = f"  SEQ SCAN on {', '.join(sorted(set(self.seq_scans)))}" if self.seq_scans else ""
        return (
            f"{self.name:62s} median {self.median_ms:7.2f} ms  p95 {self.p95_ms:7.2f} ms  "
            f"({self.runs} runs, {self.queries} queries){scans}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "median_ms": round(self.median_ms, 2),
            "p95_ms": round(self.p95_ms, 2),
            "max_ms": round(self.max_ms, 2),
            "queries": self.queries,
            "seq_scans_on_big_tables": sorted(set(self.seq_scans)),
            "note": self.note,
            "plans": self.plans,
        }


def p95(values: list[float]) -> float:
    """Return the 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def measure(
    name: str,
    call: Callable[[int], object],
    *,
    runs: int,
    warmup: int = 3,
    explain_queries: bool = True,
    note: str = "",
) -> Figure:
    """Time ``call(i)`` ``runs`` times after ``warmup`` calls; EXPLAIN the queries of one call.

    ``call`` gets the run's number (so transitions can take a new dossier
    each time). The queries of the warm-up's first call are captured and,
    if ``explain_queries``, each SELECT is run again under
    ``EXPLAIN (ANALYZE, BUFFERS)``.
    """
    with CaptureQueriesContext(connection) as captured:
        call(0)
    for i in range(1, warmup):
        call(i)
    timings = []
    for i in range(warmup, warmup + runs):
        t = time.perf_counter()
        call(i)
        timings.append((time.perf_counter() - t) * 1000)
    plans = []
    if explain_queries:
        plans = [explain(q["sql"]) for q in captured.captured_queries if _is_select(q["sql"])]
    return Figure(
        name=name,
        runs=runs,
        median_ms=statistics.median(timings),
        p95_ms=p95(timings),
        max_ms=max(timings),
        queries=len(captured.captured_queries),
        plans=plans,
        note=note,
    )


def _is_select(sql: str) -> bool:
    head = sql.lstrip().upper()
    return head.startswith("SELECT") or head.startswith("WITH")


def explain(sql: str) -> dict[str, Any]:
    """Run ``sql`` under EXPLAIN (ANALYZE, BUFFERS) and summarise the plan."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        row = cursor.fetchone()
    assert row is not None
    document = row[0]
    if isinstance(document, str):  # pragma: no cover - depends on the driver's JSON loading
        import json

        document = json.loads(document)
    top = document[0]
    plan = top["Plan"]
    lines: list[str] = []
    scans: list[str] = []
    _walk(plan, 0, lines, scans)
    return {
        "sql": sql[:2000],
        "execution_ms": round(top.get("Execution Time", 0.0), 3),
        "planning_ms": round(top.get("Planning Time", 0.0), 3),
        "shared_hit": plan.get("Shared Hit Blocks", 0),
        "shared_read": plan.get("Shared Read Blocks", 0),
        "tree": lines,
        "seq_scans": scans,
    }


def _walk(node: dict[str, Any], depth: int, lines: list[str], scans: list[str]) -> None:
    kind = node["Node Type"]
    if node.get("Strategy") in ("Sorted", "Hashed") and kind == "Aggregate":
        kind = f"{node['Strategy']} Aggregate"
    if kind == "Sort" and node.get("Sort Method"):
        kind = f"Sort ({node['Sort Method']})"
    text = kind
    if node.get("Index Name"):
        text += f" using {node['Index Name']}"
    if node.get("Relation Name"):
        text += f" on {node['Relation Name']}"
    if node.get("Parent Relationship") == "SubPlan" or node.get("Subplan Name"):
        text = f"[{node.get('Subplan Name', 'SubPlan')}] {text}"
    rows = node.get("Actual Rows", 0)
    loops = node.get("Actual Loops", 1)
    text += f"  rows={rows:g} loops={loops} {node.get('Actual Total Time', 0):.3f} ms"
    if node.get("Rows Removed by Filter"):
        text += f" removed={node['Rows Removed by Filter']}"
    lines.append("  " * depth + text)
    if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in BIG_TABLES:
        scans.append(node["Relation Name"])
    for child in node.get("Plans", []):
        _walk(child, depth + 1, lines, scans)


def show(figure: Figure, *, plans: bool, out: Callable[[str], object] = print) -> None:
    """Print the figure's line and, if ``plans``, the plan trees of its queries on big tables."""
    out(figure.line())
    if not plans:
        return
    for plan in figure.plans:
        if not any(t in plan["sql"] for t in BIG_TABLES):
            continue
        out(
            f"      query {plan['execution_ms']:.2f} ms (planning {plan['planning_ms']:.2f} ms), "
            f"buffers hit={plan['shared_hit']} read={plan['shared_read']}"
        )
        for line in plan["tree"]:
            out("        " + line)
