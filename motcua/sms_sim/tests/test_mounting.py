"""The simulator is mounted in development and the demo, and not in production by default."""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import django; django.setup();"
    "from django.conf import settings; from django.urls import Resolver404, resolve\n"
    "try:\n"
    "    resolve('/sim/esms/MainService.svc/json/SendMultipleMessage_V4_post_json/'); m = 1\n"
    "except Resolver404:\n"
    "    m = 0\n"
    "print(settings.OUTBOX_SMS_SIMULATOR, m, settings.OUTBOX_ESMS_URL,"
    " bool(settings.OUTBOX_ESMS_API_KEY))"
)


def probe(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OUTBOX_", "DEBUG"))}
    out = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_production_has_no_simulator_and_talks_to_the_real_gateway() -> None:
    assert probe(DEBUG="false", SECRET_KEY="x" * 50) == "False 0 https://rest.esms.vn/ False"


def test_development_mounts_the_simulator_and_talks_to_it() -> None:
    assert probe(DEBUG="true", SITE_URL="http://127.0.0.1:8000") == (
        "True 1 http://127.0.0.1:8000/sim/esms/ True"
    )


def test_production_may_ask_for_it() -> None:
    assert probe(DEBUG="false", SECRET_KEY="x" * 50, OUTBOX_SMS_SIMULATOR="true").startswith(
        "True 1"
    )
