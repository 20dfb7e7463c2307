"""Seed the statistics' facts directly, set-based: millions of rows from ``generate_series``.

A province, ``COMMUNES`` communes, ``AGENCIES`` agencies, ``UNITS`` one-stop
units and ``PROCEDURES`` procedures are made with the test factories; then
the facts are inserted with ``INSERT ... SELECT ... FROM generate_series``, a
million per statement, with the secondary indexes dropped meanwhile and
rebuilt after. The spread is meant to look like a province's five years:

- received at any time over the last five years (``YEARS``);
- procedures skewed (index = ``PROCEDURES * u**3``: a few procedures take
  most dossiers, as birth registrations and land do), each with its agency
  and received at one to three units; channel counter 55 %, online 40 %,
  post 5 %; online level from the procedure (levels 3 / 4 / none before 2022);
- 92 % finished, after ``40 * u**2`` days: processed 90 %, refused 4 %,
  stopped 3 %, withdrawn 3 %; late when after the due date (3-22 days);
- results returned for 85 % of the processed (counter 60 %, post 15 %,
  online 25 %), fees on half of them (paid online 30 %, at the counter 20 %),
  electronic results 40 %, ratings 15 %, 1-6 components.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from motcua.statistics.models import Fact

YEARS = 5
COMMUNES = 100
AGENCIES = 30
UNITS = 40
PROCEDURES = 1500
CHUNK = 1_000_000


def reference() -> dict[str, list[int]]:
    """Make (once) the province, communes, agencies, units and procedures; return their ids."""
    from motcua.catalog.models import Procedure
    from motcua.dossiers.models import Dossier
    from motcua.organisation.models import Agency
    from motcua.territory.models import AdministrativeUnit
    from motcua.testing import (
        AgencyFactory,
        CommuneFactory,
        DossierFactory,
        OneStopUnitFactory,
        ProcedureFactory,
        ProvinceFactory,
    )

    # The factories' sequences start again in each process: past the rows already there.
    AgencyFactory.reset_sequence(Agency.objects.count() + 1, force=True)
    OneStopUnitFactory.reset_sequence(Agency.objects.count() + 1, force=True)
    CommuneFactory.reset_sequence(AdministrativeUnit.objects.count() + 1, force=True)
    ProcedureFactory.reset_sequence(Procedure.objects.count() + 1, force=True)
    DossierFactory.reset_sequence(Dossier.objects.count() + 1, force=True)
    province = ProvinceFactory(code="98", name="Tỉnh Thử nghiệm")
    communes = list(
        AdministrativeUnit.objects.filter(parent=province)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        while len(communes) < COMMUNES:
            communes.append(CommuneFactory(parent=province).pk)
    agencies = list(
        Agency.objects.filter(name__startswith="Sở Bench")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    units = list(
        Agency.objects.filter(name__startswith="Trung tâm Bench")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    with transaction.atomic():
        while len(agencies) < AGENCIES:
            agencies.append(
                AgencyFactory(name=f"Sở Bench {len(agencies)}", administrative_unit=province).pk
            )
        while len(units) < UNITS:
            unit = OneStopUnitFactory(name=f"Trung tâm Bench {len(units)}")
            unit.administrative_unit_id = (
                province.pk if len(units) < 4 else communes[len(units) % len(communes)]
            )
            unit.save(update_fields=["administrative_unit"])
            units.append(unit.pk)
    procedures = list(
        Procedure.objects.filter(agency_id__in=agencies)
        .order_by("pk")
        .values_list("pk", "agency_id")
    )
    agency_rows = Agency.objects.in_bulk(agencies)
    while len(procedures) < PROCEDURES:
        with transaction.atomic():
            for _ in range(min(100, PROCEDURES - len(procedures))):
                agency = agency_rows[agencies[len(procedures) % AGENCIES]]
                procedures.append((ProcedureFactory(agency=agency).pk, agency.pk))
    return {
        "province": [province.pk],
        "communes": communes,
        "agencies": agencies,
        "units": units,
        "procedures": [p for p, _a in procedures],
        "procedure_agencies": [a for _p, a in procedures],
    }


def _array(values: list[int]) -> str:
    return "ARRAY[" + ",".join(str(int(v)) for v in values) + "]::bigint[]"


def _insert_sql(ref: dict[str, list[int]]) -> str:
    table = Fact._meta.db_table
    procs, owners = _array(ref["procedures"]), _array(ref["procedure_agencies"])
    units, communes = _array(ref["units"]), _array(ref["communes"])
    n = len(ref["procedures"])
    # Our own generated SQL: numbers and ids only; the range and times are parameters.
    return f"""
    INSERT INTO {table} (code, source, revision, province_id, commune_id, receiving_unit_id,
        agency_id, procedure_id, channel, online_level, state, received_at, received_on, due_at,
        finished_at, finished_on, ended, outcome, extended, supplements, processing_seconds,
        returned_on, returned_via, fully_online, fee_bearing, paid_online_on, paid_counter_on,
        e_result_on, components, digitised, reused, rated_on, rating)
    SELECT 'B-' || g, 'import', 0, {ref["province"][0]},
        CASE WHEN u_ix > 4 THEN ({communes})[1 + (g % {len(ref["communes"])})] END,
        ({units})[u_ix], ({owners})[p_ix], ({procs})[p_ix], channel,
        CASE WHEN extract(year FROM recv) < 2022
             THEN (ARRAY['3','4','none'])[1 + p_ix % 3]
             ELSE (ARRAY['full','partial','none'])[1 + p_ix % 3] END,
        CASE WHEN fin IS NULL THEN (ARRAY['in_process','in_process','in_process',
             'supplement_requested','payment_requested'])[1 + g % 5]
             ELSE 'processed' END,
        recv, (recv AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, due,
        fin, fin_on,
        CASE WHEN fin IS NULL THEN '' WHEN r3 < 0.90 THEN 'processed'
             WHEN r3 < 0.94 THEN 'refused' WHEN r3 < 0.97 THEN 'stopped' ELSE 'withdrawn' END,
        CASE WHEN fin IS NULL THEN '' WHEN fin > due THEN 'late'
             WHEN fin < due - interval '1 day' THEN 'early' ELSE 'on_time' END,
        r4 < 0.05, (r4 * 40)::int % 3,
        CASE WHEN fin IS NOT NULL THEN extract(epoch FROM fin - recv)::bigint END,
        CASE WHEN fin IS NOT NULL AND r3 < 0.90 AND r5 < 0.85
             THEN (fin_on + (g % 4)) END,
        CASE WHEN r6 < 0.60 THEN 'counter' WHEN r6 < 0.75 THEN 'post' ELSE 'online' END,
        fin IS NOT NULL AND channel = 2 AND r6 >= 0.60 AND r5 < 0.85,
        r7 < 0.5,
        CASE WHEN r7 < 0.15 THEN (recv AT TIME ZONE 'Asia/Ho_Chi_Minh')::date END,
        CASE WHEN r7 >= 0.15 AND r7 < 0.25 THEN (recv AT TIME ZONE 'Asia/Ho_Chi_Minh')::date END,
        CASE WHEN fin IS NOT NULL AND r8 < 0.40 THEN fin_on END,
        1 + g % 6, (g % 6) / 2, (g % 6) / 4,
        CASE WHEN fin IS NOT NULL AND r8 >= 0.85 THEN fin_on END,
        CASE WHEN fin IS NOT NULL AND r8 >= 0.85 THEN 1 + (g % 5) END
    FROM (
        SELECT *, (fin AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS fin_on FROM (
        SELECT g, u_ix, p_ix, channel, recv, due, r3, r4, r5, r6, r7, r8,
            CASE WHEN r2 < 0.92 AND recv + make_interval(secs => 40 * 86400 * r1 * r1) < %s
                 THEN recv + make_interval(secs => 40 * 86400 * r1 * r1) END AS fin
        FROM (
            SELECT g, p_ix,
                1 + ((p_ix * 7 + (g % 3)) % {len(ref["units"])}) AS u_ix,
                CASE WHEN c < 0.55 THEN 1 WHEN c < 0.95 THEN 2 ELSE 3 END AS channel,
                recv, recv + make_interval(days => 3 + p_ix % 20) AS due,
                r1, r2, r3, r4, r5, r6, r7, r8
            FROM (
                SELECT g, 1 + floor({n} * power(random(), 3))::int AS p_ix, random() AS c,
                    %s::timestamptz - make_interval(secs => random() * %s) AS recv,
                    random() AS r1, random() AS r2, random() AS r3, random() AS r4,
                    random() AS r5, random() AS r6, random() AS r7, random() AS r8
                FROM generate_series(%s, %s) AS g
            ) a
        ) b
    ) c ) e
    """.replace(" % ", " %% ")  # noqa: S608


def _indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE %s",
            [Fact._meta.db_table, "%pkey"],
        )
        return [(name, sql) for name, sql in cursor.fetchall()]


def seed(target: int, *, out: Any = print) -> dict[str, Any]:
    """Fill the facts table up to ``target`` rows; return what was done and how long it took."""
    started = time.monotonic()
    ref = reference()
    out(f"   reference rows made in {time.monotonic() - started:.0f} s")
    have = Fact.objects.count()
    added = 0
    if have < target:
        now = timezone.now()
        span = YEARS * 365.25 * 86400
        # The secondary indexes, rebuilt once at the end; the unique constraints' stay.
        indexes = [(n, sql) for n, sql in _indexes() if "UNIQUE" not in sql]
        with connection.cursor() as cursor:
            for name, _sql in indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
            sql = _insert_sql(ref)
            for low in range(have + 1, target + 1, CHUNK):
                high = min(target, low + CHUNK - 1)
                t = time.monotonic()
                cursor.execute(sql, [now, now, span, low, high])
                added += high - low + 1
                out(f"   facts {high:,} ({time.monotonic() - t:.0f} s)")
            t = time.monotonic()
            for _name, index_sql in indexes:
                cursor.execute(index_sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
            out(f"   indexes rebuilt in {time.monotonic() - t:.0f} s")
            cursor.execute(f"VACUUM ANALYZE {Fact._meta.db_table}")
    return {"seconds": time.monotonic() - started, "added": added, "reference": ref}


def shape() -> dict[str, Any]:
    """Describe the seeded facts."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*), min(received_on), max(received_on), "  # noqa: S608
            f"count(DISTINCT procedure_id), count(DISTINCT receiving_unit_id), "
            f"count(DISTINCT agency_id), count(DISTINCT commune_id), "
            f"count(*) FILTER (WHERE finished_at IS NULL) FROM {Fact._meta.db_table}"
        )
        row = cursor.fetchone()
    assert row is not None
    keys = ("facts", "first", "last", "procedures", "units", "agencies", "communes", "open")
    return {
        k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in zip(keys, row, strict=True)
    }
