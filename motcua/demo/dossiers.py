"""The demo's dossiers: the stories of ``dossier_data`` played through the real services.

Each story submits a dossier (online through ``dossier_submit``, at a counter
through ``dossier_counter_intake``) and plays its actions through the
workflow services, each at its moment in the past (``now``), counted in
working time back from when the demo is loaded. The back office then opens
on dossiers waiting for intake, at every step of their process, overdue, due
soon and early, and finished in every way.
"""

from __future__ import annotations

import datetime as dt
import itertools
import textwrap
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from motcua.calendar import selectors as calendar
from motcua.calendar.models import DayKind, SpecialDay
from motcua.catalog.models import Component, Procedure, ProcedureVersion
from motcua.core.errors import DomainError
from motcua.dossiers.models import ApplicantKind, Delivery, Dossier, DossierState
from motcua.dossiers.services import ReceivedComponent, dossier_submit, valid_id_number
from motcua.organisation.models import Agency
from motcua.payments.services import payment_record_counter
from motcua.staff.models import Role
from motcua.workflow import services as workflow
from motcua.workflow.models import DossierStep, StepKind
from motcua.workflow.selectors import role_holders

from .dossier_data import COMPANIES, EFORMS, PEOPLE, STORIES, Person, Story

# Marks the demo's online dossiers; the first story is online, so its key tells the
# demo's dossiers were made.
KEY_PREFIX = "demo-"
# How far back the stories reach, in calendar days (about 19 working days, and Tết).
WINDOW_DAYS = 60
PAPER = "Bản demo - không có giá trị pháp lý"
RESULT_TOP = 730  # a result's first line: below the QR code's zone (esign.pdf.qr_zone, 746 on A4)


class DemoStoryError(Exception):
    """A demo story could not be played (a service refused it): the data must be fixed."""


def demo_dossiers_load(*, now: dt.datetime | None = None) -> int:
    """Play every demo story once; return how many dossiers were made.

    Does nothing (returns 0) when the demo's dossiers exist already, so a
    rerun changes nothing. Runs in the caller's transaction.
    """
    if Dossier.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists():
        return 0
    clock = WorkingClock(now or timezone.now())
    staff = Staff()
    for number, story in enumerate(STORIES, start=1):
        try:
            _play(number, story, clock, staff)
        except DomainError as exc:
            raise DemoStoryError(
                f"story {number} ({story.procedure}): {exc.message} {exc.field_errors}"
            ) from exc
    return len(STORIES)


class WorkingClock:
    """Moments a number of working hours before ``now``, on the calendar's working-time axis.

    Only the morning and afternoon periods of working days count, as in the
    calendar's due dates: 8 working hours before Tuesday 9:00 is the
    previous Friday 15:30 when Monday is a holiday.
    """

    def __init__(self, now: dt.datetime) -> None:
        self.now = timezone.localtime(now)
        hours = calendar.working_time_get()
        self._periods = [
            (hours.afternoon_start, hours.afternoon_end),
            (hours.morning_start, hours.morning_end),
        ]
        self._first = self.now.date() - dt.timedelta(days=WINDOW_DAYS)
        self._special = dict(
            SpecialDay.objects.filter(date__range=(self._first, self.now.date())).values_list(
                "date", "kind"
            )
        )

    def ago(self, hours: float) -> dt.datetime:
        """Return the moment ``hours`` working hours before now."""
        left = dt.timedelta(hours=hours)
        for begin, end in self._periods_back():
            if left <= end - begin:
                return end - left
            left -= end - begin
        raise DemoStoryError(f"{hours} working hours reach beyond {WINDOW_DAYS} days back")

    def _periods_back(self) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        tz = self.now.tzinfo
        day = self.now.date()
        while day >= self._first:
            kind = self._special.get(day)
            if (kind is None and day.weekday() < 5) or kind == DayKind.WORKING_DAY:
                for start, end in self._periods:
                    begin = dt.datetime.combine(day, start, tzinfo=tz)
                    finish = min(dt.datetime.combine(day, end, tzinfo=tz), self.now)
                    if finish > begin:
                        yield begin, finish
            day -= dt.timedelta(days=1)


