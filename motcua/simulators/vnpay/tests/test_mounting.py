"""The payment simulators are mounted in development and the demo, not in production by default."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import django; django.setup();"
    "from django.conf import settings; from django.urls import Resolver404, resolve\n"
    "def mounted(p):\n"
    "    try:\n"
    "        resolve(p); return 1\n"
    "    except Resolver404:\n"
    "        return 0\n"
    "print(settings.PAYMENTS_SIMULATOR, mounted('/sim/vnpay/paymentv2/vpcpay.html'),"
    " mounted('/sim/dvcqg/api/transaction/create'), settings.VNPAY_PAY_URL,"
    " bool(settings.VNPAY_HASH_SECRET), bool(settings.DVCQG_PAYMENT_HASH_KEY_1))"
)


def probe(**env: str) -> str:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PAYMENTS_", "VNPAY_", "DVCQG_", "DEBUG"))
    }
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_production_has_no_simulator_and_no_demo_secret() -> None:
    assert probe(DEBUG="false", SECRET_KEY="x" * 50) == (
        "False 0 0 https://pay.vnpay.vn/vpcpay.html False False"
    )


def test_development_mounts_the_simulators_and_talks_to_them() -> None:
    assert probe(DEBUG="true", SITE_URL="http://127.0.0.1:8000") == (
        "True 1 1 http://127.0.0.1:8000/sim/vnpay/paymentv2/vpcpay.html True True"
    )


def test_production_may_ask_for_them() -> None:
    assert probe(DEBUG="false", SECRET_KEY="x" * 50, PAYMENTS_SIMULATOR="true").startswith(
        "True 1 1"
    )
