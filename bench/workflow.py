#!/usr/bin/env python
"""Time workflow transitions and the due-soon / overdue lists on a province-sized database.

Sets up PostgreSQL database ``motcua_bench_workflow`` on 127.0.0.1 (or
``BENCH_WORKFLOW_DATABASE_URL``), migrates it, loads the demo province, and
fills it with ``--dossiers`` dossiers (``bench/workflow_seed.py``: agencies
and one-stop units of every commune, ~1,250 staff, dossiers in every state
with their control-slip lines, COPY in batches; then VACUUM ANALYZE). Then
it measures, warm, in this process through Django:

- transitions through the real services, each in its own transaction as in
  production, each on a different random dossier in the right state;
- the due-soon and overdue lists (``selectors.inbox`` with
  ``InboxFilters(due=...)``, ``dossiers_due_soon``, ``dossiers_overdue``),
  first page of 50 rows with the prefetch of their open steps, for the
  leader of a big agency, a specialist there, the provincial centre's
  receiving officer and a commune leader; the back-office page's data
  (``inbox_page``: rows plus time left in working time);
- the counts a director's dashboard needs.

Prints the machine, the data's shape, median and p95 of each operation and
the EXPLAIN (ANALYZE, BUFFERS) tree of each query on the big tables, and
writes everything to ``bench/results/workflow-<time>.json``. Never part of
the test suite.

    .venv/bin/python bench/workflow.py                      # 1,000,000 dossiers
    .venv/bin/python bench/workflow.py --runs 50 --no-plans # quicker, plans in the JSON only
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
DATABASE = "motcua_bench_workflow"


def manage(*args: str) -> str:
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=100, help="timed runs of each list query")
    parser.add_argument(
        "--transitions", type=int, default=100, help="timed runs of each transition"
    )
    parser.add_argument("--no-plans", action="store_true", help="print no query plans")
    parser.add_argument(
        "--seed-only", action="store_true", help="fill the database, measure nothing"
    )
    parser.add_argument("--only", nargs="*", help="cases to run: words of their names")
    args = parser.parse_args()

    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdef",  # noqa: S106 - local bench
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings",
        VAR_DIR=str(ROOT / "var" / "bench"),
        DATABASE_URL=os.environ.get(
            "BENCH_WORKFLOW_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
        ),
    )
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], capture_output=True)

    import django

    django.setup()
    from bench import workflow_cases, workflow_seed
    from bench.run import machine

    about = machine()
    about["postgresql_server"] = workflow_cases.server_version()
    # The machine may be shared: say how busy it was.
    about["load_average_before"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("== machine:", json.dumps(about, ensure_ascii=False))
    print("== preparing database", os.environ["DATABASE_URL"].split("@")[-1])
    t = time.monotonic()
    manage("migrate", "--noinput", "-v", "0")
    print("  ", manage("load_demo"))
    print(f"   migrated and demo loaded in {time.monotonic() - t:.0f} s")
    print(f"== seeding to {args.dossiers:,} dossiers")
    seeded = workflow_seed.seed(args.dossiers)
    print(f"   seeded in {seeded['seconds']:.0f} s (added {seeded['added']:,})")
    shape = workflow_seed.counts()
    print("== data:", json.dumps(shape, ensure_ascii=False))
    record: dict[str, Any] = {
        "at": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "machine": about,
        "args": vars(args),
        "seeding": seeded,
        "data": shape,
        "settings": workflow_cases.server_settings(),
    }
    if not args.seed_only:
        record["results"] = workflow_cases.run_all(
            runs=args.runs, transitions=args.transitions, plans=not args.no_plans, only=args.only
        )
    record["load_average_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("== load average after:", record["load_average_after"])
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"workflow-{record['at']}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str))
    print(f"== written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