class Staff:
    """The demo staff who act in the stories: the first holder of a role in an agency."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, int], Any] = {}

    def holder(self, role: str, agency_id: int) -> Any:
        key = (str(role), agency_id)
        if key not in self._found:
            user = role_holders(role=role, agency_id=agency_id).first()
            if user is None:
                name = Agency.objects.filter(pk=agency_id).values_list("name", flat=True).first()
                raise DemoStoryError(f"no demo account is {role} of {name}")
            self._found[key] = user
        return self._found[key]


# --- Dossiers coming in --------------------------------------------------------------------------


def identity_number(index: int) -> str:
    """Return the (made-up, well-formed) 12-digit identity number of ``PEOPLE[index]``.

    Province of birth registration, then century and sex (0/1 for men/women
    born in the 1900s, 2/3 in the 2000s), year of birth, and a serial number.
    """
    person = PEOPLE[index]
    century = 0 if person.born < 2000 else 2
    serial = (index * 7919 + 104729) % 1_000_000
    number = f"{person.province}{century + person.female}{person.born % 100:02d}{serial:06d}"
    assert valid_id_number(number), number  # noqa: S101 - a mistake in the demo data
    return number


def _applicant(story: Story) -> dict[str, Any]:
    person: Person = PEOPLE[story.person]
    data = {
        "applicant_kind": ApplicantKind.PERSON,
        "applicant_name": person.name,
        "applicant_id_number": identity_number(story.person),
        "applicant_phone": person.phone,
        "applicant_address": person.address,
        "delivery": story.delivery,
    }
    if story.company:
        company, representative = COMPANIES[story.company]
        data |= {
            "applicant_kind": ApplicantKind.ORGANISATION,
            "applicant_name": company,
            "applicant_id_number": identity_number(representative),
        }
    if story.delivery == Delivery.POST:
        data["delivery_address"] = person.address
    return data


def _eform(story: Story, today: dt.date) -> dict[str, str]:
    answers = EFORMS.get(story.procedure, {}) | story.form
    data = {}
    for name, value in answers.items():
        text = str(value)
        if text.startswith("@-"):
            text = (today - dt.timedelta(days=int(text[2:]))).isoformat()
        elif text.startswith("#"):
            text = identity_number(int(text[1:]))
        data[f"eform-{name}"] = text
    return data


def ascii_text(text: str) -> str:
    """Return ``text`` without diacritics, case kept (the demo PDFs use a Latin-1 font)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if ch.isascii() and not unicodedata.combining(ch))


def minimal_pdf(lines: list[str], *, top: int = 780) -> bytes:
    """Return a valid one-page A4 PDF showing ``lines`` (ASCII), one below the other, the
    first one's baseline ``top`` points above the page's foot."""
    escaped = [
        ascii_text(line).replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        for line in lines
    ]
    text = " T* ".join(f"({line}) Tj" for line in escaped)
    stream = f"BT /F1 12 Tf 16 TL 56 {top} Td {text} ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _scan(component: Component, applicant: str) -> SimpleUploadedFile:
    pdf = minimal_pdf([component.name[:90], f"Nguoi nop: {applicant}", PAPER])
    return SimpleUploadedFile(f"{component.pk}.pdf", pdf, content_type="application/pdf")


def _required(version: ProcedureVersion) -> list[Component]:
    return [c for c in version.components.order_by("order", "id") if c.is_required]


