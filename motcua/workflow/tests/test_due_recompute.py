"""Recomputing running dossiers' due dates after a calendar change: what moves, what stays.

Dossiers are driven through the workflow services (so their dates are what the
services store); then the calendar changes, and the recomputation must give
what the services would have computed with the new calendar.

January 2026 without any special day: Monday 5 to Friday 9, Monday 12 to
Friday 16; working hours 7:30-11:30 and 13:30-17:00 (7h30 a day).
"""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Permission, User
from django.db import DatabaseError, connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from motcua.audit.models import AuditEntry
from motcua.calendar.models import DayKind
from motcua.calendar.services import special_day_add, working_time_add, working_time_update
from motcua.core.errors import Conflict, ValidationFailed
from motcua.dossiers.models import Dossier, DossierEvent, DossierState, EventKind
from motcua.dossiers.services import dossier_due_at, online_answer_due_at
from motcua.staff.models import Role
from motcua.testing import Cast, DossierFactory, ProcedureFactory, StaffRoleFactory, cast_create
from motcua.workflow import due_recompute, services
from motcua.workflow.due_recompute import (
    CALENDAR_CHANGED,
    INTO_THE_PAST,
    dossier_dues_preview,
    dossier_dues_recompute,
)
from motcua.workflow.models import DossierStep

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
URL = "/admin/calendar/recompute/"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=HCM)


# Before every date of the stories: nothing is in the past yet.
EARLY = at(5, 7)
MONDAY_9 = at(5, 9)


def day_off(day: int) -> None:
    special_day_add(date=dt.date(2026, 1, day), kind=DayKind.DAY_OFF, name="Nghỉ đột xuất")


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def make(cast: Cast) -> Story:
    return Story(cast)


class Story:
    """Dossiers of a 5-working-day procedure, driven through the workflow services."""

    def __init__(self, cast: Cast) -> None:
        self.cast = cast
        self.procedure = ProcedureFactory(agency=cast.agency)

    def submitted(self, when: dt.datetime) -> Dossier:
        """An online dossier as the portal stores it: due dates from its submission."""
        version = self.procedure.current_version
        return DossierFactory(
            procedure=self.procedure,
            receiving_unit=self.cast.unit,
            submitted_at=when,
            received_at=when,
            due_at=dossier_due_at(version, when),
            intake_due_at=online_answer_due_at(when),
        )

    def accepted(self, when: dt.datetime = MONDAY_9) -> Dossier:
        """Accepted Monday 5 at 9:00 (by default): due Monday 12 at 9:00."""
        dossier = self.submitted(when - dt.timedelta(hours=1))
        return services.dossier_accept(dossier=dossier, actor=self.cast.receiving_officer, now=when)

    def ask(self, dossier: Dossier, when: dt.datetime) -> None:
        services.dossier_request_supplement(
            dossier=dossier.pk,
            actor=self.cast.receiving_officer,
            missing=["Tờ khai"],
            reason="Thiếu",
            now=when,
        )

    def receive(self, dossier: Dossier, when: dt.datetime) -> None:
        services.dossier_receive_supplement(
            dossier=dossier.pk, actor=self.cast.receiving_officer, now=when
        )


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def open_step(dossier: Dossier) -> DossierStep:
    return DossierStep.objects.get(dossier=dossier, finished_at=None)


def state(dossier: Dossier) -> tuple[object, ...]:
    d = fresh(dossier)
    step = DossierStep.objects.filter(dossier=d, finished_at=None).first()
    return (
        d.due_at,
        d.original_due_at,
        d.intake_due_at,
        d.revision,
        step.due_at if step else None,
        DossierEvent.objects.filter(dossier=d).count(),
    )


# --- The rule -----------------------------------------------------------------------------------


def test_nothing_moves_while_the_calendar_is_unchanged(make: Story) -> None:
    cast = make.cast
    make.submitted(at(5, 9))  # waiting for intake
    make.accepted()  # at the specialist's step
    paused_and_back = make.accepted()
    make.ask(paused_and_back, at(6, 9))
    make.receive(paused_and_back, at(8, 9))
    still_paused = make.accepted()
    make.ask(still_paused, at(6, 9))
    extended = make.accepted()
    services.dossier_extend(
        dossier=extended.pk,
        actor=cast.leader,
        reason="Xác minh",
        new_due_at=at(16, 9),
        now=at(6, 9),
    )
    make.ask(extended, at(7, 9))
    make.receive(extended, at(8, 14))
    back_to_intake = make.submitted(at(5, 9))
    make.ask(back_to_intake, at(5, 10))
    make.receive(back_to_intake, at(7, 10))
    forwarded = make.accepted()
    services.dossier_claim(dossier=forwarded.pk, actor=cast.specialist, now=at(5, 10))
    services.dossier_forward(dossier=forwarded.pk, actor=cast.specialist, now=at(7, 15))
    asked_then_accepted = make.submitted(at(5, 8))
    make.ask(asked_then_accepted, at(5, 9))
    make.receive(asked_then_accepted, at(6, 9))
    services.dossier_accept(
        dossier=asked_then_accepted.pk, actor=cast.receiving_officer, now=at(6, 10)
    )
    events = DossierEvent.objects.count()

    preview = dossier_dues_preview(now=EARLY)

    assert (preview.running, preview.moving, preview.moves) == (8, 0, [])
    assert dossier_dues_recompute(actor=None, now=EARLY) == 0
    assert DossierEvent.objects.count() == events
    assert not AuditEntry.objects.filter(action="workflow.due_recompute").exists()


