#!/usr/bin/env python
"""Measure the streamed XLSX list of dossiers on 1,000,000 statistics facts.

Sets up PostgreSQL database ``motcua_bench_export`` on 127.0.0.1 (or
``BENCH_EXPORT_DATABASE_URL``), migrates it, makes a province with a few
agencies, one-stop units and procedures (the test factories), and COPYs
``--facts`` facts received in 2026 (a seeded generator; skipped when they
are there already), then VACUUM ANALYZE. Then, each in a fresh process so
the figures are the export's own, it runs ``reports.documents.dossiers_xlsx``
for the province over the year 2026 (every fact) and reads the file out in 64 KiB
chunks as the ``FileResponse`` does:

- once plain: wall time, and the peak resident memory of the process
  (``VmHWM``, and ``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which on
  Linux a child starts with from its parent) against what it had after
  Django's setup;
- once under ``tracemalloc``, over January only (``--trace-months``):
  the peak of Python allocations, which does not grow with the rows (its
  time is not the export's: tracing slows Python about 8x).

Prints the figures and writes them to ``bench/results/export-xlsx-<time>.json``.
Never part of the test suite.

    .venv/bin/python bench/export_xlsx.py                  # 1,000,000 facts
    .venv/bin/python bench/export_xlsx.py --facts 100000   # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
DATABASE = "motcua_bench_export"
COLUMNS = (
    "code", "source", "revision", "province_id", "receiving_unit_id", "agency_id",
    "procedure_id", "channel", "online_level", "state", "received_at", "received_on", "due_at",
    "finished_at", "finished_on", "ended", "outcome", "extended", "supplements",
    "processing_seconds", "returned_on", "returned_via", "fully_online", "fee_bearing",
    "components", "digitised", "reused",
)  # fmt: skip
BATCH = 50_000


def _environment() -> None:
    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdef",  # noqa: S106 - local bench
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings",
        VAR_DIR=str(ROOT / "var" / "bench"),
        DATABASE_URL=os.environ.get(
            "BENCH_EXPORT_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
        ),
    )
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _status_mib(name: str) -> float:
    """Return ``VmHWM`` (peak resident) or ``VmRSS`` of this process from /proc, in MiB.

    Unlike ``ru_maxrss``, ``VmHWM`` starts afresh at exec, so a child does not
    report its parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def seed(n: int) -> dict[str, Any]:
    """Make the province and its agencies, and COPY ``n`` facts (none when they are there)."""
    from django.db import connection
    from django.utils import timezone

    from motcua.statistics.models import Fact
    from motcua.testing import (
        AgencyFactory,
        FieldFactory,
        OneStopUnitFactory,
        ProcedureFactory,
        ProvinceFactory,
    )

    province = ProvinceFactory()
    have = Fact.objects.count()
    if have >= n:
        return {"province": province.pk, "added": 0, "seconds": 0.0, "facts": have}
    if have:
        sys.exit(f"{have:,} facts already: drop the database {DATABASE} and run again")
    agencies = [AgencyFactory(administrative_unit=province) for _ in range(8)]
    units = [OneStopUnitFactory(administrative_unit=province) for _ in range(4)]
    procedures = [
        ProcedureFactory(agency=agencies[i % 8], field=FieldFactory(code=f"f{i % 5}"))
        for i in range(40)
    ]
    rng = random.Random(13)
    zone = timezone.get_current_timezone()
    started = time.monotonic()
    connection.ensure_connection()
    raw = connection.connection
    added = 0
    with raw.cursor() as cursor:
        while added < n - have:
            with cursor.copy(f"COPY statistics_fact ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for _ in range(min(BATCH, n - have - added)):
                    i = have + added
                    added += 1
                    procedure = procedures[rng.randrange(len(procedures))]
                    received = date(2026, 1, 1) + timedelta(days=rng.randrange(365))
                    at = datetime(received.year, received.month, received.day, 9, tzinfo=zone)
                    done = rng.random() < 0.8
                    finished = received + timedelta(days=rng.randrange(30)) if done else None
                    copy.write_row(
                        (
                            f"B-{i:08d}", "import", 0, province.pk,
                            units[i % 4].pk, procedure.agency_id, procedure.pk,
                            rng.choice((1, 2, 3)), rng.choice(("full", "partial", "none")),
                            "processed" if done else "in_process", at, received,
                            at + timedelta(days=10), at + timedelta(days=5) if done else None,
                            finished, "processed" if done else "",
                            rng.choice(("early", "on_time", "late")) if done else "",
                            False, rng.randrange(3), 5 * 86400 if done else None,
                            finished, "counter" if done else "", False, False, 2, 1, 0,
                        )
                    )  # fmt: skip
        with connection.cursor() as plain:
            plain.execute("VACUUM ANALYZE statistics_fact")
    return {
        "province": province.pk,
        "added": added,
        "seconds": round(time.monotonic() - started, 1),
        "facts": Fact.objects.count(),
    }


def measure(province: int, traced: bool, months: int) -> dict[str, Any]:
    """Export the province's first ``months`` months of 2026 here; return time and memory."""
    from django.conf import settings

    from motcua.reports.documents import dossiers_xlsx
    from motcua.statistics.periods import Period, month_end
    from motcua.statistics.scopes import subject_of

    subject = subject_of("province", province)
    period = Period(date(2026, 1, 1), month_end(date(2026, months, 1)))
    base, base_hwm = _maxrss_mib(), _status_mib("VmHWM")
    if traced:
        tracemalloc.start()
    started = time.monotonic()
    out = dossiers_xlsx(where=subject.where, period=period, measure="received", title="bench")
    written = time.monotonic() - started
    size = 0
    while chunk := out.read(64 * 1024):  # what FileResponse does
        size += len(chunk)
    out.close()
    record: dict[str, Any] = {
        "seconds": round(time.monotonic() - started, 1),
        "seconds_writing": round(written, 1),
        "rows": subject_rows(subject, period),
        "bytes": size,
        "maxrss_mib_after_setup": round(base, 1),
        "maxrss_mib_peak": round(_maxrss_mib(), 1),
        "vmhwm_mib_after_setup": round(base_hwm, 1),
        "vmhwm_mib_peak": round(_status_mib("VmHWM"), 1),
        "chunk_size": settings.REPORTS_EXPORT_CHUNK,
    }
    if traced:
        record["tracemalloc_peak_mib"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    return record


def subject_rows(subject: Any, period: Any) -> int:
    from motcua.statistics.selectors import facts_behind

    return facts_behind(where=subject.where, period=period, measure="received").count()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--facts", type=int, default=1_000_000)
    parser.add_argument("--no-trace", action="store_true", help="skip the tracemalloc run")
    parser.add_argument(
        "--trace-months",
        type=int,
        default=1,
        help="months of 2026 exported under tracemalloc (it slows Python about 8x)",
    )
    parser.add_argument("--months", type=int, default=12, help=argparse.SUPPRESS)
    parser.add_argument("--child", choices=("plain", "traced"), help=argparse.SUPPRESS)
    parser.add_argument("--province", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    _environment()
    if args.child:
        import django

        django.setup()
        print(json.dumps(measure(args.province, args.child == "traced", args.months)))
        return

    name = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)
    import django

    django.setup()
    from bench.run import machine

    about = machine()
    about["load_average_before"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("== machine:", json.dumps(about, ensure_ascii=False))
    subprocess.run(
        [PY, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, env=os.environ
    )
    print(f"== seeding to {args.facts:,} facts")
    seeded = seed(args.facts)
    print("  ", json.dumps(seeded))
    record: dict[str, Any] = {
        "at": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "machine": about,
        "seeding": seeded,
    }
    for kind in ("plain", *(() if args.no_trace else ("traced",))):
        print(f"== export ({kind})")
        out = subprocess.run(
            [
                PY,
                __file__,
                *("--child", kind, "--province", str(seeded["province"])),
                *("--months", str(12 if kind == "plain" else args.trace_months)),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            env=os.environ,
        )
        record[kind] = json.loads(out.stdout.strip().splitlines()[-1])
        print("  ", json.dumps(record[kind]))
    record["load_average_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"export-xlsx-{record['at']}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str))
    print(f"== written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
