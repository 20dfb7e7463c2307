"""The worker sends each message once, retries with back-off, and lets a dead worker's rows go."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.dossiers.models import Dossier
from motcua.outbox.adapters import SmsResult
from motcua.outbox.models import Message, MessageChannel, MessageKind, MessageStatus
from motcua.outbox.sending import (
    LEASE_EXPIRED,
    OUT_OF_LEASE,
    backoff,
    outbox_claim,
    outbox_send_batch,
)
from motcua.testing import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
PHONE = "0912345678"
EMAIL = "an.nguyen@example.vn"


class FakeGateway:
    """A gateway that records what it is asked and answers from a script."""

    sent: ClassVar[list[tuple[str, str, str]]] = []
    answers: ClassVar[list[SmsResult]] = []
    closed: ClassVar[int] = 0

    def send(self, *, phone: str, text: str, request_id: str) -> SmsResult:
        FakeGateway.sent.append((phone, text, request_id))
        if FakeGateway.answers:
            return FakeGateway.answers.pop(0)
        return SmsResult(ok=True, provider_ref=f"sms-{len(FakeGateway.sent)}")

    def close(self) -> None:
        FakeGateway.closed += 1


@pytest.fixture(autouse=True)
def _fake_gateway() -> Iterator[None]:
    FakeGateway.sent, FakeGateway.answers, FakeGateway.closed = [], [], 0
    with override_settings(
        OUTBOX_SMS_GATEWAY="motcua.outbox.tests.test_sending.FakeGateway",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ):
        yield


@pytest.fixture
def dossier() -> Dossier:
    return DossierFactory(applicant_email=EMAIL, applicant_phone=PHONE)


def message(dossier: Dossier, channel: str = MessageChannel.SMS, **kw: Any) -> Message:
    email = channel == MessageChannel.EMAIL
    fields: dict[str, Any] = {
        "dossier": dossier,
        "kind": MessageKind.ACCEPTED,
        "channel": channel,
        "recipient": EMAIL if email else PHONE,
        "subject": "Hồ sơ đã được tiếp nhận" if email else "",
        "body": "Ho so da duoc tiep nhan",
        "created_at": NOW,
        "next_attempt_at": NOW,
    }
    return Message.objects.create(**(fields | kw))


def test_pending_messages_are_sent_once_and_marked_sent(dossier: Dossier) -> None:
    sms = message(dossier)
    email = message(dossier, MessageChannel.EMAIL)

    batch = outbox_send_batch(now=NOW)
    again = outbox_send_batch(now=NOW + dt.timedelta(hours=1))

    assert (batch.claimed, batch.sent, again.claimed) == (2, 2, 0)
    assert FakeGateway.sent == [(PHONE, "Ho so da duoc tiep nhan", sms.idempotency_key)]
    assert FakeGateway.closed == 1
    (sent_mail,) = mail.outbox
    assert sent_mail.to == [EMAIL]
    assert sent_mail.extra_headers["Message-ID"] == f"<{email.idempotency_key}@localhost>"
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.provider_ref, sms.claim) == ("sent", 1, "sms-1", None)
    assert sms.sent_at is not None and sms.sent_at >= NOW


def test_a_message_not_yet_due_waits(dossier: Dossier) -> None:
    message(dossier, next_attempt_at=NOW + dt.timedelta(minutes=1))
    assert outbox_send_batch(now=NOW).claimed == 0
    assert outbox_send_batch(now=NOW + dt.timedelta(minutes=1)).sent == 1


def test_a_failed_send_is_retried_with_growing_waits_then_failed(
    dossier: Dossier, settings: Any
) -> None:
    settings.OUTBOX_MAX_ATTEMPTS = 3
    sms = message(dossier)
    FakeGateway.answers = [SmsResult(ok=False, error="103 no balance")] * 3
    now = NOW
    waits = []
    for _ in range(3):
        batch = outbox_send_batch(now=now)
        assert batch.claimed == 1
        sms.refresh_from_db()
        if sms.status == MessageStatus.PENDING:
            waits.append(sms.next_attempt_at - now)
            assert outbox_send_batch(now=sms.next_attempt_at - dt.timedelta(seconds=1)).claimed == 0
            now = sms.next_attempt_at
    assert waits == [dt.timedelta(seconds=30), dt.timedelta(seconds=60)]
    assert (sms.status, sms.attempts, sms.last_error) == ("failed", 3, "103 no balance")
    # Every try carried the same idempotency key.
    assert {r for _, _, r in FakeGateway.sent} == {sms.idempotency_key}


def test_backoff_doubles_and_is_capped(settings: Any) -> None:
    settings.OUTBOX_RETRY_BASE_SECONDS, settings.OUTBOX_RETRY_MAX_SECONDS = 10, 100
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 9)] == [10, 20, 40, 80, 100, 100]


def test_a_permanent_refusal_fails_at_once(dossier: Dossier) -> None:
    sms = message(dossier)
    FakeGateway.answers = [SmsResult(ok=False, error="108 bad number", retry=False)]
    assert outbox_send_batch(now=NOW).failed == 1
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("failed", 1)


def test_a_worker_that_dies_mid_send_leaves_a_lease_that_expires_and_the_same_key(
    dossier: Dossier, settings: Any
) -> None:
    sms = message(dossier)
    dead_token, claimed = outbox_claim(now=NOW, limit=10)  # and then the worker is killed
    assert [m.pk for m in claimed] == [sms.pk]
    sms.refresh_from_db()
    assert (sms.status, sms.claim, sms.attempts) == ("sending", dead_token, 1)

    # Within the lease nobody else takes it.
    assert outbox_send_batch(now=NOW + dt.timedelta(seconds=59)).claimed == 0
    batch = outbox_send_batch(now=NOW + dt.timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1))

    assert batch.sent == 1
    assert FakeGateway.sent == [(PHONE, sms.body, sms.idempotency_key)]
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == ("sent", 2)


def test_a_worker_whose_lease_was_taken_over_cannot_mark_the_row(dossier: Dossier) -> None:
    from motcua.outbox.sending import _finish

    sms = message(dossier)
    stale_token, stale = outbox_claim(now=NOW, limit=10)
    later = NOW + dt.timedelta(minutes=5)
    new_token, _ = outbox_claim(now=later, limit=10)
    _finish(stale_token, stale, {sms.pk: SmsResult(ok=False, error="late")}, later)
    sms.refresh_from_db()
    assert (sms.status, sms.claim, sms.last_error) == ("sending", new_token, "")


def test_a_row_whose_lease_expired_too_often_is_failed(dossier: Dossier, settings: Any) -> None:
    sms = message(dossier, status=MessageStatus.SENDING, attempts=settings.OUTBOX_MAX_ATTEMPTS)
    Message.objects.filter(pk=sms.pk).update(lease_until=NOW - dt.timedelta(seconds=1))
    assert outbox_send_batch(now=NOW).claimed == 0
    sms.refresh_from_db()
    assert (sms.status, sms.last_error) == ("failed", LEASE_EXPIRED)


def test_a_mail_server_that_cannot_be_reached_leaves_the_emails_for_later(
    dossier: Dossier, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    email = message(dossier, MessageChannel.EMAIL)
    assert outbox_send_batch(now=NOW).retried == 1
    email.refresh_from_db()
    assert email.status == "pending"
    assert email.last_error.startswith("mail server: ")


def test_logs_name_rows_never_people(dossier: Dossier, caplog: pytest.LogCaptureFixture) -> None:
    message(dossier)
    message(dossier)
    FakeGateway.answers = [
        SmsResult(ok=False, error="103 no balance"),
        SmsResult(ok=False, error="108 bad number", retry=False),
    ]
    with caplog.at_level(logging.DEBUG):
        outbox_send_batch(now=NOW)
    assert "message " in caplog.text
    for personal in (PHONE, EMAIL, dossier.applicant_name, "Ho so da duoc"):
        assert personal not in caplog.text


def test_run_outbox_once_sends_what_is_due(dossier: Dossier) -> None:
    message(dossier, next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    call_command("run_outbox", "--once")
    assert Message.objects.get().status == "sent"


# --- Administrator ---------------------------------------------------------------------------


@pytest.fixture
def admin_client() -> Client:
    user: User = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_an_administrator_sees_failed_messages_and_sends_them_again(
    admin_client: Client, dossier: Dossier
) -> None:
    failed = message(dossier, status=MessageStatus.FAILED, attempts=8, last_error="103")
    message(dossier)  # pending: not retried

    page = admin_client.get("/admin/outbox/message/?status__exact=failed")
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [failed]
    detail = admin_client.get(f"/admin/outbox/message/{failed.pk}/change/")
    assert detail.status_code == 200
    assert PHONE not in detail.content.decode()
    answer = admin_client.post(
        "/admin/outbox/message/",
        {"action": "retry", "_selected_action": [m.pk for m in Message.objects.all()]},
    )
    assert answer.status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert failed.next_attempt_at <= timezone.now()
    # The retry is on record: who, and which messages (the pending one was not retried).
    entry = AuditEntry.objects.get(action="outbox.retry")
    assert (getattr(entry.actor, "username", None), entry.after) == (
        "quantri",
        {"messages": [failed.pk]},
    )


def test_staff_without_the_admin_right_cannot_retry(dossier: Dossier) -> None:
    failed = message(dossier, status=MessageStatus.FAILED)
    client = Client()
    client.force_login(UserFactory(username="nhanvien", is_staff=True))
    answer = client.post(
        "/admin/outbox/message/", {"action": "retry", "_selected_action": [failed.pk]}
    )
    assert answer.status_code == 403
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_a_broken_template_is_refused_in_the_admin(admin_client: Client) -> None:
    from motcua.outbox.models import MessageTemplate

    template = MessageTemplate.objects.get(kind=MessageKind.ACCEPTED, language="vi")
    answer = admin_client.post(
        f"/admin/outbox/messagetemplate/{template.pk}/change/",
        {
            "kind": template.kind,
            "language": "vi",
            "subject": "{% if %}",
            "body": "{% load static %}",
            "sms": "ok {{ code }}",
        },
    )
    assert answer.status_code == 200  # the form again, with its errors
    assert set(answer.context["adminform"].form.errors) == {"subject", "body"}
    template.refresh_from_db()
    assert template.subject != "{% if %}"


def test_the_templates_are_seeded_in_both_languages() -> None:
    from motcua.outbox.models import MessageTemplate

    assert MessageTemplate.objects.count() == 2 * len(MessageKind)


def test_a_worker_starts_no_send_once_its_lease_is_about_to_run_out(
    dossier: Dossier, settings: Any
) -> None:
    settings.OUTBOX_LEASE_SECONDS = 0  # no time left to send anything
    sms = message(dossier)
    email = message(dossier, MessageChannel.EMAIL)
    batch = outbox_send_batch(now=NOW)
    assert (batch.claimed, batch.sent, batch.retried) == (2, 0, 2)
    assert FakeGateway.sent == [] and mail.outbox == []
    for row in (sms, email):
        row.refresh_from_db()
        assert (row.status, row.last_error) == ("pending", OUT_OF_LEASE.error)


def test_an_administrator_s_template_and_procedure_settings_are_audited(
    admin_client: Client, dossier: Dossier
) -> None:
    from motcua.outbox.models import MessageTemplate, ProcedureMessaging

    template = MessageTemplate.objects.get(kind=MessageKind.ACCEPTED, language="vi")
    answer = admin_client.post(
        f"/admin/outbox/messagetemplate/{template.pk}/change/",
        {
            "kind": template.kind,
            "language": "vi",
            "subject": "Đã tiếp nhận {{ code }}",
            "body": template.body,
            "sms": template.sms,
        },
    )
    assert answer.status_code == 302
    entry = AuditEntry.objects.get(action="outbox.messagetemplate.save")
    assert entry.after is not None and entry.before is not None
    assert entry.after["subject"] == "Đã tiếp nhận {{ code }}"
    assert entry.before["subject"] != entry.after["subject"]

    added = admin_client.post(
        "/admin/outbox/proceduremessaging/add/",
        {"procedure": dossier.procedure_id, "email": "on", "kinds": []},
    )
    assert added.status_code == 302
    setting = ProcedureMessaging.objects.get(procedure_id=dossier.procedure_id)
    assert not setting.sms
    assert AuditEntry.objects.filter(action="outbox.proceduremessaging.save").count() == 1
    removed = admin_client.post(
        f"/admin/outbox/proceduremessaging/{dossier.procedure_id}/delete/", {"post": "yes"}
    )
    assert removed.status_code == 302
    assert not ProcedureMessaging.objects.exists()
    assert AuditEntry.objects.filter(action="outbox.proceduremessaging.delete").count() == 1
