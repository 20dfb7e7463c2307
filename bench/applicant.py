#!/usr/bin/env python
"""The applicant's pages: "Hồ sơ của tôi" and the dossier page, for one applicant among many.

Sets up PostgreSQL database ``motcua_bench_applicant`` on 127.0.0.1 (or
``BENCH_APPLICANT_DATABASE_URL``), loads the demo province and
``--dossiers`` synthetic dossiers with the public benchmark's loader
(``bench/seed.py``), spreads them over 40,000 identification numbers (the
loader gives them one), and makes the demo citizen "cong-dan-muc-2" the
holder of ``--mine`` of them (20, counting the demo's dossiers of hers),
each synthetic one given a life on its dossier page: six more timeline
entries, five steps' messages by e-mail and SMS, three components with a
file each. Idempotent: a second run reuses what is there.

Then, signed in as that citizen (a session made by the sign-in service,
as the OpenID Connect callback makes it), it:

- counts the SQL queries of each page (the list, and each of the 20 dossier
  pages: the same number whatever the dossier holds);
- times each page in this process with Django's test client (median of five
  rounds): the application's own cost, without the noise of a shared machine;
- serves the site with gunicorn (``--workers`` x ``--threads``, gthread,
  ``DEBUG=false``), warms its workers with a ``wrk`` run that is not counted
  (each worker's first requests take seconds), times 60 requests sent one
  after the other, then drives each page with ``wrk`` (``--connections``,
  ``--seconds``; the dossier pages at random among the 20), printing req/s
  and p50 / p99 latency.

Prints the machine first. Never part of the test suite. About two minutes
on a fresh database (most of it the loader), under one after.

    .venv/bin/python bench/applicant.py
    .venv/bin/python bench/applicant.py --dossiers 1000000 --seconds 15
    .venv/bin/python bench/applicant.py --no-wrk          # queries and in-process times only
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv/bin/python")
DATABASE = "motcua_bench_applicant"
SEED_NUMBER = "048190000001"  # the one number bench/seed.py gives every dossier
SPREAD = 40_000  # identification numbers the synthetic dossiers are spread over
IDENTITY = "cong-dan-muc-2"

from bench.run import machine, wait_for, wrk  # noqa: E402 - after the path is set


def manage(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def prepare_database(env: dict[str, str], dossiers: int) -> None:
    """Create, migrate and fill the database (the demo province, then synthetic dossiers)."""
    url = env["DATABASE_URL"]
    subprocess.run(
        ["psql", url.rsplit("/", 1)[0] + "/postgres", "-qc", f"CREATE DATABASE {DATABASE}"],
        capture_output=True,
        check=False,
    )
    started = time.monotonic()
    manage(env, "migrate", "--noinput", "-v", "0")
    manifest = Path(env["VAR_DIR"]) / "staticfiles" / "staticfiles.json"
    newest = max(f.stat().st_mtime for f in (ROOT / "static").rglob("*") if f.is_file())
    if not manifest.exists() or manifest.stat().st_mtime < newest:
        manage(env, "collectstatic", "--noinput", "-v", "0")  # minutes: it compresses
    if "demo dossiers" not in manage(env, "shell", "--no-imports", "-c", _DEMO_LOADED):
        manage(env, "load_demo")
    print(manage(env, "shell", "--no-imports", "-c", f"import bench.seed as s; s.seed({dossiers})"))
    print(f"   (loaded in {time.monotonic() - started:.0f} s)")


# Whether load_demo ran already (its staff accounts exist): it takes a while to run again.
_DEMO_LOADED = (
    "from motcua.staff.models import StaffRole; "
    "print('demo dossiers' if StaffRole.objects.exists() else 'empty')"
)


def prepare_applicant(mine: int) -> tuple[Any, list[str]]:
    """Spread the synthetic dossiers over many numbers; give the citizen ``mine`` of them.

    Returns the citizen's applicant and the codes of their dossiers.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from motcua.applicants.claims import Identity
    from motcua.applicants.services import applicant_sign_in
    from motcua.dossiers.models import Dossier
    from motcua.identity_sim.identities import identity_by_key

    sim = identity_by_key(IDENTITY)
    assert sim is not None
    table = Dossier._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET applicant_id_number = "  # noqa: S608 - our own table name
            "'0481' || lpad((id %% %s)::text, 8, '0') WHERE applicant_id_number = %s",
            [SPREAD, SEED_NUMBER],
        )
        spread = cursor.rowcount
        have = Dossier.objects.filter(applicant_id_number=sim.id_number).count()
        if have < mine:
            cursor.execute(
                f"UPDATE {table} SET applicant_id_number = %s WHERE id IN ("  # noqa: S608
                f"SELECT id FROM {table} WHERE applicant_id_number <> %s "
                "ORDER BY md5(id::text) LIMIT %s)",
                [sim.id_number, sim.id_number, mine - have],
            )
        if spread:
            cursor.execute(f"ANALYZE {table}")
    codes = list(
        Dossier.objects.filter(applicant_id_number=sim.id_number)
        .order_by("-received_at", "-id")
        .values_list("code", flat=True)
    )
    _give_a_life(codes, timezone.now())
    applicant = applicant_sign_in(
        identity=Identity(
            subject=sim.subject,
            id_number=sim.id_number,
            name=sim.name,
            birthdate=sim.birthdate,
            phone=sim.phone,
            email=sim.email,
            kind="person",
            tax_code="",
            loa=sim.loa,
        )
    )
    return applicant, codes


