#!/usr/bin/env python
"""Time importing a previous system's dossiers: a generated CSV of ``--rows`` rows, fresh database.

Creates PostgreSQL database ``motcua_bench_history`` on 127.0.0.1 (or
``BENCH_HISTORY_DATABASE_URL``) from scratch, migrates it, loads the demo
province and the former Quảng Nam's agencies (``history.demo``), writes a CSV
of ``--rows`` dossiers of 2019 with the demo file's shape
(``demo_history_rows`` scaled: 17 former districts and the provincial centre,
the demo's procedures, every status), then imports it through the real
importer (``history.services.import_file``: streamed, checked, facts by COPY
a chunk of 5,000 per transaction, their rollups added set-based at the end),
and imports the same file again (every row unchanged). Prints the machine, rows/s of each
pass, the peak memory of this process (``ru_maxrss``), the rollup rows and
table sizes, and writes them to ``bench/results/import_dossiers-<time>.json``.

    .venv/bin/python bench/import_dossiers.py                  # 1,000,000 rows
    .venv/bin/python bench/import_dossiers.py --rows 100000 --keep-db
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
DATABASE = "motcua_bench_history"


def manage(*args: str) -> str:
    # The demo's signing certificates are made in development mode (DEBUG) only.
    env = {**os.environ, "DEBUG": "true", "VAR_DIR": str(ROOT / "var")}
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep-db", action="store_true", help="do not drop and recreate it")
    parser.add_argument("--no-second", action="store_true", help="skip the re-import")
    args = parser.parse_args()

    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdef",  # noqa: S106 - local bench
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings",
        VAR_DIR=str(ROOT / "var" / "bench"),
        DATABASE_URL=os.environ.get(
            "BENCH_HISTORY_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
        ),
    )
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    if not args.keep_db:
        # The database the URL names (not always the default one), dropped and made afresh.
        name = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
        pg = ["-h", "127.0.0.1", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", name], capture_output=True)
        subprocess.run(["createdb", *pg, name], check=True, capture_output=True)

    import django

    django.setup()
    from django.db import connection

    from bench.run import machine
    from motcua.history.demo import TOTAL, demo_history_write
    from motcua.history.services import CHUNK, import_file

    about = machine()
    about["load_average_before"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("== machine:", json.dumps(about, ensure_ascii=False))
    t = time.monotonic()
    manage("migrate", "--noinput", "-v", "0")
    print("  ", manage("load_demo"))
    print(f"   migrated and demo loaded in {time.monotonic() - t:.0f} s")
    path = ROOT / "var" / "bench" / f"import-dossiers-{args.rows}.csv"
    t = time.monotonic()
    rows = demo_history_write(path, scale=args.rows / TOTAL)
    size = path.stat().st_size
    print(f"== file: {rows:,} rows, {size / 1e6:.0f} MB, written in {time.monotonic() - t:.0f} s")
    record: dict[str, Any] = {
        "at": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "machine": about,
        "rows": rows,
        "file_mb": round(size / 1e6),
        "chunk": CHUNK,
        "passes": [],
    }
    memory_before = peak_mb()
    passes = ["first import"] + ([] if args.no_second else ["same file again"])
    for name in passes:
        started = time.monotonic()
        _batch, out = import_file(path=path)
        seconds = time.monotonic() - started
        figures = {
            "pass": name,
            "seconds": round(seconds, 1),
            "rows_per_second": round(out.rows / seconds),
            "created": out.created,
            "unchanged": out.unchanged,
            "rejected": out.rejected,
            "peak_rss_mb": round(peak_mb()),
        }
        record["passes"].append(figures)
        print(f"== {name}: {json.dumps(figures)}")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), pg_total_relation_size('statistics_rollup'), "
            "pg_total_relation_size('statistics_fact') FROM statistics_rollup"
        )
        count, rollup_size, fact_size = cursor.fetchone()
    record["rollup_rows"] = count
    record["rollup_mb"] = round(rollup_size / 1e6)
    record["fact_mb"] = round(fact_size / 1e6)
    record["peak_rss_mb_before_import"] = round(memory_before)
    record["load_average_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"== rollup rows {count:,} ({rollup_size / 1e6:.0f} MB), facts {fact_size / 1e6:.0f} MB; "
        f"peak RSS {peak_mb():.0f} MB (before importing: {memory_before:.0f} MB); "
        f"load average after: {record['load_average_after']}"
    )
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    result = out_dir / f"import_dossiers-{record['at']}.json"
    result.write_text(json.dumps(record, indent=2, ensure_ascii=False))
    print(f"== written {result.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
