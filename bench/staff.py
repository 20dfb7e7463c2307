#!/usr/bin/env python
"""The staff API under the case-API mix of the best-known open-source peer, on 1,000,000 dossiers.

On the workflow benchmark's database (``bench/workflow.py``: the demo
province with 1,000,000 dossiers, their 3.8 million control-slip lines and
their access rows), it prepares two people working at once: the provincial
centre's receiving officer and the leader of the city police (7 % of all
dossiers, the biggest deciding agency of the seed), and the twelve scenarios
of the peer's case-API benchmark at its weights (``bench/wrk/staff_mix.lua``):

    everything I may see (15), the same filtered by procedure (10), and by
    procedure and status (10), a search by code prefix (10) and by the
    applicant's name (10), a dossier (20), a finished dossier and its
    history (5), counter intake with a scan (4), a status change (accept, 4),
    an assignment (4), a result upload (3), approval (3), return (2).

Then it measures, in this process, each list, filter and search of each
person through the same selector the API uses, timing every query sent to
PostgreSQL (median of ``--runs``), and drives the mix through gunicorn with
``wrk`` (16 connections). It prints the machine, the per-query times and the
throughput with p50 / p95 / p99, and writes ``bench/results/staff-<time>.json``.

    .venv/bin/python bench/staff.py                         # measure (seeds first if needed)
    .venv/bin/python bench/staff.py --seconds 30 --workers 3 --threads 1
    .venv/bin/python bench/staff.py --no-wrk                 # the per-query times only
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATABASE = "motcua_bench_workflow"
OFFICER = "tiepnhan.tt"  # receiving officer at the provincial service centre
LEADER = "lanhdao.congan"  # leader of the city police
NAMES = [
    "Nguyễn Thị Hòa",
    "nguyen thi hoa",
    "Trần Văn An",
    "le minh",
    "Phạm Thu Hà",
    "hoang van nam",
    "Võ Ngọc Lan",
    "dang duc",
    "Bùi Xuân Sơn",
    "do thanh",
]


def _sql(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _codes(sql: str, params: list[Any]) -> list[str]:
    return [row[0] for row in _sql(sql, params)]


def prepare(out: Path) -> dict[str, Any]:
    """Write the tokens, code lists and request bodies the Lua mix reads; return their sizes."""
    from django.contrib.auth import get_user_model

    from motcua.catalog.models import Procedure
    from motcua.demo import data as demo
    from motcua.organisation.models import Agency
    from motcua.staff.models import Role, StaffRole
    from motcua.staff.services import staff_token_issue
    from motcua.testing import pdf_bytes

    out.mkdir(parents=True, exist_ok=True)
    users = get_user_model().objects
    officer, leader = users.get(username=OFFICER), users.get(username=LEADER)
    centre = Agency.objects.get(code=demo.CENTRE)
    police = Agency.objects.get(code=demo.CONG_AN)
    sizes: dict[str, Any] = {}

    def write(name: str, lines: list[str]) -> None:
        (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        sizes[name] = len(lines)

    for who, user, agency in (("officer", officer, centre), ("leader", leader, police)):
        write(f"{who}.token", [staff_token_issue(user=user)])
        seen = (
            "SELECT d.code FROM dossiers_dossieraccess a JOIN dossiers_dossier d "
            "ON d.id = a.dossier_id WHERE a.agency_id = %s "
        )
        write(f"{who}.dossiers", _codes(seen + "ORDER BY random() LIMIT 3000", [agency.pk]))
        write(
            f"{who}.finished",
            _codes(
                seen + "AND d.state = 'result_returned' ORDER BY random() LIMIT 2000", [agency.pk]
            ),
        )
        write(
            f"{who}.procedures",
            _codes(
                "SELECT p.code FROM dossiers_dossieraccess a JOIN catalog_procedure p "
                "ON p.id = a.procedure_id WHERE a.agency_id = %s GROUP BY p.code "
                "ORDER BY count(*) DESC LIMIT 6",
                [agency.pk],
            ),
        )
        codes = (out / f"{who}.dossiers").read_text().split()
        write(f"{who}.prefixes", sorted({c[: c.rindex("-") - 2] for c in codes[:200]})[:20])
        write(f"{who}.names", [quote_plus(n) for n in NAMES])

    # Writes: each dossier once, in the state its action needs.
    write(
        "officer.accept",
        _codes(
            "SELECT code FROM dossiers_dossier WHERE state = 'submitted' AND "
            "receiving_unit_id = %s ORDER BY random() LIMIT 4000",
            [centre.pk],
        ),
    )
    write(
        "officer.return",
        _codes(
            "SELECT d.code FROM dossiers_dossier d JOIN workflow_dossierstep s ON "
            "s.dossier_id = d.id AND s.finished_at IS NULL JOIN workflow_processstep ps ON "
            "ps.id = s.step_id WHERE d.state = 'processed' AND ps.kind = 'return' AND "
            "s.agency_id = %s ORDER BY random() LIMIT 4000",
            [centre.pk],
        ),
    )
    open_steps = (
        "SELECT d.code FROM dossiers_dossier d JOIN workflow_dossierstep s ON "
        "s.dossier_id = d.id AND s.finished_at IS NULL JOIN workflow_processstep ps ON "
        "ps.id = s.step_id WHERE d.state IN ('accepted', 'in_process') AND ps.kind = 'process' "
        "AND s.agency_id = %s"
    )
    write(
        "leader.assign",
        _codes(open_steps + " AND s.role = 'specialist' ORDER BY random() LIMIT 4000", [police.pk]),
    )
    write("leader.result", _codes(open_steps + " ORDER BY random() LIMIT 4000", [police.pk]))
    write(
        "leader.approve",
        _codes(
            open_steps  # noqa: S608 - constant SQL, the agency is a parameter
            + " AND s.role = 'leader' AND EXISTS (SELECT 1 FROM "
            "workflow_processtransition t JOIN workflow_processstep target ON "
            "target.id = t.target_id WHERE t.source_id = s.step_id AND t.kind = 'forward' AND "
            "target.kind = 'return') AND EXISTS (SELECT 1 FROM dossiers_dossierresult r "
            "WHERE r.dossier_id = d.id) ORDER BY random() LIMIT 4000",
            [police.pk],
        ),
    )
    specialist = (
        StaffRole.objects.filter(agency=police, role=Role.SPECIALIST, is_active=True)
        .values_list("user__username", flat=True)
        .order_by("user__username")
        .first()
    )
    write("leader.assignee", [specialist or ""])

    # Counter intake: the judicial record at the centre, its first component scanned.
    procedure = Procedure.objects.get(national_code="2.001418")
    assert procedure.current_version is not None
    component = procedure.current_version.components.order_by("order").first()
    assert component is not None
    fields = {
        "unit": centre.code,
        "procedure": procedure.code,
        "applicant_name": "Trần Thị Mai",
        "applicant_id_number": "048190001234",
        "applicant_phone": "0905123456",
        "applicant_address": "12 Lê Lợi, Đà Nẵng",
        "received": json.dumps([{"component": component.pk, "originals": 1}]),
        "decision": "accept",
    }
    body, content_type = _multipart(
        fields, {f"component-{component.pk}": ("to-khai.pdf", pdf_bytes("to khai"))}
    )
    (out / "intake.body").write_bytes(body)
    write("intake.type", [content_type])
    body, content_type = _multipart(
        {"name": "Phiếu lý lịch tư pháp", "is_electronic": "true"},
        {"file": ("ket-qua.pdf", pdf_bytes("ket qua"))},
    )
    (out / "result.body").write_bytes(body)
    write("result.type", [content_type])
    return sizes


def _multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(head.encode() + value.encode() + b"\r\n")
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@contextmanager
def timed_queries() -> Iterator[list[float]]:
    """Collect the time of each query sent to the database inside the block, in ms."""
    from django.db import connection

    spent: list[float] = []

    def wrapper(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append((time.perf_counter() - start) * 1000)

    with connection.execute_wrapper(wrapper):
        yield spent


def list_times(out: Path, runs: int) -> dict[str, dict[str, float]]:
    """Time each list, filter and search of each person through ``selectors.inbox_rows``."""
    from urllib.parse import unquote_plus

    from django.contrib.auth import get_user_model

    from motcua.workflow.selectors import InboxFilters, inbox_rows

    figures: dict[str, dict[str, float]] = {}
    for who, username in (("officer", OFFICER), ("leader", LEADER)):
        procedures = (out / f"{who}.procedures").read_text().split()
        prefixes = (out / f"{who}.prefixes").read_text().split()
        names = [unquote_plus(n) for n in (out / f"{who}.names").read_text().split()]
        cases: dict[str, list[InboxFilters]] = {
            "everything I may see": [InboxFilters()],
            "filtered by procedure": [InboxFilters(procedure=p) for p in procedures],
            "by procedure and status": [
                InboxFilters(procedure=p, status=s) for p in procedures for s in (4, 10, 2)
            ],
            "search by code prefix": [InboxFilters(q=p) for p in prefixes],
            "search by name": [InboxFilters(q=n) for n in names],
        }
        for name, variants in cases.items():
            biggest: list[float] = []
            totals: list[float] = []
            for run in range(runs):
                user = get_user_model().objects.get(username=username)  # roles read afresh
                filters = variants[run % len(variants)]
                with timed_queries() as spent:
                    inbox_rows(user=user, box="all", filters=filters, limit=20)
                biggest.append(max(spent))
                totals.append(sum(spent))
            figure = {
                "slowest_query_median_ms": round(statistics.median(biggest), 2),
                "slowest_query_max_ms": round(max(biggest), 2),
                "all_queries_median_ms": round(statistics.median(totals), 2),
            }
            figures[f"{who}: {name}"] = figure
            print(
                f"   {who:8s} {name:26s} slowest query median "
                f"{figure['slowest_query_median_ms']:7.2f} ms "
                f"(max {figure['slowest_query_max_ms']:7.2f}), all queries "
                f"{figure['all_queries_median_ms']:7.2f} ms",
                flush=True,
            )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30, help="timed runs of each list query")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--no-wrk", action="store_true", help="time the queries only")
    args = parser.parse_args()

    out = ROOT / "var" / "bench" / "staff"
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdef",  # noqa: S106 - loopback bench
        SECURE_SSL_REDIRECT="false",  # plain http on the loopback (production redirects)
        LOG_LEVEL="ERROR",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SETTINGS_MODULE="config.settings",
        VAR_DIR=str(ROOT / "var" / "bench"),
        DATABASE_URL=os.environ.get(
            "BENCH_WORKFLOW_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
        ),
        SITE_URL=f"http://127.0.0.1:{args.port}",
    )
    os.environ.update(env)
    import django

    django.setup()
    from bench import workflow_seed
    from bench.run import machine, wait_for, wrk

    about = machine()
    about["load_average_before"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("== machine:", json.dumps(about, ensure_ascii=False))
    have = int(_sql("SELECT count(*) FROM dossiers_dossier")[0][0])
    if have < args.dossiers:
        print(f"== seeding to {args.dossiers:,} dossiers (bench/workflow_seed.py)")
        workflow_seed.seed(args.dossiers)
    print("== data:", json.dumps(workflow_seed.counts(), ensure_ascii=False))
    print("== preparing the two people and their requests")
    sizes = prepare(out)
    print("  ", json.dumps(sizes))
    print("== each list, filter and search, through the API's selector")
    record: dict[str, Any] = {
        "at": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "machine": about,
        "args": vars(args),
        "prepared": sizes,
        "lists": list_times(out, args.runs),
    }
    if not args.no_wrk:
        subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                       cwd=ROOT, env=env, check=True)  # fmt: skip
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
        )
        try:
            base = f"http://127.0.0.1:{args.port}"
            wait_for(base + "/api/v1/procedures")
            print(f"== the mix, {args.connections} connections, {args.seconds} s", flush=True)
            figures = wrk(
                base + "/",
                "staff_mix.lua",
                seconds=args.seconds,
                connections=args.connections,
                env=dict(env, BENCH_STAFF_DIR=str(out)),
            )
            record["mix"] = figures
            print(
                f"   {figures['requests_per_second']:.1f} req/s  p50 {figures['p50_ms']:.1f} ms  "
                f"p95 {figures.get('p95_ms', float('nan')):.1f} ms  p99 {figures['p99_ms']:.1f} ms"
                f"  non-2xx {int(figures['non_2xx'])}"
            )
        finally:
            server.terminate()
            server.wait(10)
    record["load_average_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("== load average after:", record["load_average_after"])
    (BENCH / "results").mkdir(exist_ok=True)
    path = BENCH / "results" / f"staff-{record['at']}.json"
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False, default=str))
    print(f"== written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