def _give_a_life(codes: list[str], now: Any) -> None:
    """Give each of the citizen's dossiers that has none: timeline entries, messages, files."""
    from django.db import transaction

    from motcua.dossiers.models import (
        Dossier,
        DossierComponent,
        DossierEvent,
        DossierFile,
        EventKind,
        Status,
    )
    from motcua.outbox.models import Message, MessageChannel, MessageKind, MessageStatus

    steps = [
        (EventKind.ACCEPTED, Status.ACCEPTED, MessageKind.ACCEPTED),
        (
            EventKind.SUPPLEMENT_REQUESTED,
            Status.SUPPLEMENT_REQUESTED,
            MessageKind.SUPPLEMENT_REQUESTED,
        ),
        (EventKind.SUPPLEMENT_RECEIVED, Status.ACCEPTED, MessageKind.SUPPLEMENT_RECEIVED),
        (EventKind.FORWARDED, Status.IN_PROCESS, None),
        (EventKind.PROCESSED, Status.PROCESSED, MessageKind.RESULT_READY),
        (EventKind.RESULT_RETURNED, Status.RESULT_RETURNED, MessageKind.RESULT_RETURNED),
    ]
    bare = Dossier.objects.filter(code__in=codes, components__isnull=True)
    with transaction.atomic():
        for dossier in bare:
            start = dossier.received_at
            for n, (kind, status, message_kind) in enumerate(steps, start=1):
                at = start + timedelta(hours=4 * n)
                event = DossierEvent.objects.create(
                    dossier=dossier, at=at, kind=kind, to_status=status, note="Ghi chú"
                )
                if message_kind is None:
                    continue
                Message.objects.bulk_create(
                    Message(
                        dossier=dossier,
                        event=event,
                        kind=message_kind,
                        channel=channel,
                        recipient="an@example.vn" if channel == MessageChannel.EMAIL else "0905",
                        subject=f"Hồ sơ {dossier.code}" if channel == MessageChannel.EMAIL else "",
                        body=f"Kính gửi Quý ông/bà, hồ sơ {dossier.code} ... " * 6,
                        status=MessageStatus.SENT,
                        next_attempt_at=at,
                        created_at=at,
                        sent_at=at,
                    )
                    for channel in (MessageChannel.EMAIL, MessageChannel.SMS)
                )
            for n, name in enumerate(("Tờ khai", "Bản sao giấy tờ tùy thân", "Giấy ủy quyền")):
                component = DossierComponent.objects.create(dossier=dossier, name=name)
                DossierFile.objects.create(
                    component=component,
                    file=f"bench/{dossier.pk}-{n}.pdf",
                    original_name=f"giay-to-{n}.pdf",
                    content_type="application/pdf",
                    size=1000,
                    sha256="0" * 64,
                )