def _come_in(number: int, story: Story, clock: WorkingClock, staff: Staff) -> tuple[Dossier, int]:
    """Submit or take the story's dossier; return it and how many acts that played."""
    procedure = Procedure.objects.select_related("current_version").get(code=story.procedure)
    version = procedure.current_version
    assert version is not None  # noqa: S101 - demo procedures are published
    data = _applicant(story)
    at = clock.ago(story.start)
    required = _required(version)
    if not story.counter:
        files = {f"component-{c.pk}": [_scan(c, data["applicant_name"])] for c in required}
        result = dossier_submit(
            procedure_code=procedure.code,
            data=data | _eform(story, clock.now.date()),
            files=files,
            idempotency_key=f"{KEY_PREFIX}{number:02d}",
            now=at,
        )
        return result.dossier, 0
    decision = story.acts[0]
    if decision.hours != story.start:
        raise DemoStoryError(f"story {number}: a counter dossier is decided when it comes in")
    unit = Agency.objects.get(code=story.counter)
    # Asked for a supplement: the last required paper was not brought.
    brought = required[:-1] if decision.action == "supplement" else required
    received = [
        ReceivedComponent(
            component_id=c.pk,
            originals=c.originals,
            copies=c.copies,
            files=[_scan(c, data["applicant_name"])],
        )
        for c in brought
    ]
    dossier = workflow.dossier_counter_intake(
        actor=staff.holder(Role.RECEIVING_OFFICER, unit.pk),
        unit=unit,
        procedure_code=procedure.code,
        data=data,
        received=received,
        decision=workflow.CounterDecision(
            action=decision.action,
            reason=story.note or "Hồ sơ chưa đầy đủ thành phần theo quy định",
            missing=[story.note] if decision.action == "supplement" and story.note else [],
        ),
        now=at,
    )
    _paid_when_asked(dossier.pk, staff.holder(Role.RECEIVING_OFFICER, unit.pk), at)
    return dossier, 1


def _paid_when_asked(dossier_id: int, officer: Any, at: dt.datetime) -> None:
    """Pay at the counter, at once, the fees a dossier was just asked for (cash)."""
    state = Dossier.objects.values_list("state", flat=True).get(pk=dossier_id)
    if state == DossierState.PAYMENT_REQUESTED:
        payment_record_counter(
            dossier=dossier_id,
            actor=officer,
            method="cash",
            receipt_number=f"DEMO-{dossier_id:05d}",
            now=at,
        )


# --- What happens next ---------------------------------------------------------------------------


@dataclass
class Scene:
    """A dossier at one moment of its story: who is there to act."""

    dossier: Dossier
    at: dt.datetime
    note: str
    staff: Staff

    @property
    def step(self) -> DossierStep:
        step = (
            DossierStep.objects.select_related("step")
            .filter(dossier_id=self.dossier.pk, finished_at__isnull=True)
            .first()
        )
        if step is None:
            raise DemoStoryError(f"{self.dossier.code} is at no step")
        return step

    @property
    def officer(self) -> Any:
        return self.staff.holder(Role.RECEIVING_OFFICER, self.dossier.receiving_unit_id)

    @property
    def leader(self) -> Any:
        return self.staff.holder(Role.LEADER, self.dossier.competent_agency_id)

    @property
    def worker(self) -> Any:
        """Return who works the open step: its assignee, or a holder of its role there."""
        step = self.step
        if step.assignee_id is not None:
            return get_user_model().objects.get(pk=step.assignee_id)
        return self.staff.holder(step.role, step.agency_id)


def _result(scene: Scene) -> Any:
    dossier = scene.dossier
    name = dossier.procedure_version.result_name or "Văn bản trả lời kết quả giải quyết"
    # Below the top-left corner, where the signed copy gets its QR code (esign.pdf.qr_zone).
    pdf = minimal_pdf(
        [
            "KET QUA GIAI QUYET THU TUC HANH CHINH",
            f"Ho so: {dossier.code}",
            *textwrap.wrap(name, 80),
            f"Nguoi nhan: {dossier.applicant_name}",
            PAPER,
        ],
        top=RESULT_TOP,
    )
    upload = SimpleUploadedFile("ket-qua.pdf", pdf, content_type="application/pdf")
    return workflow.dossier_result_record(
        dossier=dossier.pk, actor=scene.worker, name=name, upload=upload, now=scene.at
    )


def _supplement(scene: Scene) -> Any:
    open_step = DossierStep.objects.filter(dossier_id=scene.dossier.pk, finished_at__isnull=True)
    processing = open_step.filter(step__kind=StepKind.PROCESS).exists()
    return workflow.dossier_request_supplement(
        dossier=scene.dossier.pk,
        actor=scene.worker if processing else scene.officer,
        missing=[scene.note],
        reason="Hồ sơ chưa đầy đủ, chưa đúng quy định",
        now=scene.at,
    )


