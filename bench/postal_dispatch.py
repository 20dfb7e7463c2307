#!/usr/bin/env python
"""Measure a dispatch batch of results by post: prepared, handed over and its record printed.

Sets up PostgreSQL database ``motcua_bench_postal`` on 127.0.0.1 (or
``BENCH_POSTAL_DATABASE_URL``; ``--sqlite`` for a file under var/), migrates
it, and seeds once a one-stop unit with ``--dossiers`` processed results to
deliver by post (a busy unit's week: 2,000), a post office serving it, its
postal worker and the delivery charge. Then, timed, the real code of
``motcua.postal``: ``outbound.dispatch_prepare`` (the delivery orders, their
cash on delivery and charge, the audit entries), ``outbound.dispatch_hand_over``
(the hand-over record to the post, one line per order) and
``outbound.dispatch_sign`` (signed on paper by the worker, the orders handed
over, the record printed once as a PDF and kept), each with its number of
SQL statements. Each run undoes the previous one's orders first, so it can
be repeated. Prints the machine and the figures. Never part of the test suite.

    .venv/bin/python bench/postal_dispatch.py
    .venv/bin/python bench/postal_dispatch.py --dossiers 500 --runs 3
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv/bin/python")
DATABASE = "motcua_bench_postal"
UNIT_CODE = "000.00.99.H15"


def _database(args: argparse.Namespace) -> str:
    if args.sqlite:
        (ROOT / "var").mkdir(exist_ok=True)
        return f"sqlite:///{ROOT / 'var' / 'bench_postal.sqlite3'}"
    url = os.environ.get(
        "BENCH_POSTAL_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    )
    subprocess.run(
        ["psql", url.rsplit("/", 1)[0] + "/postgres", "-qc", f"CREATE DATABASE {DATABASE}"],
        capture_output=True,
        check=False,
    )
    return url


def _seed(n: int) -> dict[str, Any]:
    """Create (once) the unit, its officer, the post and ``n`` processed results by post."""
    import datetime as dt

    from django.utils import timezone

    from motcua.dossiers.models import STATE_STATUS, Delivery, Dossier, DossierResult, DossierState
    from motcua.organisation.models import Agency
    from motcua.postal.models import PostalWorker, Service, Tariff
    from motcua.staff.models import Role
    from motcua.testing import (
        AgencyFactory,
        DossierFactory,
        OneStopUnitFactory,
        PostalUnitFactory,
        PostalWorkerFactory,
        ProcedureFactory,
        StaffRoleFactory,
        UserFactory,
    )

    unit = Agency.objects.filter(code=UNIT_CODE).first()
    if unit is None:
        unit = OneStopUnitFactory(code=UNIT_CODE, name="Trung tâm Phục vụ hành chính công (bench)")
        officer = UserFactory(username="bench-postal-officer")
        StaffRoleFactory(user=officer, role=Role.RECEIVING_OFFICER, agency=unit)
        post = PostalUnitFactory(serves=[unit], code="BC-BENCH", name="Bưu cục (bench)")
        PostalWorkerFactory(unit=post, user=UserFactory(username="bench-postal-worker"))
        Tariff.objects.get_or_create(
            service=Service.DELIVERY,
            zone=Tariff.Zone.PROVINCE,
            valid_from=dt.date(2020, 1, 1),
            defaults={"amount": 25_000},
        )
    worker = PostalWorker.objects.get(user__username="bench-postal-worker")
    have = Dossier.objects.filter(receiving_unit=unit).count()
    if have < n:
        procedure = ProcedureFactory(agency=AgencyFactory())
        officer_id = worker.user_id
        now = timezone.now()
        made: list[Dossier] = []
        for start in range(have, n, 500):
            batch = [
                DossierFactory.build(
                    code=f"{UNIT_CODE}-260105-{i:05d}",
                    procedure=procedure,
                    procedure_version=procedure.current_version,
                    receiving_unit=unit,
                    competent_agency=procedure.agency,
                    delivery=Delivery.POST,
                    delivery_address="Số 12 Lê Duẩn, phường Hải Châu, thành phố Đà Nẵng",
                    state=DossierState.PROCESSED,
                    status=STATE_STATUS[DossierState.PROCESSED],
                    due_at=now - dt.timedelta(hours=1),
                )
                for i in range(start, min(start + 500, n))
            ]
            made += Dossier.objects.bulk_create(batch)
        DossierResult.objects.bulk_create(
            [
                DossierResult(
                    dossier=d,
                    number=1,
                    code=f"{d.code}-KQ1",
                    name="Kết quả",
                    file="results/bench.pdf",
                    original_name="bench.pdf",
                    content_type="application/pdf",
                    size=1,
                    sha256="0" * 64,
                    recorded_by_id=officer_id,
                    recorded_at=now,
                )
                for d in made
            ],
            batch_size=500,
        )
    return {"unit": unit, "worker": worker}


def _undo(unit: Any) -> None:
    """Remove the previous run's orders and records (bench data only)."""
    from motcua.postal.models import Handover, Order

    Handover.objects.filter(unit=unit).delete()
    Order.objects.filter(unit=unit).delete()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    url = _database(args)
    env = {
        **os.environ,
        "DEBUG": "true",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(ROOT / "var" / "bench-media"),
    }
    os.environ.update(env)
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from pypdf import PdfReader

    from bench.run import machine
    from motcua.dossiers.models import Dossier
    from motcua.postal import outbound

    seeded = _seed(args.dossiers)
    unit, worker = seeded["unit"], seeded["worker"]
    codes = list(
        Dossier.objects.filter(receiving_unit=unit).order_by("pk").values_list("code", flat=True)
    )[: args.dossiers]
    figures: dict[str, list[float]] = {
        "prepare": [],
        "hand_over": [],
        "sign_print": [],
        "total": [],
    }
    cpu: dict[str, list[float]] = {name: [] for name in figures}
    statements: dict[str, int] = {}
    pages = 0
    for _run in range(args.runs):
        _undo(unit)
        officer = get_user_model().objects.get(username="bench-postal-officer")
        now = timezone.now()
        start, c0 = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as q1:
            prepared = outbound.dispatch_prepare(
                unit=unit, dossiers=codes, officer=officer, now=now
            )
        t1, c1 = time.perf_counter(), time.process_time()
        assert len(prepared.orders) == len(codes), prepared.refused
        with CaptureQueriesContext(connection) as q2:
            handover = outbound.dispatch_hand_over(
                unit=unit, orders=prepared.orders, worker=worker, officer=officer, now=now
            )
        t2, c2 = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as q3:
            signed = outbound.dispatch_sign(
                handover=handover,
                officer=officer,
                now=now,
                worker_on_paper=True,
                worker_name="Lê Bưu Tá",
            )
        t3, c3 = time.perf_counter(), time.process_time()
        for name, value in zip(cpu, (c1 - c0, c2 - c1, c3 - c2, c3 - c0), strict=True):
            cpu[name].append(value)
        figures["prepare"].append(t1 - start)
        figures["hand_over"].append(t2 - t1)
        figures["sign_print"].append(t3 - t2)
        figures["total"].append(t3 - start)
        statements = {"prepare": len(q1), "hand_over": len(q2), "sign_print": len(q3)}
        with signed.pdf.open("rb") as stored:
            pages = len(PdfReader(io.BytesIO(stored.read())).pages)
    print("machine:", machine(), "load average:", os.getloadavg())
    print(f"database: {connection.vendor}; results in the batch: {len(codes)}; runs: {args.runs}")
    for name, values in figures.items():
        print(
            f"{name:>11}: median {statistics.median(values):6.2f} s, "
            f"worst {max(values):6.2f} s, "
            f"this process's CPU {statistics.median(cpu[name]):6.2f} s"
            + (f", {statements[name]} SQL statements" if name in statements else "")
        )
    print(f"record printed: {signed.number}, {signed.packages} packages, PDF {pages} pages")


if __name__ == "__main__":
    main()
