"""The reminders job, on a controlled clock: warn before a step is due, escalate when overdue."""

from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from motcua.catalog.models import Procedure
from motcua.core.names import person_name
from motcua.dossiers.models import Dossier
from motcua.notifications import services as notification_services
from motcua.notifications.models import EmailStatus, Notification, NotificationKind
from motcua.notifications.services import EMAIL_BATCH, Notice, notifications_email_all
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create
from motcua.workflow import reminders, services
from motcua.workflow.models import DossierStep
from motcua.workflow.reminders import reminders_run
from motcua.workflow.tasks import reminders_task

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Return a time in January 2026 (Monday 5 and Monday 12 are working days)."""
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=HCM)


# The step under watch is due Monday 12 January at 09:00.
DUE = at(12, 9)


@pytest.fixture
def cast(db: None) -> Cast:
    cast = cast_create()
    for user in (cast.specialist, cast.second_specialist, cast.leader, cast.receiving_officer):
        user.email = f"{user.username}@example.vn"
        user.save()
    return cast


@pytest.fixture
def procedure(cast: Cast) -> Procedure:
    return ProcedureFactory(agency=cast.agency)


def in_process(cast: Cast, procedure: Procedure, *, claim: bool = True) -> Dossier:
    """Return a dossier at the specialist step (claimed by chi), the step due at DUE."""
    dossier = DossierFactory(
        procedure=procedure, receiving_unit=cast.unit, submitted_at=at(5, 8), intake_due_at=None
    )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at(5, 9))
    if claim:
        services.dossier_claim(dossier=dossier, actor=cast.specialist, now=at(5, 10))
    DossierStep.objects.filter(dossier=dossier, finished_at=None).update(due_at=DUE)
    return dossier


def notices(kind: NotificationKind | None = None) -> list[tuple[str, str]]:
    rows = Notification.objects.order_by("recipient__username", "kind")
    if kind is not None:
        rows = rows.filter(kind=kind)
    return [(n.recipient.username, n.kind) for n in rows.select_related("recipient")]


@pytest.mark.django_db
def test_the_assignee_is_warned_within_8_working_hours_and_only_once(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = in_process(cast, procedure)
    # Thursday 10:00: Thursday, Friday and Monday morning are more than 8 working hours.
    report = reminders_run(now=at(8, 10))
    assert (report.due_soon, report.overdue) == (0, 0)
    assert notices() == []
    # Friday 10:00: the rest of Friday and Monday 07:30-09:00 are within 8 working hours,
    # although the weekend makes it 71 hours of the clock.
    report = reminders_run(now=at(9, 10))
    assert report.due_soon == 1
    assert notices() == [("chi", NotificationKind.DUE_SOON)]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["chi@example.vn"]
    assert dossier.code in mail.outbox[0].subject
    assert "09:00 12/01/2026" in mail.outbox[0].subject
    # Friday afternoon, again: nothing new, nothing sent twice.
    again = reminders_run(now=at(9, 15))
    assert (again.due_soon, again.overdue, again.emailed) == (0, 0, 0)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_an_unassigned_step_warns_every_holder_of_its_role(
    cast: Cast, procedure: Procedure
) -> None:
    in_process(cast, procedure, claim=False)
    reminders_run(now=at(9, 10))
    assert notices() == [("chi", "due_soon"), ("hoa", "due_soon")]


@pytest.mark.django_db
def test_an_overdue_step_is_escalated_to_the_agencys_leaders(
    cast: Cast, procedure: Procedure
) -> None:
    in_process(cast, procedure)
    reminders_run(now=at(9, 10))
    report = reminders_run(now=at(12, 9, 30))
    assert report.overdue == 2
    assert notices(NotificationKind.OVERDUE) == [("chi", "overdue"), ("dung", "overdue")]
    assert "dung@example.vn" in [m.to[0] for m in mail.outbox]
    assert reminders_run(now=at(13, 9)).overdue == 0


@pytest.mark.django_db
def test_paused_dossiers_and_finished_steps_are_left_alone(
    cast: Cast, procedure: Procedure
) -> None:
    paused = in_process(cast, procedure)
    services.dossier_request_supplement(
        dossier=paused, actor=cast.specialist, missing=["Bản sao"], reason="Thiếu", now=at(6, 9)
    )
    finished = in_process(cast, procedure)
    DossierStep.objects.filter(dossier=finished, finished_at=None).update(finished_at=at(6, 9))
    report = reminders_run(now=at(12, 10))
    assert (report.due_soon, report.overdue) == (0, 0)
    assert notices() == []


@pytest.mark.django_db
def test_online_dossiers_near_their_answer_time_warn_the_units_officers(
    cast: Cast, procedure: Procedure
) -> None:
    waiting = DossierFactory(
        procedure=procedure, receiving_unit=cast.unit, submitted_at=at(9, 8), intake_due_at=DUE
    )
    reminders_run(now=at(9, 10))
    assert notices() == [("binh", "due_soon")]
    reminders_run(now=at(12, 10))
    assert notices(NotificationKind.OVERDUE) == [("binh", "overdue")]
    services.dossier_accept(dossier=waiting, actor=cast.receiving_officer, now=at(12, 11))
    assert reminders_run(now=at(13, 10)).overdue == 0


@pytest.mark.django_db(transaction=True)  # the worker closes its connection when done
def test_the_command_runs_once_and_the_worker_runs_the_enqueued_task(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cast = cast_create()
    procedure = ProcedureFactory(agency=cast.agency)
    call_command("run_reminders", "--once")
    assert "due soon: 0, overdue: 0" in capsys.readouterr().out
    in_process(cast, procedure)  # due in January 2026: overdue by now
    call_command("run_reminders", "--times", "1")
    assert "reminders enqueued" in capsys.readouterr().out
    call_command("db_worker", "--batch", "--no-startup-delay", "--max-tasks", "1")
    assert notices(NotificationKind.OVERDUE) == [("chi", "overdue"), ("dung", "overdue")]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_write_and_send_each_notice_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cast = cast_create()
    for user in (cast.specialist, cast.second_specialist, cast.leader):
        user.email = f"{user.username}@example.vn"
        user.save()
    procedure = ProcedureFactory(agency=cast.agency)
    for _ in range(5):
        in_process(cast, procedure, claim=False)
    barrier = threading.Barrier(2, timeout=30)
    # Both workers look for notices already written before either writes one,
    # so every notice is a race that the unique constraint decides.
    written = notification_services._written

    def written_then_wait(notices: Any) -> set[tuple[int, str]]:
        found = written(notices)
        barrier.wait()
        return found

    monkeypatch.setattr(notification_services, "_written", written_then_wait)
    errors: list[BaseException] = []
    reports: list[reminders.RunReport] = []

    def worker() -> None:
        try:
            reports.append(reminders_run(now=at(12, 10)))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Each overdue step: chi and hoa (holders of the unassigned role) and dung (leader).
    rows: list[Any] = list(Notification.objects.values_list("recipient_id", "key"))
    assert len(rows) == len(set(rows)) == 5 * 3
    assert sum(r.overdue for r in reports) == 5 * 3
    assert sum(r.emailed for r in reports) == 5 * 3
    sent = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert len(sent) == len(set(sent)) == 5 * 3
    assert not Notification.objects.exclude(email_status=EmailStatus.SENT).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_pending_email_once() -> None:
    cast = cast_create()
    cast.specialist.email = "chi@example.vn"
    cast.specialist.save()
    procedure = ProcedureFactory(agency=cast.agency)
    dossier = DossierFactory(procedure=procedure)
    now = at(12, 10)
    notices = [
        Notice(cast.specialist.pk, dossier.pk, NotificationKind.OVERDUE, f"k:{i}", f"S{i}", "B")
        for i in range(3 * EMAIL_BATCH)
    ]
    Notification.objects.bulk_create(
        Notification(
            recipient_id=n.recipient_id,
            dossier_id=n.dossier_id,
            kind=n.kind,
            key=n.key,
            subject=n.subject,
            body=n.body,
            created_at=now,
        )
        for n in notices
    )
    barrier = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def sender() -> None:
        try:
            barrier.wait()
            notifications_email_all(now=now)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == len(set(subjects))
    # A sender stops at a batch another one made short; what is left goes next run.
    notifications_email_all(now=now)
    assert len(mail.outbox) == len({m.subject for m in mail.outbox}) == 3 * EMAIL_BATCH


@pytest.mark.django_db
def test_due_at_the_very_moment_is_due_soon_and_overdue_just_after(
    cast: Cast, procedure: Procedure
) -> None:
    in_process(cast, procedure)
    assert (reminders_run(now=DUE).due_soon, notices()) == (1, [("chi", "due_soon")])
    assert reminders_run(now=DUE + dt.timedelta(minutes=1)).overdue == 2


@pytest.mark.django_db
def test_the_emails_say_which_step_of_which_dossier_and_leaders_learn_who_holds_it(
    cast: Cast, procedure: Procedure, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"  # the catalogue's Vietnamese aside, check the wording
    settings.DEFAULT_FROM_EMAIL = "motcua@example.vn"
    dossier = in_process(cast, procedure)
    step = DossierStep.objects.select_related("step").get(dossier=dossier, finished_at=None)
    reminders_run(now=at(12, 10))
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"chi@example.vn", "dung@example.vn"}
    to_chi, to_dung = sent["chi@example.vn"], sent["dung@example.vn"]
    assert to_chi.from_email == "motcua@example.vn"
    assert to_chi.subject == f"Dossier {dossier.code}: step overdue since 09:00 12/01/2026"
    assert to_chi.body == (
        f"The step \u201c{step.step.name}\u201d of dossier {dossier.code} ({procedure.name}) "
        "was due at 09:00 12/01/2026 and is not finished."
    )
    name = person_name(cast.specialist)
    assert to_dung.subject == to_chi.subject
    assert to_dung.body == f"{to_chi.body} It is assigned to {name}."
    row = Notification.objects.get(recipient=cast.specialist)
    assert (row.subject, row.body, row.dossier_id) == (to_chi.subject, to_chi.body, dossier.pk)
    assert row.emailed_at == at(12, 10)


@pytest.mark.django_db
def test_the_role_holders_learn_nobody_has_taken_the_step(
    cast: Cast, procedure: Procedure, settings: Any
) -> None:
    settings.LANGUAGE_CODE = "en"
    in_process(cast, procedure, claim=False)
    reminders_run(now=at(9, 10))
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert set(bodies) == {"chi@example.vn", "hoa@example.vn"}
    assert all(body.endswith("Nobody has taken it yet.") for body in bodies.values())


@pytest.mark.django_db
def test_notices_are_written_in_the_sites_language_whoever_runs_the_job(
    cast: Cast, procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_process(cast, procedure)
    languages: list[str | None] = []
    local = reminders._local

    def spy(moment: dt.datetime | None) -> str:
        languages.append(translation.get_language())
        return local(moment)

    monkeypatch.setattr(reminders, "_local", spy)
    with translation.override("en"):
        reminders_run(now=at(9, 10))
    assert languages and set(languages) == {"vi"}


@pytest.mark.django_db
def test_steps_are_read_in_batches_and_none_is_left_out(
    cast: Cast, procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reminders, "BATCH", 2)
    for _ in range(5):
        in_process(cast, procedure)
    assert reminders_run(now=at(9, 10)).due_soon == 5
    assert reminders_run(now=at(12, 10)).overdue == 10  # chi and dung for each


@pytest.mark.django_db
def test_the_enqueuer_does_not_pile_up_runs_while_no_worker_takes_them() -> None:
    out = StringIO()
    call_command("run_reminders", "--times", "1", stdout=out)
    call_command("run_reminders", "--times", "1", stdout=out)
    assert "reminders already waiting for a worker" in out.getvalue()
    waiting = DBTaskResult.objects.ready().filter(task_path=reminders_task.module_path)
    assert waiting.count() == 1