def count_queries(client: Any, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return len(queries)


def in_process(client: Any, paths: list[str], rounds: int = 5, per_round: int = 100) -> str:
    """Return the median wall and CPU time of one request, in ms, over ``rounds`` rounds."""
    for path in paths[:10]:
        client.get(path)  # warm: connection, templates, translations
    walls, cpus = [], []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for n in range(per_round):
            client.get(paths[n % len(paths)])
        walls.append((time.perf_counter() - wall) / per_round * 1000)
        cpus.append((time.process_time() - cpu) / per_round * 1000)
    return (
        f"wall {statistics.median(walls):6.2f} ms, cpu {statistics.median(cpus):6.2f} ms "
        "per request"
    )


def one_at_a_time(base: str, paths: list[str], cookie: str, n: int = 60) -> str:
    """Return the median time of ``n`` requests sent one after the other over HTTP."""
    times = []
    for i in range(n):
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            base + paths[i % len(paths)], headers={"Cookie": cookie}
        )
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
            answer.read()
        times.append((time.perf_counter() - started) * 1000)
    return f"median {statistics.median(times):5.1f} ms per request"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--mine", type=int, default=20, help="the citizen's dossiers")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--port", type=int, default=8767)
    parser.add_argument("--no-wrk", action="store_true", help="queries and in-process only")
    args = parser.parse_args()
    if not args.no_wrk and not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk (or --no-wrk)")

    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789abcdef",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "LOG_LEVEL": "ERROR",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(var),
        "SITE_URL": f"http://127.0.0.1:{args.port}",
        "DATABASE_URL": os.environ.get(
            "BENCH_APPLICANT_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
        ),
    }
    os.environ.update(env)
    print("== machine:", machine(), "load", os.getloadavg())
    print("== preparing", env["DATABASE_URL"].split("@")[-1])
    prepare_database(env, args.dossiers)

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from motcua.dossiers.models import Dossier

    applicant, codes = prepare_applicant(args.mine)
    total = Dossier.objects.count()
    print(
        f"== {total:,} dossiers over {SPREAD:,}+ numbers; the citizen holds {len(codes)} "
        "(with their timeline entries, messages and files)"
    )
    client = Client()
    client.force_login(applicant.user, backend="motcua.applicants.oidc.IdentityBackend")
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    mine = "/ho-so-cua-toi/"
    pages = [f"/ho-so-cua-toi/{code}/" for code in codes]
    listing = client.get(mine).content.decode()
    assert all(code in listing for code in codes), "the list shows every dossier of hers"

    print("== SQL queries per page (constant: asserted in motcua/applicants/tests)")
    print(f"   Hồ sơ của tôi ({len(codes)} dossiers): {count_queries(client, mine)}")
    counts = sorted({count_queries(client, page) for page in pages})
    print(f"   dossier page (each of the {len(pages)}): {' / '.join(map(str, counts))}")

    print("== in this process (Django test client, median of 5 rounds of 100)")
    print(f"   Hồ sơ của tôi: {in_process(client, [mine])}")
    print(f"   dossier page:  {in_process(client, pages)}")
    print("   load", os.getloadavg())
    if args.no_wrk:
        return

    from django.db import connection

    connection.close()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{args.port}",
            "-w",
            str(args.workers),
            "-k",
            "gthread",
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_for(base + "/", seconds=180)  # gunicorn loads Django in each worker
        request = urllib.request.Request(  # noqa: S310 - our own loopback server
            base + pages[0], headers={"Cookie": cookie}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - loopback
            assert codes[0] in answer.read().decode(), "signed in: the page shows the dossier"
        print(
            f"== gunicorn {args.workers} workers x {args.threads} threads; wrk 2 threads, "
            f"{args.connections} connections, {args.seconds} s"
        )
        with tempfile.TemporaryDirectory() as tmp:
            # Every worker's first requests load what Django loads lazily (seconds each):
            # a warm-up run, not counted, so that the figures are of warm workers.
            for label, paths in (
                ("warm-up", [mine, *pages]),
                ("Hồ sơ của tôi", [mine]),
                ("dossier page", pages),
            ):
                listed = Path(tmp) / "paths.txt"
                listed.write_text("\n".join(paths) + "\n")
                figures = wrk(
                    base + "/",
                    "applicant.lua",
                    seconds=args.seconds,
                    connections=args.connections,
                    env={**env, "BENCH_PATHS": str(listed), "BENCH_COOKIE": cookie},
                )
                if label == "warm-up":
                    continue
                print(f"   {label:14s} one at a time: {one_at_a_time(base, paths, cookie)}")
                print(
                    f"   {label:14s} {figures['requests_per_second']:7.1f} req/s  "
                    f"p50 {figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  "
                    f"non-2xx {figures['non_2xx']:.0f} {figures['socket_errors']}"
                )
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
