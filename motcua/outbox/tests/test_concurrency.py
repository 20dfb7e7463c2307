"""Exactly once on PostgreSQL: two workers at once, and a worker killed in the middle of a send.

The workers use the real eSMS.vn adapter against the simulator on the live
server (its ``RequestId`` deduplication included) and Django's locmem mail.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.outbox.adapters.esms import EsmsGateway
from motcua.outbox.models import Message, MessageChannel, MessageKind, MessageStatus
from motcua.outbox.sending import outbox_send_all, outbox_send_batch
from motcua.sms_sim.models import SimulatedSms, SimulatorControl
from motcua.testing import DossierFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
KILL_WAIT_SECONDS = 60  # a bound: the subprocess must load Django on a busy machine


@pytest.fixture
def simulator(live_server: Any) -> Iterator[str]:
    url = f"{live_server.url}/sim/esms/"
    with override_settings(
        OUTBOX_ESMS_URL=url,
        OUTBOX_BATCH=20,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        yield url


def seed(dossier: Dossier, count: int, channel: str = MessageChannel.SMS) -> None:
    now = timezone.now() - dt.timedelta(seconds=1)
    Message.objects.bulk_create(
        Message(
            dossier=dossier,
            kind=MessageKind.ACCEPTED,
            channel=channel,
            recipient="0912345678" if channel == MessageChannel.SMS else "an@example.vn",
            subject="s",
            body=f"Ho so {n}",
            created_at=now,
            next_attempt_at=now,
        )
        for n in range(count)
    )


def test_two_workers_send_each_message_exactly_once(simulator: str) -> None:
    dossier = DossierFactory()
    seed(dossier, 120)
    seed(dossier, 60, MessageChannel.EMAIL)
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        gateway = EsmsGateway()
        try:
            barrier.wait()
            outbox_send_all(gateway=gateway)
        except BaseException as exc:
            errors.append(exc)
        finally:
            gateway.close()
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Counter(Message.objects.values_list("status", flat=True)) == {"sent": 180}
    assert set(Message.objects.values_list("attempts", flat=True)) == {1}
    # The gateway got each SMS once: one record per request id, none refused as a repeat.
    assert SimulatedSms.objects.count() == 120
    assert set(SimulatedSms.objects.values_list("request_id", flat=True)) == set(
        Message.objects.filter(channel="sms").values_list("idempotency_key", flat=True)
    )
    assert sorted(m.body for m in mail.outbox) == sorted(f"Ho so {n}" for n in range(60))


def _database_url() -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


def _wait(condition: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_worker_killed_mid_send_is_replaced_and_the_gateway_sends_once(
    simulator: str,
) -> None:
    dossier = DossierFactory()
    seed(dossier, 1)
    sms = Message.objects.get()
    # The gateway takes 1.5 s to answer: time to kill the worker while it waits.
    SimulatorControl.objects.update_or_create(pk=1, defaults={"delay_ms": 1500, "fail_next": 0})
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "OUTBOX_ESMS_URL": simulator,
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_outbox", "--once"],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
    )
    try:
        claimed = _wait(
            lambda: Message.objects.filter(pk=sms.pk, status=MessageStatus.SENDING).exists(),
            KILL_WAIT_SECONDS,
        )
        assert claimed, "the worker never claimed the message"
        time.sleep(0.5)  # the request is now with the gateway
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)

    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sending", 1)  # the dead worker's lease
    # The gateway finishes the request the dead worker made.
    assert _wait(lambda: SimulatedSms.objects.exists(), 10)
    SimulatorControl.objects.filter(pk=1).update(delay_ms=0)

    gateway = EsmsGateway()
    try:
        early = outbox_send_batch(gateway=gateway)  # the lease still holds
        assert early.claimed == 0
        assert sms.lease_until is not None
        after_lease = sms.lease_until + dt.timedelta(seconds=1)
        batch = outbox_send_batch(gateway=gateway, now=after_lease)
    finally:
        gateway.close()

    assert batch.sent == 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 2)
    # Sent again with the same RequestId: the gateway answered 124 and sent nothing more.
    assert SimulatedSms.objects.count() == 1
    assert SimulatedSms.objects.get().request_id == sms.idempotency_key
