"""Notices: once per key, e-mailed once, listed and marked read by their recipient only."""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Sequence
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends import locmem
from django.core.mail.backends.base import BaseEmailBackend
from django.template import RequestContext, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from motcua.notifications.models import EmailStatus, Notification, NotificationKind
from motcua.notifications.services import (
    MAX_EMAIL_ATTEMPTS,
    Notice,
    notices_create,
    notifications_email,
    notifications_email_all,
)
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast() -> Cast:
    return cast_create()


def notice(cast: Cast, user_id: int, key: str = "step:1:due_soon") -> Notice:
    dossier = DossierFactory(procedure=ProcedureFactory(agency=cast.agency))
    return Notice(user_id, dossier.pk, NotificationKind.DUE_SOON, key, "Sắp đến hạn", "Nội dung")


def test_a_key_is_written_once_per_person(cast: Cast) -> None:
    now = timezone.now()
    first = notice(cast, cast.specialist.pk)
    assert len(notices_create(notices=[first, first], now=now)) == 1
    assert notices_create(notices=[first], now=now) == []
    other = notice(cast, cast.leader.pk)
    assert len(notices_create(notices=[other], now=now)) == 1
    assert Notification.objects.count() == 2


def test_emails_go_once_and_people_without_an_address_are_skipped(cast: Cast) -> None:
    cast.specialist.email = "chi@example.vn"
    cast.specialist.save()
    now = timezone.now()
    notices_create(
        notices=[notice(cast, cast.specialist.pk), notice(cast, cast.leader.pk)], now=now
    )
    batch = notifications_email(now=now)
    assert (batch.handled, batch.sent) == (2, 1)
    assert [m.to for m in mail.outbox] == [["chi@example.vn"]]
    assert notifications_email(now=now + dt.timedelta(minutes=5)).handled == 0


def test_the_list_shows_ones_own_notices_and_marks_them_read(cast: Cast) -> None:
    notices_create(notices=[notice(cast, cast.specialist.pk)], now=timezone.now())
    client = Client()
    client.force_login(cast.leader)
    assert "Sắp đến hạn" not in client.get(reverse("notifications:list")).content.decode()
    client.force_login(cast.specialist)
    inbox = client.get(reverse("backoffice:inbox")).content.decode()
    assert 'class="badge">1' in inbox
    assert "Sắp đến hạn" in client.get(reverse("notifications:list")).content.decode()
    client.post(reverse("notifications:mark-read"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert 'class="badge"' not in client.get(reverse("backoffice:inbox")).content.decode()


class RefusingBackend(BaseEmailBackend):
    """Deliver to the locmem outbox, but refuse one address, as a mail server would."""

    refused = "nobody@example.vn"

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            if self.refused in message.to:
                raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"No such user")})
        return locmem.EmailBackend().send_messages(email_messages)


def test_people_without_an_address_are_marked_so_and_not_emailed(cast: Cast) -> None:
    notices_create(notices=[notice(cast, cast.leader.pk)], now=timezone.now())
    assert notifications_email().sent == 0
    row = Notification.objects.get()
    assert (row.email_status, row.emailed_at) == (EmailStatus.NO_ADDRESS, None)


def test_a_refused_address_is_tried_on_later_runs_then_given_up_without_holding_the_rest(
    cast: Cast, settings: Any
) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    cast.leader.email = RefusingBackend.refused
    cast.leader.save()
    cast.specialist.email = "chi@example.vn"
    cast.specialist.save()
    now = timezone.now()
    notices_create(notices=[notice(cast, cast.leader.pk)], now=now)
    notices_create(notices=[notice(cast, cast.specialist.pk)], now=now + dt.timedelta(seconds=1))
    batch = notifications_email(now=now)
    assert (batch.handled, batch.sent, batch.failed) == (2, 1, 1)
    assert [m.to for m in mail.outbox] == [["chi@example.vn"]]
    refused = Notification.objects.get(recipient=cast.leader)
    assert (refused.email_status, refused.email_attempts) == (EmailStatus.PENDING, 1)
    # The run's loop stops at a failure: the next tries are the next runs'.
    assert notifications_email_all(now=now) == 0
    for _ in range(MAX_EMAIL_ATTEMPTS - 2):
        notifications_email_all(now=now)
    refused.refresh_from_db()
    assert (refused.email_status, refused.email_attempts) == (
        EmailStatus.FAILED,
        MAX_EMAIL_ATTEMPTS,
    )
    assert notifications_email(now=now).handled == 0
    assert len(mail.outbox) == 1


def test_the_unread_partial_shows_the_count_and_links_to_the_dossiers(
    cast: Cast, rf: RequestFactory, django_assert_num_queries: Any
) -> None:
    now = timezone.now()
    for i in range(3):
        notices_create(notices=[notice(cast, cast.specialist.pk, f"step:{i}:due_soon")], now=now)
    notices_create(notices=[notice(cast, cast.leader.pk, "step:9:due_soon")], now=now)
    codes = list(
        Notification.objects.filter(recipient=cast.specialist)
        .order_by("id")
        .values_list("dossier__code", flat=True)
    )
    request = rf.get("/can-bo/")
    request.user = cast.specialist
    template = Template("{% load notifications %}{% unread_notifications limit=2 %}")
    with django_assert_num_queries(2):
        html = template.render(RequestContext(request))
    assert 'class="badge">3' in html
    assert html.count(">Sắp đến hạn</a>") == 2
    assert reverse("backoffice:dossier", kwargs={"code": codes[0]}) not in html  # the oldest
    for code in codes[1:]:
        assert reverse("backoffice:dossier", kwargs={"code": code}) in html


def test_marking_read_touches_only_ones_own_notices(cast: Cast) -> None:
    now = timezone.now()
    notices_create(notices=[notice(cast, cast.specialist.pk)], now=now)
    notices_create(notices=[notice(cast, cast.leader.pk)], now=now)
    mine, theirs = (
        Notification.objects.get(recipient=cast.specialist),
        Notification.objects.get(recipient=cast.leader),
    )
    client = Client()
    client.force_login(cast.specialist)
    url = reverse("notifications:mark-read")
    response = client.post(url, {"ids": [theirs.pk, mine.pk], "next": "/can-bo/"})
    assert response.status_code == 302 and response["Location"] == "/can-bo/"
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    off_site = client.post(url, {"next": "https://example.com/"})
    assert off_site["Location"] == reverse("notifications:list")
    # With htmx the answer is the unread list, now empty.
    partial = client.post(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="unread-notifications"' in partial and "<html" not in partial
    assert '<span id="nav-unread" hx-swap-oob="true"></span>' in partial  # the badge, emptied
    assert client.get(url).status_code == 405


def test_notices_are_for_staff_only(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.applicant)
    assert client.get(reverse("notifications:list")).status_code in (302, 403)
    assert client.post(reverse("notifications:mark-read")).status_code in (302, 403)
