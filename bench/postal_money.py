#!/usr/bin/env python
"""The one-stop unit's postal dashboard and money statement on a busy unit's year of orders.

Creates a throw-away test database (``DATABASE_URL``, PostgreSQL by default),
one one-stop unit served by three postal units, N orders (collections and
deliveries spread over a year, in every state, with fees and charges),
a signed hand-over record a day per postal unit and a remittance a week,
then times (median of five) and counts the queries of the dashboard, the
statement of a month, of the year, and the page of one postal unit's month,
read by the unit's receiving officer.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_postal \\
        .venv/bin/python bench/postal_money.py [N]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdef",  # noqa: S106 - local bench
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="testserver,127.0.0.1",
        VAR_DIR=str(ROOT / "var" / "bench"),
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench_postal")
    import datetime as dt

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.utils import timezone

    from motcua.postal.models import (
        Direction,
        Handover,
        Order,
        OrderState,
        PostalUnit,
        Remittance,
        Service,
    )
    from motcua.postal.money import money_statement
    from motcua.postal.selectors import postal_dashboard
    from motcua.staff.models import Role
    from motcua.testing import (
        OneStopUnitFactory,
        PostalUnitFactory,
        ProcedureFactory,
        StaffRoleFactory,
        UserFactory,
    )

    # The pages' static paths without a collectstatic run (minutes): not what is measured.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        unit = OneStopUnitFactory()
        posts: list[PostalUnit] = [PostalUnitFactory(serves=[unit]) for _ in range(3)]
        officer = UserFactory(username="binh")
        StaffRoleFactory(user=officer, role=Role.RECEIVING_OFFICER, agency=unit)
        procedure = ProcedureFactory()
        end = timezone.localdate()
        start = end - dt.timedelta(days=364)
        states = {
            Service.COLLECTION: [
                OrderState.REQUESTED,
                OrderState.REGISTERED,
                OrderState.COLLECTED,
                OrderState.HANDED_OVER,
                OrderState.RECEIVED,
                OrderState.RECEIVED,
                OrderState.RECEIVED,
                OrderState.REFUSED,
            ],
            Service.DELIVERY: [
                OrderState.REGISTERED,
                OrderState.IN_TRANSIT,
                OrderState.DELIVERED,
                OrderState.DELIVERED,
                OrderState.DELIVERED,
                OrderState.FAILED,
                OrderState.RETURNED,
            ],
        }
        began = time.perf_counter()
        rows = []
        for i in range(count):
            service = Service.COLLECTION if i % 3 == 0 else Service.DELIVERY
            state = states[service][i % len(states[service])]
            day = start + dt.timedelta(days=i % 365)
            moment = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + i % 8)))
            done = state in (
                OrderState.COLLECTED,
                OrderState.HANDED_OVER,
                OrderState.RECEIVED,
                OrderState.DELIVERED,
            )
            rows.append(
                Order(
                    service=service,
                    state=state,
                    number=f"B{i:09d}",
                    unit=unit,
                    procedure=procedure,
                    postal_unit=posts[i % 3],
                    person_name="Nguyễn Văn An",
                    phone="0912345678",
                    address="Số 1",
                    wanted_on=day,
                    fees_collected=50_000 if done and service == Service.COLLECTION else 0,
                    charge_collected=26_000 if done else 0,
                    collected_at=moment if done and service == Service.COLLECTION else None,
                    delivered_at=moment if state == OrderState.DELIVERED else None,
                    created_at=moment,
                    changed_at=moment,
                )
            )
        Order.objects.bulk_create(rows, batch_size=2000)
        handovers, remittances = [], []
        for d in range(365):
            day = start + dt.timedelta(days=d)
            signed = timezone.make_aware(dt.datetime.combine(day, dt.time(17)))
            for post in posts:
                handovers.append(
                    Handover(
                        direction=Direction.TO_UNIT,
                        number=f"H{post.pk}-{d}",
                        unit=unit,
                        postal_unit=post,
                        worker_name="Bưu tá",
                        officer=officer,
                        created_at=signed,
                        signed_at=signed,
                        fees_total=200_000,
                    )
                )
                if d % 7 == 6:
                    remittances.append(
                        Remittance(
                            postal_unit=post,
                            unit=unit,
                            amount=100_000,
                            paid_on=day,
                            bank_reference=f"FT{post.pk}-{d}",
                            recorded_by=officer,
                            recorded_at=signed,
                        )
                    )
        Handover.objects.bulk_create(handovers)
        Remittance.objects.bulk_create(remittances)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        print(f"{connection.vendor}: {count} orders, loaded in {time.perf_counter() - began:.1f} s")

        client = Client()
        client.force_login(officer)
        month = end.replace(day=1)
        post = posts[0]

        def measure(label: str, call: Callable[[], Any]) -> None:
            first = call()
            status = getattr(first, "status_code", None)
            if status not in (None, 200):
                raise SystemExit(f"{label}: HTTP {status}")
            with CaptureQueriesContext(connection) as queries:
                call()
            n = len(queries.captured_queries)  # before the next request resets the log
            if os.environ.get("BENCH_SHOW_SQL"):
                for q in queries.captured_queries:
                    print(f"    {q['time']}s {q['sql'][:300]}")
            times = []
            for _ in range(5):
                t0 = time.perf_counter()
                call()
                times.append(time.perf_counter() - t0)
            print(f"{label:<44} {n:>3} queries {statistics.median(times) * 1000:>8.1f} ms")

        measure("dashboard (selector)", lambda: postal_dashboard(user=officer, today=end))
        measure(
            "statement of the month (selector)",
            lambda: money_statement(units=[unit.pk], start=month, end=end),
        )
        measure(
            "statement of the year (selector)",
            lambda: money_statement(units=[unit.pk], start=start, end=end),
        )
        measure("GET /can-bo/buu-chinh/", lambda: client.get("/can-bo/buu-chinh/"))
        measure(
            "GET /can-bo/buu-chinh/doi-soat/", lambda: client.get("/can-bo/buu-chinh/doi-soat/")
        )
        measure(
            "GET one postal unit's month (orders listed)",
            lambda: client.get(
                f"/can-bo/buu-chinh/doi-soat/{post.code}/{unit.code}/",
                {"tu": month.isoformat(), "den": end.isoformat()},
            ),
        )
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
