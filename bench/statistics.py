#!/usr/bin/env python
"""Time the statistics engine on 10,000,000 facts: rebuild, figures, series, refresh.

Sets up PostgreSQL database ``motcua_bench_statistics`` on 127.0.0.1 (or
``BENCH_STATISTICS_DATABASE_URL``), migrates it and seeds ``--facts`` facts
directly (``bench/statistics_seed.py``: set-based, five years, 1 province,
~30 agencies, ~40 units, ~1,500 procedures, ~100 communes). Then, in this
process through Django:

- the set-based rebuild of every rollup from the facts (``rebuild.rollups_rebuild_sql``)
  and the open counts at every month end (``open_counts``), timed;
- ``figures()`` and ``series()`` (p50 / p95 over ``--runs`` runs, random
  subjects and periods): province year, province year by agency, an agency's
  quarter by procedure, a unit's month by procedure, arbitrary dates
  (17 Feb - 3 Sep), a year's months; beside each the naive GROUP BY over the
  facts that gives the same numbers (``--naive-runs`` runs, it is slow);
- the refresh: 1,000 dossiers made, then changed, each time re-synced
  (dossiers per second).

Prints the machine (with its load average: the machine may be shared) and
writes everything to ``bench/results/statistics-<time>.json``. Never part of
the test suite.

    .venv/bin/python bench/statistics.py                   # 10,000,000 facts
    .venv/bin/python bench/statistics.py --facts 1000000 --runs 50
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv/bin/python")
DATABASE = "motcua_bench_statistics"


def manage(*args: str) -> str:
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def timed(fn: Callable[[], Any], runs: int) -> dict[str, float]:
    """Run ``fn`` ``runs`` times (after one warm-up); return p50 / p95 / max in ms."""
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return {
        "runs": runs,
        "p50_ms": round(times[len(times) // 2], 2),
        "p95_ms": round(times[max(0, int(0.95 * len(times)) - 1)], 2),
        "max_ms": round(times[-1], 2),
    }


def naive(where: Any, period: Any, by: str | None = None, keys: Any = ()) -> list[dict[str, Any]]:
    """The same figures straight from the facts: one GROUP BY, every measure a CASE."""
    from django.db.models import BigIntegerField, Case, F, Q, Sum, Value, When

    from motcua.statistics.measures import MEASURES
    from motcua.statistics.models import Fact
    from motcua.statistics.rebuild import WEIGHT_COLUMNS
    from motcua.statistics.selectors import SCOPE_FIELDS

    def within(on: str) -> Q:
        return Q(**{f"{on}__gte": period.start, f"{on}__lte": period.end})

    columns = SCOPE_FIELDS[where.scope]
    q = Q(**{f"{columns[0]}__in": where.keys})
    if len(columns) > 1:
        q &= Q(**{columns[1]: where.key2})
    dates = Q()
    for on in dict.fromkeys(m.on for m in MEASURES):
        dates |= within(on)
    sums = {
        f"m_{m.name}": Sum(
            Case(
                When(
                    within(m.on) & m.q if m.q else within(m.on),
                    then=F(WEIGHT_COLUMNS[m.name]) if m.weight else Value(1),
                ),
                default=Value(0),
                output_field=BigIntegerField(),
            )
        )
        for m in MEASURES
    }
    qs = Fact.objects.filter(q & dates)
    if by:
        group = SCOPE_FIELDS[by][-1]
        return list(qs.values(group).annotate(**sums).order_by())
    return [qs.aggregate(**sums)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--facts", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=200, help="timed runs of each rollup read")
    parser.add_argument("--naive-runs", type=int, default=10, help="timed runs of each naive one")
    parser.add_argument("--no-rebuild", action="store_true", help="keep the rollups there")
    args = parser.parse_args()

    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdef",  # noqa: S106 - local bench
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings",
        VAR_DIR=str(ROOT / "var" / "bench"),
        DATABASE_URL=os.environ.get(
            "BENCH_STATISTICS_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
        ),
    )
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[-1]
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)

    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from bench import statistics_seed, workflow_cases
    from bench.run import machine

    about = machine()
    about["postgresql_server"] = workflow_cases.server_version()
    about["load_average_before"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("== machine:", json.dumps(about, ensure_ascii=False))
    print("== preparing database", os.environ["DATABASE_URL"].split("@")[-1])
    manage("migrate", "--noinput", "-v", "0")
    print(f"== seeding to {args.facts:,} facts")
    seeded = statistics_seed.seed(args.facts)
    ref = seeded.pop("reference")
    print(f"   seeded in {seeded['seconds']:.0f} s (added {seeded['added']:,})")
    shape = statistics_seed.shape()
    print("== data:", json.dumps(shape, ensure_ascii=False))
    record: dict[str, Any] = {
        "at": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "machine": about,
        "args": vars(args),
        "seeding": seeded,
        "data": shape,
        "settings": workflow_cases.server_settings(),
        "results": {},
    }
    results = record["results"]

    from motcua.statistics.models import OpenCount, Rollup
    from motcua.statistics.open_counts import open_counts_take_many, period_ends
    from motcua.statistics.rebuild import rollups_rebuild_sql

    if not args.no_rebuild or not Rollup.objects.exists():
        workers = settings.STATISTICS_REBUILD_WORKERS
        print(f"== rebuilding the rollups from the facts (set-based, {workers} connections)")
        t = time.monotonic()
        with transaction.atomic():
            rows = rollups_rebuild_sql(workers=workers)
        results["rebuild_rollups"] = {
            "seconds": round(time.monotonic() - t, 1),
            "rows": rows,
            "workers": workers,
        }
        print(f"   {rows:,} rollup rows in {results['rebuild_rollups']['seconds']} s")
        t = time.monotonic()
        first = datetime.fromisoformat(shape["first"]).date()
        from django.utils import timezone

        with transaction.atomic():
            OpenCount.objects.all().delete()
            written = open_counts_take_many(days=period_ends(first, timezone.localdate()))
        results["open_counts_month_ends"] = {
            "seconds": round(time.monotonic() - t, 1),
            "rows": written,
        }
        print(
            f"   open counts at every month end: {written:,} rows in "
            f"{results['open_counts_month_ends']['seconds']} s"
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Rollup._meta.db_table}")
    results["reads"] = reads(ref, args.runs, args.naive_runs)
    results["refresh"] = refresh_throughput()
    record["load_average_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("== load average after:", record["load_average_after"])
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    path = out_dir / f"statistics-{record['at']}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str))
    print(f"== written {path.relative_to(ROOT)}")


def reads(ref: dict[str, list[int]], runs: int, naive_runs: int) -> dict[str, Any]:
    """Time each dashboard read from the rollups, and the naive GROUP BY beside it."""
    import datetime as dt

    from motcua.statistics import periods
    from motcua.statistics.models import Scope
    from motcua.statistics.selectors import Where, figures, series

    rng = random.Random(13)
    province = ref["province"][0]
    agencies, units = ref["agencies"], ref["units"]
    by_agency: dict[int, list[int]] = {}
    for p, a in zip(ref["procedures"], ref["procedure_agencies"], strict=True):
        by_agency.setdefault(a, []).append(p)
    years = [2022, 2023, 2024, 2025, 2026]

    def province_year() -> tuple[Any, ...]:
        return (Where(Scope.PROVINCE, (province,)), periods.year(rng.choice(years)), None, ())

    def province_year_by_agency() -> tuple[Any, ...]:
        where, period, _by, _keys = province_year()
        return where, period, Scope.AGENCY, tuple(agencies)

    def agency_quarter_by_procedure() -> tuple[Any, ...]:
        agency = rng.choice(agencies)
        period = periods.quarter(rng.choice(years[:-1]), rng.randrange(1, 5))
        return Where(Scope.AGENCY, (agency,)), period, Scope.PROCEDURE, tuple(by_agency[agency])

    def unit_month_by_procedure() -> tuple[Any, ...]:
        unit = rng.choice(units)
        period = periods.month(rng.choice(years[:-1]), rng.randrange(1, 13))
        return Where(Scope.UNIT, (unit,)), period, Scope.UNIT_PROCEDURE, (unit,)

    def arbitrary_dates() -> tuple[Any, ...]:
        y = rng.choice(years[:-1])
        where = rng.choice(
            [Where(Scope.PROVINCE, (province,)), Where(Scope.AGENCY, (rng.choice(agencies),))]
        )
        return where, periods.Period(dt.date(y, 2, 17), dt.date(y, 9, 3)), None, ()

    cases: dict[str, Callable[[], tuple[Any, ...]]] = {
        "province year": province_year,
        "province year by agency (30 groups)": province_year_by_agency,
        "agency quarter by procedure (~50 groups)": agency_quarter_by_procedure,
        "unit month by procedure": unit_month_by_procedure,
        "arbitrary dates (17 Feb - 3 Sep)": arbitrary_dates,
    }
    out: dict[str, Any] = {}
    for name, make in cases.items():

        def rollup_read(make: Callable[[], tuple[Any, ...]] = make) -> None:
            where, period, by, keys = make()
            figures(where=where, period=period, by=by, keys=keys)

        def naive_read(make: Callable[[], tuple[Any, ...]] = make) -> None:
            where, period, by, keys = make()
            naive(where, period, by, keys)

        out[name] = {"rollups": timed(rollup_read, runs), "naive": timed(naive_read, naive_runs)}
        print(f"   {name}: rollups {out[name]['rollups']}  naive {out[name]['naive']}")

    def series_read() -> None:
        where, period, _by, _keys = province_year()
        series(where=where, period=period)

    def series_naive() -> None:
        where, period, _by, _keys = province_year()
        for month in period.months():
            following = (month + dt.timedelta(days=32)).replace(day=1)
            naive(where, periods.Period(month, following - dt.timedelta(days=1)))

    name = "series: a year's months, province"
    out[name] = {"rollups": timed(series_read, runs), "naive": timed(series_naive, naive_runs)}
    print(f"   {name}: rollups {out[name]['rollups']}  naive {out[name]['naive']}")
    return out


def refresh_throughput() -> dict[str, Any]:
    """Make 1,000 dossiers, refresh; change them all, refresh again; dossiers per second."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from motcua.dossiers.models import Dossier, DossierEvent, DossierState, EventKind, Status
    from motcua.statistics.services import statistics_refresh
    from motcua.testing import DossierFactory, OneStopUnitFactory, ProcedureFactory

    with transaction.atomic():
        procedures = [ProcedureFactory() for _ in range(5)]
        unit = OneStopUnitFactory()
        now = timezone.now()
        made = []
        for i in range(1000):
            at = now - dt.timedelta(days=i % 60)
            made.append(
                DossierFactory(
                    procedure=procedures[i % 5],
                    receiving_unit=unit,
                    received_at=at,
                    submitted_at=at,
                )
            )
        DossierEvent.objects.bulk_create(
            [DossierEvent(dossier=d, kind=EventKind.SUBMITTED, at=now, to_status=1) for d in made]
        )
    statistics_refresh()  # the watermark, from here on
    out: dict[str, Any] = {}
    from motcua.statistics.open_counts import open_counts_take

    t = time.perf_counter()
    with transaction.atomic():
        rows = open_counts_take(day=timezone.localdate())
    out["open_counts_today"] = {"rows": rows, "seconds": round(time.perf_counter() - t, 2)}
    print(f"   today's open counts (each refresh): {out['open_counts_today']}")
    for label, change in (("state moved", False), ("finished", True)):
        with transaction.atomic():
            now = timezone.now()
            if change:
                Dossier.objects.filter(pk__in=[d.pk for d in made]).update(
                    state=DossierState.PROCESSED,
                    status=Status.PROCESSED,
                    finished_at=now,
                    outcome="on_time",
                )
            else:
                Dossier.objects.filter(pk__in=[d.pk for d in made]).update(
                    state=DossierState.IN_PROCESS, status=Status.IN_PROCESS
                )
            DossierEvent.objects.bulk_create(
                [
                    DossierEvent(dossier=d, kind=EventKind.STATUS_CHANGED, at=now, to_status=4)
                    for d in made
                ]
            )
        t = time.perf_counter()
        report = statistics_refresh()
        seconds = time.perf_counter() - t
        out[label] = {
            "dossiers": report.dossiers,
            "changed": report.changed,
            "rollup_rows": report.rows,
            "seconds": round(seconds, 2),
            "dossiers_per_second": round(report.dossiers / seconds),
        }
        print(f"   refresh, 1,000 {label} dossiers: {out[label]}")
    return out


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