def test_a_day_off_moves_the_due_date_and_the_open_step_with_a_public_note(
    make: Story, admin_user: User
) -> None:
    dossier = make.accepted()
    assert (fresh(dossier).due_at, open_step(dossier).due_at) == (at(12, 9), at(8, 14, 45))
    revision = fresh(dossier).revision
    day_off(7)

    preview = dossier_dues_preview(now=EARLY)
    moved = dossier_dues_recompute(
        actor=admin_user, expected_fingerprint=preview.fingerprint, now=EARLY
    )

    assert (preview.moving, moved) == (1, 1)
    (move,) = preview.moves
    assert (move.code, move.shown_old, move.shown_new) == (dossier.code, at(12, 9), at(13, 9))
    after = fresh(dossier)
    assert (after.due_at, after.revision) == (at(13, 9), revision + 1)
    # 70 % of 37h30 from Monday 9:00, Wednesday off: Friday 14:45.
    assert open_step(dossier).due_at == at(9, 14, 45)
    event = DossierEvent.objects.get(dossier=dossier, kind=EventKind.DUE_RECOMPUTED)
    assert event.is_public and event.actor == admin_user
    assert event.note.splitlines()[0] == "12/01/2026 09:00 → 13/01/2026 09:00"
    assert (event.from_state, event.to_state) == (after.state, after.state)
    audit = AuditEntry.objects.get(action="workflow.due_recompute")
    assert audit.actor == admin_user
    assert audit.before[dossier.code]["due_at"] == at(12, 9).isoformat()  # type: ignore[index]
    assert audit.after[dossier.code]["due_at"] == at(13, 9).isoformat()  # type: ignore[index]
    # Done: a second recomputation finds nothing to move.
    assert dossier_dues_preview(now=EARLY).moving == 0


def test_a_day_off_while_the_applicant_was_asked_moves_nothing(make: Story) -> None:
    dossier = make.accepted()
    make.ask(dossier, at(6, 9))
    make.receive(dossier, at(8, 9))
    assert (fresh(dossier).due_at, open_step(dossier).due_at) == (at(14, 9), at(12, 14, 45))

    day_off(7)  # inside the pause: the clock was stopped anyway

    assert dossier_dues_preview(now=EARLY).moving == 0


def test_the_pause_is_measured_again_and_pushes_the_new_legal_date(make: Story) -> None:
    dossier = make.accepted()
    make.ask(dossier, at(6, 9))
    make.receive(dossier, at(8, 9))  # two working days stopped: due Wednesday 14

    day_off(9)
    dossier_dues_recompute(actor=None, now=EARLY)

    # Legal date Tuesday 13 at 9:00 (Friday off), pushed by the two days stopped.
    assert fresh(dossier).due_at == at(15, 9)


def test_an_open_pause_pushes_nothing_until_the_supplement_is_received(make: Story) -> None:
    dossier = make.accepted()
    make.ask(dossier, at(6, 9))
    paused_at = fresh(dossier).paused_at

    day_off(9)
    dossier_dues_recompute(actor=None, now=EARLY)

    after = fresh(dossier)
    assert (after.due_at, after.paused_at, after.state) == (
        at(13, 9),
        paused_at,
        DossierState.SUPPLEMENT_REQUESTED,
    )


def test_an_extended_dossier_keeps_the_leaders_date_and_gets_its_original_recomputed(
    make: Story,
) -> None:
    dossier = make.accepted()
    services.dossier_extend(
        dossier=dossier.pk,
        actor=make.cast.leader,
        reason="Xác minh",
        new_due_at=at(16, 9),
        now=at(6, 9),
    )

    day_off(8)
    preview = dossier_dues_preview(now=EARLY)
    dossier_dues_recompute(actor=None, now=EARLY)

    after = fresh(dossier)
    assert (after.due_at, after.original_due_at) == (at(16, 9), at(13, 9))
    assert open_step(dossier).due_at == at(9, 14, 45)
    (move,) = preview.moves
    assert (move.shown_old, move.shown_new) == (at(16, 9), at(16, 9))
    note = DossierEvent.objects.get(dossier=dossier, kind=EventKind.DUE_RECOMPUTED).note
    assert "12/01/2026 09:00 → 13/01/2026 09:00" in note


