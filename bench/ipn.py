#!/usr/bin/env python
"""How many IPN verifications + answers a second the VNPAY adapter does in one process.

Builds ``--notifications`` distinct signed IPN requests (as VNPAY sends them:
a GET with the ``vnp_*`` fields and ``vnp_SecureHash``), then times the
adapter's ``read_notification`` (form-encode the sorted fields, HMAC-SHA512,
compare, read the report) and ``answer`` (the ``{RspCode, Message}`` JSON
response) on each, for ``--seconds``; a tenth of them forged (refused with
97). No database, no HTTP: the IPN endpoint's full cost (idempotent update
of the payment) is measured after merging with the payments app. Prints the
machine and the figures. Never part of the test suite.

    .venv/bin/python bench/ipn.py
    .venv/bin/python bench/ipn.py --notifications 20000 --seconds 10
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.http import HttpRequest  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from bench.run import machine  # noqa: E402
from motcua.payments.gateways.base import Answer, BadSignature  # noqa: E402
from motcua.payments.gateways.vnpay import VnpayGateway, hash_data, sign  # noqa: E402


def requests(count: int) -> list[HttpRequest]:
    from django.conf import settings

    factory = RequestFactory()
    made: list[HttpRequest] = []
    for n in range(count):
        fields = {
            "vnp_Amount": str((20_000 + n) * 100),
            "vnp_BankCode": "NCB",
            "vnp_BankTranNo": f"VNP{14_000_000 + n}",
            "vnp_CardType": "ATM",
            "vnp_OrderInfo": f"Le phi ho so H12.34-250101-{n:04d}",
            "vnp_PayDate": "20261206101500",
            "vnp_ResponseCode": "00",
            "vnp_TmnCode": settings.VNPAY_TMN_CODE,
            "vnp_TransactionNo": str(14_000_000 + n),
            "vnp_TransactionStatus": "00",
            "vnp_TxnRef": f"MC{n:010d}",
        }
        fields["vnp_SecureHash"] = sign(settings.VNPAY_HASH_SECRET, hash_data(fields))
        if n % 10 == 9:
            fields["vnp_Amount"] = "100"  # forged
        made.append(factory.get("/thanh-toan/ipn/vnpay/", fields))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    options = parser.parse_args()
    batch = requests(options.notifications)
    gateway = VnpayGateway()
    done = refused = 0
    start = time.perf_counter()
    while time.perf_counter() - start < options.seconds:
        for request in batch:
            try:
                gateway.read_notification(request)
                gateway.answer(Answer.CONFIRMED)
            except BadSignature:
                gateway.answer(Answer.INVALID_SIGNATURE)
                refused += 1
            done += 1
    elapsed = time.perf_counter() - start
    print(json.dumps({"machine": machine()}, indent=2))
    print(
        f"{done} IPN verified + answered in {elapsed:.2f} s: "
        f"{done / elapsed:,.0f}/s in one process ({refused} forged refused), "
        f"{elapsed / done * 1e6:.0f} us each"
    )


if __name__ == "__main__":
    main()
