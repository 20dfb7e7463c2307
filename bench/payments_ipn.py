#!/usr/bin/env python
"""Gateway notifications (IPN) per second in this process: first confirmations and replays.

Creates a throw-away test database (``DATABASE_URL``, PostgreSQL by default),
N dossiers waiting for payment and one pending payment each, then posts each
payment's signed notification through Django's test client: once (the
payment settles, its dossier moves on, a receipt is numbered) and again (a
replay, answered "already confirmed"). The signature is the payments tests'
small gateway (HMAC-SHA256), not a real adapter's. Prints the rates.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_payments \\
        .venv/bin/python bench/payments_ipn.py [N]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

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
        PAYMENTS_GATEWAYS="fake",
    )
    os.environ.setdefault(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench_payments"
    )
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from motcua.dossiers.models import DossierFee
    from motcua.payments.models import Payment
    from motcua.payments.services import payment_start
    from motcua.payments.tests.gateway import signed
    from motcua.testing import DossierFactory, ProcedureFactory, cast_create
    from motcua.workflow import services

    settings.PAYMENTS_GATEWAY_CLASSES = {"fake": "motcua.payments.tests.gateway.FakeGateway"}
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        cast = cast_create()
        procedure = ProcedureFactory(agency=cast.agency)
        references = []
        for _n in range(count):
            dossier = DossierFactory(procedure=procedure, receiving_unit=cast.unit)
            DossierFee.objects.create(
                dossier=dossier,
                code="LP",
                kind="charge",
                name="Lệ phí",
                basis="fixed",
                due="before",
                amount=8000,
                rule_text="8.000 đồng",
                computed_at=timezone.now(),
            )
            services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
            started = payment_start(
                payer_id_number=dossier.applicant_id_number,
                payer_name=dossier.applicant_name,
                dossier_codes=[dossier.code],
                gateway_code="fake",
                client_ip="127.0.0.1",
                return_url="http://testserver/r",
                ipn_url="http://testserver/i",
            )
            references.append(started.payment.reference)
        client = Client()
        bodies = [signed(reference, 8000) for reference in references]
        if os.environ.get("PROFILE"):
            import cProfile
            import pstats

            for body in bodies:
                client.post("/thanh-toan/ipn/fake/", body)
            profile = cProfile.Profile()
            profile.enable()
            for body in bodies:
                client.post("/thanh-toan/ipn/fake/", body)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
            return
        for label, expected in (("first confirmations", "00"), ("replays", "02")):
            start = time.perf_counter()
            for body in bodies:
                answer = client.post("/thanh-toan/ipn/fake/", body).json()["RspCode"]
                assert answer == expected, answer
            took = time.perf_counter() - start
            print(f"{label}: {count} in {took:.2f} s = {count / took:.0f}/s")
        assert Payment.objects.filter(state="paid").count() == count
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


if __name__ == "__main__":
    main()
