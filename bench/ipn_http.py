#!/usr/bin/env python
"""Gateway notifications (VNPAY IPN) per second over HTTP: gunicorn, PostgreSQL, wrk.

Sets up PostgreSQL database ``motcua_bench_ipn`` (or ``BENCH_IPN_DATABASE_URL``)
with ``--payments`` pending VNPAY payments (bulk-inserted: the notification
needs the payment row only; the settlement the worker runs later needs the
rest, and is measured by ``bench/payments_ipn.py``), writes each payment's
signed notification (HMAC-SHA512 over the sorted fields, as VNPAY signs),
serves the site with gunicorn (``--workers`` x ``--threads``, gthread,
``DEBUG=false``) and drives ``/thanh-toan/ipn/vnpay/`` with ``wrk``:

1. **first confirmations**: each wrk thread walks its own share of the
   notifications once (``--seconds`` short enough not to wrap: the script
   checks), each one verified, the payment locked, marked paid, audited,
   its settlement queued for the payments worker, the notification recorded;
2. **replays**: the same notifications again (a gateway's retries): verified,
   one read, one insert, answered "already confirmed".

Prints the machine, req/s, latency and the answers counted in the database.
Never part of the test suite.

    .venv/bin/python bench/ipn_http.py
    .venv/bin/python bench/ipn_http.py --workers 4 --threads 1 --connections 16 --seconds 10
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = str(ROOT / ".venv/bin/python")
DATABASE = "motcua_bench_ipn"
SECRET = "bench-vnpay-hash-secret"  # noqa: S105 - the loopback bench's own terminal
TMN = "BENCH001"

from bench.run import gunicorn, machine, manage, wrk  # noqa: E402 - after the path is set


def seed(count: int, out: str) -> None:
    """Add ``count`` pending payments to the fresh database; write their signed IPNs."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from motcua.organisation.models import Agency
    from motcua.payments.gateways.vnpay import hash_data, sign, vnpay_time
    from motcua.payments.models import Payment, PaymentState
    from motcua.testing import OneStopUnitFactory

    now = timezone.now()
    with transaction.atomic():
        agency = Agency.objects.filter(is_one_stop_unit=True).first() or OneStopUnitFactory()
        Payment.objects.bulk_create(
            (
                Payment(
                    reference=f"BENCH{n:010d}",
                    method="online",
                    gateway="vnpay",
                    state=PaymentState.PENDING,
                    amount=8000,
                    collecting_agency=agency,
                    payer_name="Nguyễn Văn An",
                    payer_id_number="001090000001",
                    created_at=now,
                    expires_at=now + dt.timedelta(minutes=15),
                )
                for n in range(count)
            ),
            batch_size=5000,
        )
    with open(out, "w") as lines:
        for n in range(count):
            fields = {
                "vnp_TmnCode": TMN,
                "vnp_Amount": "800000",
                "vnp_BankCode": "NCB",
                "vnp_CardType": "ATM",
                "vnp_OrderInfo": f"Phi le phi BENCH{n:010d}",
                "vnp_PayDate": vnpay_time(now),
                "vnp_ResponseCode": "00",
                "vnp_TransactionNo": str(14000000 + n),
                "vnp_TransactionStatus": "00",
                "vnp_TxnRef": f"BENCH{n:010d}",
            }
            query = hash_data(fields)
            lines.write(f"{query}&vnp_SecureHash={sign(SECRET, query)}\n")
    print(f"seeded {count} pending payments")


def answering(url: str, seconds: float = 120) -> None:
    """Wait until the server answers anything (the IPN with no fields answers a refusal)."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - our loopback server
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server did not answer at {url}")


def counts(env: dict[str, str]) -> dict[str, int]:
    script = (
        "import json; from django.db.models import Count; "
        "from motcua.payments.models import Notification as N; "
        "print(json.dumps(dict(N.objects.values_list('answer').annotate(n=Count('id')))))"
    )
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--payments", type=int, default=30_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()

    var = ROOT / "var" / "bench"
    var.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-0123456789abcdef",  # noqa: S106 - loopback bench
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="ERROR",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        VAR_DIR=str(var),
        SITE_URL=f"http://127.0.0.1:{args.port}",
        PAYMENTS_GATEWAYS="vnpay",
        VNPAY_TMN_CODE=TMN,
        VNPAY_HASH_SECRET=SECRET,
        DATABASE_URL=os.environ.get(
            "BENCH_IPN_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
        ),
    )
    name = env["DATABASE_URL"].rsplit("/", 1)[-1]
    for command in ("dropdb", "createdb"):  # a fresh database each run: nothing left over
        subprocess.run([command, "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)
    print("== machine:", json.dumps(machine(), ensure_ascii=False))
    print("== load average:", os.getloadavg())
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    ipn_file = str(var / "ipn.txt")
    print(
        manage(
            env, "shell", "-c", f"import bench.ipn_http as b; b.seed({args.payments}, {ipn_file!r})"
        ).strip()
    )
    server = gunicorn(env, port=args.port, workers=args.workers, threads=args.threads)
    base = f"http://127.0.0.1:{args.port}"
    try:
        answering(base + "/thanh-toan/ipn/vnpay/")
        threads = min(2, args.connections)
        wrk_env = dict(env, BENCH_IPN=ipn_file, BENCH_THREADS=str(threads))
        wrk(
            base + "/",
            "ipn.lua",
            seconds=5,
            connections=args.connections,
            env=dict(wrk_env, BENCH_WARM="1"),
        )
        results = {}
        for phase in ("first confirmations", "replays"):
            if phase == "replays":  # each thread walks back over the part it confirmed only
                share = int(counts(env).get("confirmed", 0) / threads * 0.8)
                wrk_env = dict(wrk_env, BENCH_SHARE=str(max(share, 1)))
            figures = wrk(
                base + "/",
                "ipn.lua",
                seconds=args.seconds,
                connections=args.connections,
                env=wrk_env,
            )
            results[phase] = figures
            print(
                f"{phase}: {figures['requests_per_second']:.0f} req/s, "
                f"p50 {figures['p50_ms']:.1f} ms, p99 {figures['p99_ms']:.1f} ms",
                figures["socket_errors"] or "",
            )
            time.sleep(1)
        answers = counts(env)
        print("answers recorded (the warm-up's are the invalid signatures):", answers)
        if answers.get("confirmed", 0) >= args.payments * 0.95:
            print("(the first round wrapped around: raise --payments or lower --seconds)")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
