#!/usr/bin/env python
"""Measure how many messages a second two outbox workers send through the simulators.

Sets up PostgreSQL database ``motcua_bench_outbox`` on 127.0.0.1 (or
``BENCH_OUTBOX_DATABASE_URL``), migrates it, serves the eSMS.vn simulator
with gunicorn (``--gunicorn-workers``; on its own, ``motcua.sms_sim.standalone``,
as a real gateway is a server apart), starts ``--workers`` processes of
``manage.py run_outbox`` (the real eSMS.vn adapter over HTTP to the
simulator; e-mail through ``--email-backend``, Django's in-memory one by
default), lets them load, then writes ``--messages`` pending messages at once
(a quarter e-mails, the rest SMS) and times until every one is sent. Checks
that the simulator recorded each SMS once. Prints the machine and the
figures. Never part of the test suite.

    .venv/bin/python bench/outbox.py
    .venv/bin/python bench/outbox.py --messages 10000 --workers 2
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv/bin/python")
DATABASE = "motcua_bench_outbox"

from bench.run import machine  # noqa: E402 - after the path is set


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--gunicorn-workers", type=int, default=3)
    parser.add_argument("--email-backend", default="django.core.mail.backends.locmem.EmailBackend")
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()

    port = free_port()
    url = os.environ.get(
        "BENCH_OUTBOX_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    )
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdef",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "OUTBOX_SMS_SIMULATOR": "true",
        "OUTBOX_ESMS_URL": f"http://127.0.0.1:{port}/sim/esms/",
        "OUTBOX_BATCH": str(args.batch),
        "EMAIL_BACKEND": args.email_backend,
    }
    os.environ.update(env)
    subprocess.run(
        ["psql", url.rsplit("/", 1)[0] + "/postgres", "-qc", f"CREATE DATABASE {DATABASE}"],
        capture_output=True,
        check=False,
    )
    subprocess.run([PY, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)

    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from motcua.dossiers.models import Dossier
    from motcua.outbox.models import Message, MessageChannel, MessageKind
    from motcua.sms_sim.models import SimulatedSms, SimulatorControl
    from motcua.testing import DossierFactory

    Message.objects.all().delete()
    SimulatedSms.objects.all().delete()
    SimulatorControl.objects.update_or_create(pk=1, defaults={"fail_next": 0, "delay_ms": 0})
    dossier = Dossier.objects.first() or DossierFactory()

    processes: list[subprocess.Popen[bytes]] = []
    try:
        processes.append(
            subprocess.Popen(
                [
                    str(ROOT / ".venv/bin/gunicorn"),
                    "config.wsgi",
                    "-w",
                    str(args.gunicorn_workers),
                    "-b",
                    f"127.0.0.1:{port}",
                    "--worker-class",
                    "gthread",
                    "--threads",
                    "4",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env={**env, "DJANGO_SETTINGS_MODULE": "motcua.sms_sim.standalone"},
                start_new_session=True,
            )
        )
        for _ in range(args.workers):
            processes.append(
                subprocess.Popen(
                    [PY, "manage.py", "run_outbox", "--every", "0.1"],
                    cwd=ROOT,
                    env=env,
                    start_new_session=True,
                )
            )
        time.sleep(8)  # let gunicorn and the workers load Django

        now = timezone.now()
        emails = args.messages // 4
        Message.objects.bulk_create(
            (
                Message(
                    dossier=dossier,
                    kind=MessageKind.ACCEPTED,
                    channel=MessageChannel.EMAIL if n < emails else MessageChannel.SMS,
                    recipient="an@example.vn" if n < emails else "0912345678",
                    subject="Ho so da duoc tiep nhan",
                    body=f"Ho so {n} da duoc tiep nhan. Hen tra ket qua: 17:00 10/12/2026.",
                    created_at=now,
                    next_attempt_at=now,
                )
                for n in range(args.messages)
            ),
            batch_size=1000,
        )
        start = time.monotonic()
        deadline = start + 600
        while time.monotonic() < deadline:
            left = Message.objects.exclude(status="sent").count()
            if not left:
                break
            time.sleep(0.05)
        elapsed = time.monotonic() - start
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    statuses = dict(Message.objects.values_list("status").annotate(n=django.db.models.Count("id")))
    sms = Message.objects.filter(channel="sms").count()
    recorded = SimulatedSms.objects.count()
    retried = Message.objects.filter(attempts__gt=1).count()
    print("machine:")
    for key, value in machine().items():
        print(f"  {key}: {value}")
    print(
        f"messages: {args.messages} ({args.messages - sms} e-mail via {args.email_backend}, "
        f"{sms} SMS via the eSMS.vn simulator on gunicorn -w {args.gunicorn_workers})"
    )
    print(f"workers: {args.workers} x run_outbox, batch {args.batch}")
    print(f"statuses: {statuses}; tried more than once: {retried}")
    print(f"simulator recorded {recorded} SMS for {sms} SMS messages")
    print(f"elapsed: {elapsed:.2f} s -> {args.messages / elapsed:.0f} messages/s")
    connection.close()


if __name__ == "__main__":
    main()