def _assign(scene: Scene) -> Any:
    step = scene.step
    return workflow.dossier_assign(
        dossier=scene.dossier.pk,
        actor=scene.staff.holder(Role.LEADER, step.agency_id),
        assignee=scene.staff.holder(step.role, step.agency_id),
        now=scene.at,
    )


def _extend(scene: Scene) -> Any:
    new_due = calendar.due_date(start=scene.dossier.due_at, working_days=3).due_at
    return workflow.dossier_extend(
        dossier=scene.dossier.pk,
        actor=scene.leader,
        reason=scene.note,
        new_due_at=new_due,
        now=scene.at,
    )


def _withdrawal_answer(scene: Scene) -> Any:
    accepted = DossierStep.objects.filter(dossier_id=scene.dossier.pk).exists()
    return workflow.dossier_withdrawal_decide(
        dossier=scene.dossier.pk,
        actor=scene.leader if accepted else scene.officer,
        approve=True,
        note="Đồng ý cho rút hồ sơ",
        now=scene.at,
    )


def _return(scene: Scene) -> Any:
    dossier = scene.dossier
    if dossier.delivery == Delivery.POST:
        to_whom = f"Bưu điện chuyển phát đến {dossier.delivery_address}"
    elif dossier.delivery == Delivery.ONLINE:
        to_whom = f"{dossier.applicant_name}, nhận bản điện tử trên Cổng dịch vụ công"
    else:
        to_whom = f"{dossier.applicant_name}, CCCD {dossier.applicant_id_number}"
    return workflow.dossier_return_result(
        dossier=dossier.pk, actor=scene.officer, to_whom=to_whom, now=scene.at
    )


def _simple(action: Callable[..., Any], who: str, **extra: Any) -> Callable[[Scene], Any]:
    """Return a player of a service that needs only the dossier, an actor and ``now``."""

    def play(scene: Scene) -> Any:
        texts = {k: scene.note if v is None else v for k, v in extra.items()}
        return action(dossier=scene.dossier.pk, actor=getattr(scene, who), now=scene.at, **texts)

    return play


def _then_paid(play: Callable[[Scene], Any]) -> Callable[[Scene], Any]:
    """Return ``play`` followed by the counter payment of the fees it asked for, if any."""

    def run(scene: Scene) -> Any:
        done = play(scene)
        _paid_when_asked(scene.dossier.pk, scene.officer, scene.at)
        return done

    return run


PLAYERS: dict[str, Callable[[Scene], Any]] = {
    # The demo's applicants pay their fees at once, at the counter, when asked for them.
    "accept": _then_paid(_simple(workflow.dossier_accept, "officer")),
    "refuse": _simple(workflow.dossier_refuse, "officer", reasons=None),
    "supplement": _supplement,
    "supplied": _simple(
        workflow.dossier_receive_supplement, "officer", note="Đã nhận đủ giấy tờ bổ sung"
    ),
    "claim": lambda scene: workflow.dossier_claim(
        dossier=scene.dossier.pk,
        actor=scene.staff.holder(scene.step.role, scene.step.agency_id),
        now=scene.at,
    ),
    "assign": _assign,
    "forward": _simple(workflow.dossier_forward, "worker"),
    "back": _simple(workflow.dossier_send_back, "worker", reason=None),
    "result": _result,
    "processed": _then_paid(_simple(workflow.dossier_mark_processed, "worker")),
    "extend": _extend,
    "stop": _simple(workflow.dossier_stop, "leader", reason=None),
    "withdraw": lambda scene: workflow.dossier_withdrawal_request(
        dossier=scene.dossier.pk, reason=scene.note, now=scene.at
    ),
    "withdraw_ok": _withdrawal_answer,
    "return": _return,
}


def _play(number: int, story: Story, clock: WorkingClock, staff: Staff) -> Dossier:
    hours = [story.start, *(act.hours for act in story.acts)]
    if any(later > earlier for earlier, later in itertools.pairwise(hours)):
        raise DemoStoryError(f"story {number}: its actions must go forward in time")
    dossier, played = _come_in(number, story, clock, staff)
    for act in story.acts[played:]:
        dossier = Dossier.objects.select_related("procedure_version").get(pk=dossier.pk)
        PLAYERS[act.action](Scene(dossier, clock.ago(act.hours), story.note, staff))
    return dossier