def test_a_dossier_waiting_for_intake_gets_its_answer_time_recomputed(make: Story) -> None:
    # Submitted Friday 9 at 14:00: answer due Monday 12 at 14:30 (8 working hours).
    dossier = make.submitted(at(9, 14))
    assert fresh(dossier).intake_due_at == at(12, 14, 30)

    day_off(12)
    preview = dossier_dues_preview(now=EARLY)
    dossier_dues_recompute(actor=None, now=EARLY)

    (move,) = preview.moves
    assert (move.shown_old, move.shown_new) == (at(12, 14, 30), at(13, 14, 30))
    after = fresh(dossier)
    assert (after.intake_due_at, after.due_at) == (at(13, 14, 30), at(19, 14))


def test_a_season_of_other_hours_moves_the_due_date_to_the_same_working_time_into_the_day(
    make: Story,
) -> None:
    dossier = make.accepted()  # Monday 5 at 9:00: 1h30 into the day; due Monday 12 at 9:00
    working_time_update()
    working_time_add(
        starts_month=1,
        starts_day=7,
        morning_start=dt.time(7),
        morning_end=dt.time(11, 30),
        afternoon_start=dt.time(13, 30),
        afternoon_end=dt.time(17),
        daily_cutoff=dt.time(16),
    )

    assert dossier_dues_recompute(actor=None, now=EARLY) == 1
    # 1h30 into Monday 12, which opens at 7:00 from 7 January on.
    assert fresh(dossier).due_at == at(12, 8, 30)
    assert dossier_dues_preview(now=EARLY).moving == 0


def test_finished_dossiers_are_left_as_they_were(make: Story) -> None:
    dossier = make.submitted(at(5, 9))
    services.dossier_refuse(
        dossier=dossier.pk, actor=make.cast.receiving_officer, reasons="Sai", now=at(5, 10)
    )
    before = state(dossier)

    day_off(7)

    assert dossier_dues_preview(now=EARLY).running == 0
    assert dossier_dues_recompute(actor=None, now=EARLY) == 0
    assert state(dossier) == before


