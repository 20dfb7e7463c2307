"""The post's simulator is mounted in development and the demo, not in production by default."""

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
    "print(settings.POSTAL_SIMULATOR, mounted('/sim/vnpost/token'),"
    " mounted('/buu-chinh/webhook/vnpost/'), settings.VNPOST_API_URL,"
    " bool(settings.VNPOST_SECRET_KEY), bool(settings.VNPOST_WEBHOOK_SECRET))"
)


def probe(**env: str) -> str:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("POSTAL_", "VNPOST_", "DEBUG"))
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


def test_production_has_no_post_simulator_and_no_demo_secret() -> None:
    assert probe(DEBUG="false", SECRET_KEY="x" * 50) == (
        "False 0 1 https://api.mitc.vn/apiVNPostNGSP/p1.0 False False"
    )


def test_development_mounts_the_post_simulator_and_talks_to_it() -> None:
    assert probe(DEBUG="true", SITE_URL="http://127.0.0.1:8000") == (
        "True 1 1 http://127.0.0.1:8000/sim/vnpost/apiVNPostNGSP/p1.0 True True"
    )
