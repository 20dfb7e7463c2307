#!/usr/bin/env python
"""Measure a hand-over record of many packages: opening it, and signing it (one PDF render).

Creates a throw-away SQLite database (or uses ``DATABASE_URL``), a one-stop
unit, a postal unit and ``--lines`` orders, then times ``handover_open`` and
``handover_sign`` (which prints the PDF once and keeps it with its SHA-256)
for both directions: ``to_post`` (a dispatch of results: receiver, tracking
number, cash on delivery) and ``to_unit`` (collected dossiers with their
components, recounted). Prints wall-clock and CPU seconds, the pages and the
size of the PDF. Never part of the test suite.

    .venv/bin/python bench/postal_handover.py
    .venv/bin/python bench/postal_handover.py --lines 500 --direction to_unit
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--direction", choices=["to_post", "to_unit", "both"], default="both")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="motcua-handover-")
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
    os.environ["MEDIA_ROOT"] = folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone
    from pypdf import PdfReader

    from bench.run import machine
    from motcua.postal.handover import handover_open, handover_sign
    from motcua.postal.models import HandoverLine, Order, OrderItem, OrderState, Service
    from motcua.testing import (
        OneStopUnitFactory,
        PostalUnitFactory,
        PostalWorkerFactory,
        ProcedureFactory,
        UserFactory,
    )

    settings.MEDIA_ROOT = folder
    call_command("migrate", verbosity=0)
    print(machine())
    unit = OneStopUnitFactory(name="Trung tâm Phục vụ hành chính công thành phố Đà Nẵng")
    postal_unit = PostalUnitFactory(serves=[unit], name="Bưu cục Hải Châu")
    worker = PostalWorkerFactory(unit=postal_unit, user=UserFactory(username="buu-bench"))
    officer = UserFactory(username="binh-bench", last_name="Lê Thị", first_name="Bình")
    procedure = ProcedureFactory(name="Đăng ký khai sinh")
    directions = ["to_post", "to_unit"] if args.direction == "both" else [args.direction]
    for direction in directions:
        now = timezone.now()
        to_unit = direction == "to_unit"
        orders = [
            Order(
                service=Service.COLLECTION if to_unit else Service.DELIVERY,
                state=OrderState.COLLECTED if to_unit else OrderState.REGISTERED,
                number=f"{direction[:4].upper()}{i:08d}",
                unit=unit,
                procedure=procedure,
                postal_unit=postal_unit,
                person_name="Nguyễn Văn An",
                phone="0905123456",
                address="Số 12 Lê Duẩn, phường Hải Châu, thành phố Đà Nẵng",
                fees_amount=8000,
                charge_amount=25000,
                fees_collected=8000,
                charge_collected=25000,
                tracking_number=f"EB{direction[3]}{i:08d}VN",
                seal_number=f"NP{i:06d}",
                created_at=now,
                changed_at=now,
            )
            for i in range(args.lines)
        ]
        Order.objects.bulk_create(orders, batch_size=500)
        rows = list(Order.objects.filter(number__startswith=direction[:4].upper()))
        if to_unit:
            OrderItem.objects.bulk_create(
                (
                    OrderItem(order=o, name=name, originals=1, copies=copies)
                    for o in rows
                    for name, copies in (("Tờ khai đăng ký khai sinh", 0), ("Giấy chứng sinh", 1))
                ),
                batch_size=1000,
            )
        start, cpu = time.perf_counter(), time.process_time()
        handover = handover_open(
            direction=direction,
            unit=unit,
            postal_unit=postal_unit,
            worker=worker,
            officer=officer,
            orders=rows,
            now=now,
        )
        opened, opened_cpu = time.perf_counter() - start, time.process_time() - cpu
        if to_unit:  # the recount is the officer's, package by package: not timed here
            for line in HandoverLine.objects.filter(handover=handover):
                line.counted, line.recounted = line.listed, True
                line.save(update_fields=["counted", "recounted"])
        start, cpu = time.perf_counter(), time.process_time()
        handover = handover_sign(handover=handover, officer=officer, now=now, worker_on_paper=True)
        signed, signed_cpu = time.perf_counter() - start, time.process_time() - cpu
        with handover.pdf.open("rb") as stored:
            pages = len(PdfReader(stored).pages)
        print(
            f"{direction} {args.lines} lines: open {opened:.2f} s ({opened_cpu:.2f} s CPU), "
            f"sign and print {signed:.2f} s ({signed_cpu:.2f} s CPU), "
            f"total {opened + signed:.2f} s; {pages} pages, {handover.pdf.size // 1024} KiB"
        )


if __name__ == "__main__":
    main()
