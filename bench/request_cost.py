#!/usr/bin/env python
"""The cost of one staff API request in this process: a dossier read and an inbox page.

Runs Django's test client against the workflow benchmark's database (after
``bench/staff.py`` prepared its tokens and dossier lists in
``var/bench/staff/``), so the figures are the application's own time per
request (wall and CPU of this process) without gunicorn and wrk, which a
shared machine makes noisy. Prints the median of five rounds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/motcua_bench_workflow \\
        .venv/bin/python bench/request_cost.py
"""

from __future__ import annotations

import os
import statistics
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
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="config.settings",
        VAR_DIR=str(ROOT / "var" / "bench"),
    )
    os.environ.setdefault(
        "DATABASE_URL", "postgres://postgres@127.0.0.1:5432/motcua_bench_workflow"
    )
    import django

    django.setup()
    from django.test import Client

    from bench.run import machine

    print("== machine:", machine(), "load", os.getloadavg())
    out = ROOT / "var" / "bench" / "staff"
    token = (out / "officer.token").read_text().strip()
    codes = (out / "officer.dossiers").read_text().split()[:200]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")

    def run(paths: list[str], label: str) -> None:
        for path in paths[:20]:  # warm: connections, caches, the calendar
            assert client.get(path).status_code == 200, path
        walls, cpus = [], []
        for _ in range(5):
            wall, cpu = time.perf_counter(), time.process_time()
            for path in paths:
                assert client.get(path).status_code == 200, path
            walls.append((time.perf_counter() - wall) / len(paths) * 1000)
            cpus.append((time.process_time() - cpu) / len(paths) * 1000)
        print(
            f"{label:14s} wall {statistics.median(walls):6.2f} ms  "
            f"cpu {statistics.median(cpus):6.2f} ms per request"
        )

    run([f"/api/v1/staff/dossiers/{code}" for code in codes], "dossier read")
    run(["/api/v1/staff/dossiers?box=all"] * 100, "inbox all")


if __name__ == "__main__":
    main()
