"""Recompute the due dates of running dossiers after a change of the working-day calendar.

A change of the calendar (a day off entered, a season's hours) applies to due
dates computed from then on; dossiers already running keep theirs, unless an
administrator asks, on /admin/calendar/recompute/, to recompute them: the page
shows how many would move (the first ``PREVIEW_LIMIT`` listed), then moves
them in one go, each with a public timeline entry "old -> new", and writes one
audit entry.

The rule: what the workflow services would have computed had the new calendar
been in force all along, from what the dossier's row and timeline recorded.

* ``due_at`` is the legal time from ``received_at``
  (``dossier_due_at(version, received_at)``) pushed by each supplement pause
  since then that has ended (a ``SUPPLEMENT_REQUESTED`` and the
  ``SUPPLEMENT_RECEIVED`` after it), each measured with the new calendar as
  ``timing.pushed_by_pause`` measures it on receipt. A pause still open
  pushes nothing yet: it will on receipt.
* A dossier extended with an apology keeps the ``due_at`` its leader chose;
  its ``original_due_at`` is recomputed as above, with the pauses that ended
  before the extension (the due date the extension replaced).
* An online dossier waiting for intake gets ``intake_due_at`` =
  ``online_answer_due_at`` of its submission, or of the last supplement that
  brought it back to intake: the services restart the answer time then.
* Its open processing step gets ``timing.step_due_at(start=started_at,
  share, legal, dossier_due_at=<the dossier's due when the step started>)``
  pushed by the pauses since the step started, and never after the
  dossier's due. ``legal`` is the working time from receipt to the legal due
  date, so a dossier spanning seasons gets the hours of its own days.

Under an unchanged calendar this reproduces what the services stored, so
nothing moves. Refused as a whole, with the dossiers named, if it would put
the due date (or answer date) of a dossier in the past while the current one
is not. Only this module writes ``EventKind.DUE_RECOMPUTED``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.decorators import user_passes_test
from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.cache import never_cache

from motcua.audit.services import audit_record
from motcua.calendar import selectors as calendar
from motcua.catalog.models import ProcedureVersion
from motcua.core.errors import Conflict, DomainError, ValidationFailed
from motcua.dossiers.models import Dossier, DossierEvent, DossierState, EventKind
from motcua.dossiers.services import dossier_due_at, online_answer_due_at
from motcua.workflow import timing
from motcua.workflow.models import DossierStep, StepKind

PREVIEW_LIMIT = 200
BATCH_SIZE = 1000
NAMED_IN_REFUSAL = 20
PERMISSION = "calendar.change_specialday"
CALENDAR_CHANGED = _(
    "The calendar changed since this page was drawn: look at what would move again, "
    "then confirm. Nothing was recomputed."
)
INTO_THE_PAST = ngettext_lazy(
    "Nothing was recomputed: with this calendar, the due date of %(count)s running dossier "
    "would already be past while its current one is not: %(codes)s. Check the calendar, or "
    "settle this dossier first.",
    "Nothing was recomputed: with this calendar, the due dates of %(count)s running dossiers "
    "would already be past while their current ones are not: %(codes)s. Check the calendar, "
    "or settle these dossiers first.",
    "count",
)
ACTOR_LABEL = _("Calendar administration")
NOTE_DUE = _("Due")
NOTE_ANSWER = _("Answer due")
NOTE_ORIGINAL = _("Due before the extension")
NOTE_STEP = _("Step due")
RECOMPUTED = ngettext_lazy(
    "Due dates recomputed: %(count)s running dossier moved.",
    "Due dates recomputed: %(count)s running dossiers moved.",
    "count",
)
NOTHING_MOVED = _("No running dossier moves: nothing was changed.")
TIMELINE_KINDS = (
    EventKind.SUPPLEMENT_REQUESTED,
    EventKind.SUPPLEMENT_RECEIVED,
    EventKind.EXTENDED,
)
DOSSIER_FIELDS = (
    "id",
    "code",
    "state",
    "status",
    "revision",
    "procedure_version_id",
    "submitted_at",
    "received_at",
    "due_at",
    "original_due_at",
    "intake_due_at",
    "processing_case",
)


@dataclass(frozen=True)
class Dues:
    """The due dates of a running dossier that a calendar change may move."""

    due_at: dt.datetime
    original_due_at: dt.datetime | None
    intake_due_at: dt.datetime | None
    step_due_at: dt.datetime | None


@dataclass(frozen=True)
class Move:
    """A running dossier whose due dates would change: before and after."""

    dossier_id: int
    code: str
    state: str
    status: int
    revision: int
    step_id: int | None
    old: Dues
    new: Dues

    @property
    def state_label(self) -> str:
        return str(DossierState(self.state).label)

    @property
    def waits_for_intake(self) -> bool:
        return self.state == DossierState.SUBMITTED and self.old.intake_due_at is not None

    @property
    def shown_old(self) -> dt.datetime | None:
        """The date the applicant is waiting for: the answer at intake, else the due date."""
        return self.old.intake_due_at if self.waits_for_intake else self.old.due_at

    @property
    def shown_new(self) -> dt.datetime | None:
        return self.new.intake_due_at if self.waits_for_intake else self.new.due_at

    @property
    def changes(self) -> list[tuple[str, dt.datetime | None, dt.datetime | None]]:
        """Return what moves: (what, before, after) for each due date that changes."""
        pairs = [
            (NOTE_DUE, self.old.due_at, self.new.due_at),
            (NOTE_ANSWER, self.old.intake_due_at, self.new.intake_due_at),
            (NOTE_ORIGINAL, self.old.original_due_at, self.new.original_due_at),
            (NOTE_STEP, self.old.step_due_at, self.new.step_due_at),
        ]
        return [(str(what), old, new) for what, old, new in pairs if old != new]

    def into_the_past(self, now: dt.datetime) -> bool:
        """Tell whether a due date the dossier still had would be past with the new calendar."""
        pairs: list[tuple[dt.datetime | None, dt.datetime | None]] = [
            (self.old.due_at, self.new.due_at)
        ]
        if self.waits_for_intake:
            pairs.append((self.old.intake_due_at, self.new.intake_due_at))
        return any(old is not None and new is not None and old >= now > new for old, new in pairs)


@dataclass(frozen=True)
class Preview:
    """What a recomputation would do now: how many running dossiers move, and which."""

    now: dt.datetime
    running: int
    moving: int
    moves: list[Move]
    refused: list[Move]
    fingerprint: str


@dataclass(frozen=True)
class _Pause:
    requested: dt.datetime
    received: dt.datetime


@dataclass(frozen=True)
class _Step:
    id: int
    started_at: dt.datetime
    due_at: dt.datetime | None
    kind: str
    share: Decimal


@dataclass
class _Timeline:
    pauses: list[_Pause]
    extended_at: dt.datetime | None
    back_to_intake_at: dt.datetime | None


def may_recompute(user: Any) -> bool:
    """Tell whether ``user`` may recompute due dates: a superuser, or staff editing the calendar."""
    return bool(
        user.is_active and user.is_staff and (user.is_superuser or user.has_perm(PERMISSION))
    )


def dossier_dues_preview(*, now: dt.datetime | None = None, limit: int = PREVIEW_LIMIT) -> Preview:
    """Return how many running dossiers a recomputation would move now, and the first ``limit``.

    Reads the running dossiers in batches (their rows, timelines and open
    steps), and the calendar once; writes nothing and locks nothing.
    """
    now = now or timezone.now()
    moves: list[Move] = []
    refused: list[Move] = []
    moving = running = 0
    with calendar.calendar_snapshot():
        fingerprint = calendar.calendar_fingerprint()
        for batch_running, batch_moves in _batches(now):
            running += batch_running
            moving += len(batch_moves)
            moves.extend(batch_moves[: max(0, limit - len(moves))])
            refused.extend(m for m in batch_moves if m.into_the_past(now))
    return Preview(now, running, moving, moves, refused, fingerprint)


def dossier_dues_recompute(
    *, actor: Any, expected_fingerprint: str | None = None, now: dt.datetime | None = None
) -> int:
    """Move running dossiers' due dates to what the calendar gives now; return how many moved.

    All at once or nothing: a first pass without locks finds the dossiers
    that move; then, in one transaction, they are locked
    (``select_for_update``, with their open steps) in batches, recomputed
    under the lock, and written with a public timeline entry each and one
    audit entry. Raises ``Conflict`` if ``expected_fingerprint`` (the
    calendar the administrator previewed) is not the calendar now, and
    ``ValidationFailed`` naming the dossiers whose due date would fall in the
    past while their current one does not; nothing is changed then.
    """
    now = now or timezone.now()
    with calendar.calendar_snapshot():
        _check_calendar(expected_fingerprint)
        candidates = [m.dossier_id for _running, batch in _batches(now) for m in batch]
    if not candidates:
        return 0
    with transaction.atomic(), calendar.calendar_snapshot():
        _check_calendar(expected_fingerprint)
        moves: list[Move] = []
        for chunk in _chunks(candidates, BATCH_SIZE):
            rows = list(
                Dossier.objects.select_for_update(of=("self",))
                .filter(pk__in=chunk, finished_at__isnull=True)
                .order_by("pk")
                .values(*DOSSIER_FIELDS)
            )
            moves.extend(_moves(rows, now, lock=True))
        refused = [m for m in moves if m.into_the_past(now)]
        if refused:
            raise _refusal(refused)
        _write(moves, actor=actor, now=now)
    return len(moves)


def _check_calendar(expected: str | None) -> None:
    if expected is not None and expected != calendar.calendar_fingerprint():
        raise Conflict(CALENDAR_CHANGED)


def _refusal(refused: Sequence[Move]) -> ValidationFailed:
    codes = ", ".join(m.code for m in refused[:NAMED_IN_REFUSAL])
    if len(refused) > NAMED_IN_REFUSAL:
        codes += ", …"
    return ValidationFailed(INTO_THE_PAST % {"count": len(refused), "codes": codes})


def _chunks(items: Iterable[int], size: int) -> Iterator[list[int]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _batches(now: dt.datetime) -> Iterator[tuple[int, list[Move]]]:
    """Yield, batch by batch of running dossiers, how many were read and those that move."""
    last = 0
    while True:
        rows = list(
            Dossier.objects.filter(finished_at__isnull=True, pk__gt=last)
            .order_by("pk")
            .values(*DOSSIER_FIELDS)[:BATCH_SIZE]
        )
        if not rows:
            return
        last = rows[-1]["id"]
        yield len(rows), _moves(rows, now, lock=False)


def _moves(rows: Sequence[dict[str, Any]], now: dt.datetime, *, lock: bool) -> list[Move]:
    """Return the moves of these dossier rows, reading their timelines and open steps."""
    ids = [row["id"] for row in rows]
    versions = {
        v.pk: v
        for v in ProcedureVersion.objects.filter(
            pk__in={row["procedure_version_id"] for row in rows}
        ).only("id", "processing_time_value", "processing_time_unit")
    }
    timelines = _timelines(ids)
    steps = DossierStep.objects.filter(dossier_id__in=ids, finished_at__isnull=True)
    if lock:
        steps = steps.select_for_update(of=("self",))
    open_steps = {
        dossier_id: _Step(pk, started_at, due_at, kind, share)
        for pk, dossier_id, started_at, due_at, kind, share in steps.values_list(
            "id", "dossier_id", "started_at", "due_at", "step__kind", "step__share"
        )
    }
    moves = []
    for row in rows:
        step = open_steps.get(row["id"])
        old = Dues(
            row["due_at"],
            row["original_due_at"],
            row["intake_due_at"],
            step.due_at if step else None,
        )
        new = _recomputed(row, versions[row["procedure_version_id"]], timelines[row["id"]], step)
        if new != old:
            moves.append(
                Move(
                    dossier_id=row["id"],
                    code=row["code"],
                    state=row["state"],
                    status=row["status"],
                    revision=row["revision"],
                    step_id=step.id if step else None,
                    old=old,
                    new=new,
                )
            )
    return moves


def _timelines(ids: Sequence[int]) -> dict[int, _Timeline]:
    """Return the ended pauses, the extension and the last return to intake of each dossier."""
    timelines: dict[int, _Timeline] = defaultdict(lambda: _Timeline([], None, None))
    requested: dict[int, dt.datetime] = {}
    events = (
        DossierEvent.objects.filter(dossier_id__in=ids, kind__in=TIMELINE_KINDS)
        .order_by("dossier_id", "at", "id")
        .values_list("dossier_id", "kind", "at", "to_state")
    )
    for dossier_id, kind, at, to_state in events:
        timeline = timelines[dossier_id]
        if kind == EventKind.SUPPLEMENT_REQUESTED:
            requested[dossier_id] = at
        elif kind == EventKind.SUPPLEMENT_RECEIVED:
            start = requested.pop(dossier_id, None)
            if start is not None:
                timeline.pauses.append(_Pause(start, at))
            if to_state == DossierState.SUBMITTED:
                timeline.back_to_intake_at = at
        elif timeline.extended_at is None:
            timeline.extended_at = at
    return timelines


def _pushed(due: dt.datetime, pauses: Iterable[_Pause]) -> dt.datetime:
    for pause in pauses:
        due = timing.pushed_by_pause(due, paused_at=pause.requested, now=pause.received)
    return due


def _recomputed(
    row: dict[str, Any], version: ProcedureVersion, timeline: _Timeline, step: _Step | None
) -> Dues:
    """Return the due dates the current calendar gives this dossier (see the module's rule)."""
    received: dt.datetime = row["received_at"]
    legal_due = dossier_due_at(version, received, case=row["processing_case"])
    since_receipt = [p for p in timeline.pauses if p.requested >= received]
    due = _pushed(legal_due, since_receipt)
    original = None
    extended_at = timeline.extended_at
    if row["original_due_at"] is not None:
        ended_before = [
            p for p in since_receipt if extended_at is None or p.received <= extended_at
        ]
        original = _pushed(legal_due, ended_before)
        due = row["due_at"]
    intake = row["intake_due_at"]
    if intake is not None and row["state"] == DossierState.SUBMITTED:
        intake = online_answer_due_at(timeline.back_to_intake_at or row["submitted_at"])
    step_due = step.due_at if step else None
    if step is not None and step.due_at is not None and step.kind == StepKind.PROCESS:
        if (
            extended_at is not None
            and row["original_due_at"] is not None
            and (extended_at <= step.started_at)
        ):
            cap = due
        else:
            cap = _pushed(legal_due, [p for p in since_receipt if p.received <= step.started_at])
        legal = _legal_hours(version, received=received, legal_due=legal_due, cap=cap)
        budget_due = timing.step_due_at(
            start=step.started_at, share=step.share, legal=legal, dossier_due_at=cap
        )
        later = [p for p in timeline.pauses if p.requested >= step.started_at]
        step_due = min(_pushed(budget_due, later), due)
    return Dues(due, original, intake, step_due)


def _legal_hours(
    version: ProcedureVersion, *, received: dt.datetime, legal_due: dt.datetime, cap: dt.datetime
) -> Decimal:
    """Return the legal time in working hours, as the services give it to a step.

    A limit in working days is the working time from receipt to the legal due
    date, so with seasons each day counts its own hours.
    """
    return timing.legal_hours(version, received_at=received, legal_due=legal_due)


def _when(moment: dt.datetime | None) -> str:
    # Numbers only, as on the forms (dd/mm/yyyy hh:mm), whatever the language.
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else "-"


def _note(move: Move) -> tuple[str, bool]:
    """Return the timeline note "old -> new" of a move, and whether it is public."""
    old, new = move.old, move.new
    lines = []
    if old.due_at != new.due_at:
        lines.append(f"{_when(old.due_at)} → {_when(new.due_at)}")
    if old.intake_due_at != new.intake_due_at:
        lines.append(f"{NOTE_ANSWER}: {_when(old.intake_due_at)} → {_when(new.intake_due_at)}")
    if old.original_due_at != new.original_due_at:
        lines.append(
            f"{NOTE_ORIGINAL}: {_when(old.original_due_at)} → {_when(new.original_due_at)}"
        )
    public = bool(lines)
    if old.step_due_at != new.step_due_at:
        lines.append(f"{NOTE_STEP}: {_when(old.step_due_at)} → {_when(new.step_due_at)}")
    return "\n".join(lines), public


def _write(moves: Sequence[Move], *, actor: Any, now: dt.datetime) -> None:
    """Write the moves: dossiers, open steps, one timeline entry each, one audit entry."""
    _update_rows(
        Dossier,
        ["due_at", "original_due_at", "intake_due_at", "updated_at"],
        [
            (m.dossier_id, [m.new.due_at, m.new.original_due_at, m.new.intake_due_at, now])
            for m in moves
        ],
        increment="revision",
    )
    _update_rows(
        DossierStep,
        ["due_at"],
        [
            (m.step_id, [m.new.step_due_at])
            for m in moves
            if m.step_id is not None and m.old.step_due_at != m.new.step_due_at
        ],
    )
    # Notes are stored text: written in the site's language, whoever asked.
    with translation.override(settings.LANGUAGE_CODE):
        label = str(ACTOR_LABEL)
        events = []
        for move in moves:
            note, public = _note(move)
            events.append(
                DossierEvent(
                    dossier_id=move.dossier_id,
                    at=now,
                    kind=EventKind.DUE_RECOMPUTED,
                    actor_id=getattr(actor, "pk", None),
                    actor_label=label,
                    from_status=move.status,
                    to_status=move.status,
                    from_state=move.state,
                    to_state=move.state,
                    note=note,
                    is_public=public,
                )
            )
    DossierEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
    audit_record(
        action="workflow.due_recompute",
        target=("dossiers.dossier", "", f"{len(moves)} dossiers"),
        actor=actor,
        before={m.code: _dues_json(m.old) for m in moves},
        after={m.code: _dues_json(m.new) for m in moves},
        note=calendar.calendar_fingerprint(),
        at=now,
    )


def _update_rows(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple[int, Sequence[Any]]],
    *,
    increment: str | None = None,
) -> None:
    """Set ``fields`` of each row ``(pk, values)``, and add one to ``increment``: one statement.

    Run as one parametrised ``UPDATE ... WHERE pk = %s`` for all rows
    (``executemany``): ``bulk_update``'s CASE expressions cost seconds of
    Python for a few thousand rows. Values are prepared by their fields, as
    the ORM would.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    meta = model._meta
    columns = [_concrete(model, name) for name in fields]
    assignments = [f"{quote(_column(field))} = %s" for field in columns]
    if increment is not None:
        column = quote(_column(_concrete(model, increment)))
        assignments.append(f"{column} = {column} + 1")
    # Identifiers come from the model's metadata; every value is a parameter.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(assignments)} "  # noqa: S608
        f"WHERE {quote(_column(_concrete(model, 'id')))} = %s"
    )
    params = [
        [
            field.get_db_prep_value(value, connection)
            for field, value in zip(columns, values, strict=True)
        ]
        + [pk]
        for pk, values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _concrete(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)  # noqa: S101 - our own columns
    return field


def _column(field: models.Field[Any, Any]) -> str:
    assert field.column is not None  # noqa: S101 - a concrete field has its column
    return field.column


def _dues_json(dues: Dues) -> dict[str, str | None]:
    def iso(moment: dt.datetime | None) -> str | None:
        return timezone.localtime(moment).isoformat() if moment else None

    return {
        "due_at": iso(dues.due_at),
        "original_due_at": iso(dues.original_due_at),
        "intake_due_at": iso(dues.intake_due_at),
        "step_due_at": iso(dues.step_due_at),
    }


# --- The page -----------------------------------------------------------------------------------


def _signed_in_staff(user: Any) -> bool:
    return bool(user.is_authenticated)


@never_cache
@user_passes_test(_signed_in_staff, login_url="admin:login")
def due_recompute_view(request: HttpRequest) -> HttpResponse:
    """Show how many running dossiers would move with the current calendar; move them on confirm.

    Staff only: a superuser, or Django staff who may change special days.
    """
    if not may_recompute(request.user):
        raise PermissionDenied
    error: str | None = None
    if request.method == "POST":
        try:
            moved = dossier_dues_recompute(
                actor=request.user, expected_fingerprint=request.POST.get("fingerprint", "")
            )
        except DomainError as exc:
            error = str(exc.message)
        else:
            if moved:
                messages.success(request, RECOMPUTED % {"count": moved})
            else:
                messages.info(request, NOTHING_MOVED)
            return HttpResponseRedirect(request.path)
    preview = dossier_dues_preview()
    context = {
        **admin.site.each_context(request),
        "title": _("Recompute the due dates of running dossiers"),
        "preview": preview,
        "rest": preview.moving - len(preview.moves),
        "error": error,
        "limit": PREVIEW_LIMIT,
        "refused_codes": ", ".join(m.code for m in preview.refused[:NAMED_IN_REFUSAL]),
        "summary": ngettext(
            "%(moving)s of %(running)s running dossier would move.",
            "%(moving)s of %(running)s running dossiers would move.",
            preview.running,
        )
        % {"moving": preview.moving, "running": preview.running},
    }
    return TemplateResponse(request, "workflow/due_recompute.html", context)
