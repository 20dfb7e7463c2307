#!/usr/bin/env python
"""The post's tracking events ingested per second (``postal.tracking.events_ingest``).

Creates a throw-away test database (``DATABASE_URL``, PostgreSQL by default),
``--orders`` postal orders (half collections, half deliveries without a
dossier), and five events for each (collections: registered, collecting,
collected, handed over, then a repeat; deliveries: collected, in transit,
failed, returned, then a repeat), shuffled, then ingests them in pages of
``--page`` as the pull does (each page one transaction: the orders locked,
the new events inserted in bulk, the orders moved and audited). Then it
ingests everything again (all repeats: nothing written) and, with
``--delivered``, that many "delivered" events whose processed dossier is
returned (status 10) in the same transaction. Prints the machine, the load
average and the rates. Never part of the test suite.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_postal \\
        .venv/bin/python bench/postal_events.py [--orders 2000] [--page 100] [--delivered 50]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--delivered", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdef",  # noqa: S106 - local bench
        SECURE_SSL_REDIRECT="false",
        VAR_DIR=str(ROOT / "var" / "bench"),
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench_postal")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from bench.run import machine
    from motcua.postal.carriers.base import CarrierEvent
    from motcua.postal.carriers.vnpost import CODE_OF_STATE
    from motcua.postal.models import Order, OrderState, Service
    from motcua.postal.tests.carrier_support import processed_dossier
    from motcua.postal.tracking import events_ingest
    from motcua.testing import OneStopUnitFactory, ProcedureFactory, cast_create

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        for key, value in machine().items():
            print(f"{key}: {value}")
        print(f"database: {connection.vendor} {name}")
        unit = OneStopUnitFactory()
        procedure = ProcedureFactory(accepts_post=True, returns_by_post=True)
        now = timezone.now()
        orders = Order.objects.bulk_create(
            [
                Order(
                    service=Service.COLLECTION if n % 2 else Service.DELIVERY,
                    state=OrderState.REGISTERED,
                    number=f"BENCH{n:08d}",
                    unit=unit,
                    procedure=procedure,
                    person_name="Nguyễn Văn An",
                    phone="0912345678",
                    address="Số 1",
                    created_at=now,
                    changed_at=now,
                )
                for n in range(args.orders)
            ]
        )
        paths = {
            Service.COLLECTION: [
                OrderState.REGISTERED,
                OrderState.COLLECTING,
                OrderState.COLLECTED,
                OrderState.HANDED_OVER,
            ],
            Service.DELIVERY: [
                OrderState.COLLECTED,
                OrderState.IN_TRANSIT,
                OrderState.FAILED,
                OrderState.RETURNED,
            ],
        }
        ids = iter(range(1, 10**9))
        events: list[CarrierEvent] = []
        for order in orders:
            mine = [
                CarrierEvent(
                    external_id=f"{next(ids):024x}",
                    order_number=order.number,
                    code=str(CODE_OF_STATE[state]),
                    state=state,
                    happened_at=now + timedelta(minutes=i),
                    message="bench",
                    notes="Vắng nhà" if state == OrderState.FAILED else "",
                )
                for i, state in enumerate(paths[Service(order.service)])
            ]
            events += [*mine, random.choice(mine)]
        random.shuffle(events)
        pages = [events[i : i + args.page] for i in range(0, len(events), args.page)]
        load = os.getloadavg()
        started = time.perf_counter()
        for page in pages:
            events_ingest(carrier="vnpost", events=page)
        first = time.perf_counter() - started
        started = time.perf_counter()
        for page in pages:
            events_ingest(carrier="vnpost", events=page)
        again = time.perf_counter() - started
        print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
        print(
            f"first ingestion: {len(events)} events ({args.orders} orders, pages of "
            f"{args.page}) in {first:.2f} s = {len(events) / first:.0f} events/s"
        )
        rate = len(events) / again
        print(f"all repeated:    {len(events)} events in {again:.2f} s = {rate:.0f} events/s")
        states = set(Order.objects.values_list("state", flat=True))
        print(f"orders end in: {sorted(states)}")
        if args.delivered:
            cast = cast_create()
            deliveries = []
            for n in range(args.delivered):
                dossier = processed_dossier(cast)
                deliveries.append(
                    Order.objects.create(
                        service=Service.DELIVERY,
                        state=OrderState.IN_TRANSIT,
                        number=f"BENCHD{n:07d}",
                        unit=dossier.receiving_unit,
                        procedure=dossier.procedure,
                        dossier=dossier,
                        person_name="Nguyễn Văn An",
                        phone="0912345678",
                        address="Số 1",
                        created_at=now,
                        changed_at=now,
                    )
                )
            delivered = [
                CarrierEvent(
                    external_id=f"{next(ids):024x}",
                    order_number=o.number,
                    code="6",
                    state=OrderState.DELIVERED,
                    happened_at=now + timedelta(hours=1),
                    notes="Nguyễn Văn An",
                )
                for o in deliveries
            ]
            started = time.perf_counter()
            for i in range(0, len(delivered), args.page):
                events_ingest(carrier="vnpost", events=delivered[i : i + args.page])
            took = time.perf_counter() - started
            returned = Order.objects.filter(state=OrderState.DELIVERED).count()
            print(
                f"delivered (dossier returned, status 10): {len(delivered)} in {took:.2f} s = "
                f"{len(delivered) / took:.0f} events/s ({returned} delivered)"
            )
        load = os.getloadavg()
        print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