def test_the_preview_counts_every_move_and_lists_the_first_ones(
    make: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(due_recompute, "BATCH_SIZE", 2)  # several batches
    dossiers = [make.submitted(at(9, 14)) for _ in range(5)]
    day_off(12)

    preview = dossier_dues_preview(now=EARLY, limit=3)

    assert (preview.running, preview.moving) == (5, 5)
    assert [m.code for m in preview.moves] == [d.code for d in dossiers[:3]]
    assert dossier_dues_recompute(actor=None, now=EARLY) == 5
    assert all(fresh(d).intake_due_at == at(13, 14, 30) for d in dossiers)


def test_the_preview_reads_a_batch_in_a_constant_number_of_queries(make: Story) -> None:
    for _ in range(2):
        make.accepted()
    day_off(7)
    dossier_dues_preview(now=EARLY)  # this process reads the changed calendar once
    with CaptureQueriesContext(connection) as few:
        dossier_dues_preview(now=EARLY)
    for _ in range(6):
        make.accepted()
    with CaptureQueriesContext(connection) as more:
        dossier_dues_preview(now=EARLY)

    assert len(more) == len(few)


# --- Bad input ----------------------------------------------------------------------------------


def test_a_recomputation_that_would_put_a_due_date_in_the_past_is_refused_whole(
    make: Story,
) -> None:
    late = make.accepted()  # due Monday 12 at 9:00
    other = make.submitted(at(9, 14))
    before = [state(late), state(other)]
    # Saturday 10 made a working day: due Saturday 10 at 9:00, already past at noon.
    special_day_add(date=dt.date(2026, 1, 10), kind=DayKind.WORKING_DAY, name="Làm bù")
    audits = AuditEntry.objects.count()
    noon = at(10, 12)

    preview = dossier_dues_preview(now=noon)
    with pytest.raises(ValidationFailed) as caught:
        dossier_dues_recompute(actor=None, now=noon)

    assert [m.code for m in preview.refused] == [late.code]
    assert str(caught.value.message) == str(INTO_THE_PAST % {"count": 1, "codes": late.code})
    assert [state(late), state(other)] == before
    assert AuditEntry.objects.count() == audits


def test_a_due_date_already_past_may_move_within_the_past(make: Story) -> None:
    dossier = make.accepted()  # due Monday 12 at 9:00
    special_day_add(date=dt.date(2026, 1, 10), kind=DayKind.WORKING_DAY, name="Làm bù")

    assert dossier_dues_recompute(actor=None, now=at(14, 9)) == 1
    assert fresh(dossier).due_at == at(10, 9)


def test_a_calendar_changed_since_the_preview_is_a_conflict_and_changes_nothing(
    make: Story,
) -> None:
    dossier = make.accepted()
    day_off(7)
    preview = dossier_dues_preview(now=EARLY)
    day_off(8)
    before = state(dossier)

    with pytest.raises(Conflict) as caught:
        dossier_dues_recompute(actor=None, expected_fingerprint=preview.fingerprint, now=EARLY)

    assert caught.value.message == CALENDAR_CHANGED
    assert state(dossier) == before


# --- The page -----------------------------------------------------------------------------------


@pytest.fixture
def superuser(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)
    return client


def test_the_page_shows_what_would_move_and_recomputes_on_confirm(
    superuser: Client, make: Story
) -> None:
    dossier = make.accepted(at(5, 9))
    # Far in the future for the real clock: the page recomputes "now".
    Dossier.objects.filter(pk=dossier.pk).update(
        received_at=dt.datetime(2031, 1, 6, 9, tzinfo=HCM),
        due_at=dt.datetime(2031, 1, 13, 9, tzinfo=HCM),
    )
    DossierStep.objects.filter(dossier=dossier, finished_at=None).update(
        started_at=dt.datetime(2031, 1, 6, 9, tzinfo=HCM),
        due_at=dt.datetime(2031, 1, 9, 14, 45, tzinfo=HCM),
    )
    special_day_add(date=dt.date(2031, 1, 8), kind=DayKind.DAY_OFF, name="Nghỉ")

    page = superuser.get(URL)

    assert page.status_code == 200
    body = page.content.decode()
    assert dossier.code in body
    assert "13/01/2031 09:00" in body and "14/01/2031 09:00" in body
    preview = page.context["preview"]
    response = superuser.post(URL, {"fingerprint": preview.fingerprint})
    assert response.status_code == 302
    assert fresh(dossier).due_at == dt.datetime(2031, 1, 14, 9, tzinfo=HCM)
    assert superuser.get(URL).context["preview"].moving == 0


def test_the_page_shows_a_refusal_as_an_error_and_changes_nothing(
    superuser: Client, make: Story
) -> None:
    dossier = make.accepted()
    tomorrow = dt.datetime.now(HCM).date() + dt.timedelta(days=1)
    Dossier.objects.filter(pk=dossier.pk).update(
        received_at=dt.datetime.now(HCM) - dt.timedelta(days=30),
        due_at=dt.datetime.combine(tomorrow, dt.time(17), tzinfo=HCM),
    )
    before = state(dossier)
    page = superuser.get(URL)

    response = superuser.post(URL, {"fingerprint": page.context["preview"].fingerprint})

    assert [m.code for m in page.context["preview"].refused] == [dossier.code]
    assert response.status_code == 200
    assert dossier.code in response.context["error"]
    assert state(dossier) == before


def test_the_page_with_a_stale_preview_says_so_and_changes_nothing(
    superuser: Client, make: Story
) -> None:
    dossier = make.accepted()
    before = state(dossier)

    response = superuser.post(URL, {"fingerprint": "an older calendar"})

    assert response.status_code == 200
    assert response.context["error"] == str(CALENDAR_CHANGED)
    assert state(dossier) == before


def test_staff_who_may_change_the_calendar_may_open_the_page(client: Client) -> None:
    clerk = User.objects.create_user("lich", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="change_specialday"))
    client.force_login(clerk)

    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("who", ["staff without the permission", "agency administrator"])
def test_other_signed_in_people_are_refused(client: Client, cast: Cast, who: str) -> None:
    if who == "agency administrator":
        user = User.objects.create_user("quantri")
        StaffRoleFactory(user=user, role=Role.AGENCY_ADMIN, agency=cast.agency)
    else:
        user = User.objects.create_user("nhanvien", is_staff=True)
    client.force_login(user)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"fingerprint": ""}).status_code == 403


def test_the_page_sends_strangers_to_sign_in(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


# --- Locks --------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_dossiers_that_move_are_locked_until_the_recomputation_commits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    story = Story(cast_create())
    dossier = story.accepted()
    day_off(7)
    seen: list[str] = []
    write = due_recompute._write

    def try_to_lock_from_elsewhere() -> None:
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute(
                    "SELECT id FROM dossiers_dossier WHERE id = %s FOR UPDATE NOWAIT", [dossier.pk]
                )
            seen.append("free")
        except DatabaseError:
            seen.append("locked")
        finally:
            connections["default"].close()

    def write_and_check(*args: object, **kwargs: object) -> None:
        other = threading.Thread(target=try_to_lock_from_elsewhere)
        other.start()
        other.join()
        write(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(due_recompute, "_write", write_and_check)

    assert dossier_dues_recompute(actor=None, now=EARLY) == 1
    assert seen == ["locked"]
