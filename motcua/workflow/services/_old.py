"""Workflow actions on a dossier: each one service, atomic, writing its timeline entry.

Every action locks the dossier row (``select_for_update``), checks that the
dossier's state allows it and that the actor holds the right role in the right
agency, then changes the state through ``_transition``, the one place where a
dossier's state (and the national status derived from it) changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.calendar import selectors as calendar
from motcua.catalog.models import TimeUnit
from motcua.core.errors import Conflict, Forbidden, ValidationFailed
from motcua.dossiers.models import (
    STATE_STATUS,
    Dossier,
    DossierEvent,
    DossierState,
    EventKind,
)
from motcua.staff.models import Role
from motcua.staff.selectors import user_has_role

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOT_WAITING_FOR_INTAKE = _("This dossier is no longer waiting for intake.")
NOT_WAITING_FOR_SUPPLEMENT = _("This dossier is not waiting for a supplement.")
SUPPLEMENT_NOT_ALLOWED = _("A supplement can be requested only while the dossier is open.")
NOT_ALLOWED_ROLE = _("You do not hold a role that may do this for this dossier's agency.")
REASON_REQUIRED = _("Give the reason.")
MISSING_ITEMS_REQUIRED = _("List at least one missing or incorrect component.")

EXTENSION_ONCE = _("The due date has already been extended once; it cannot be extended again.")
EXTENSION_TOO_LATE = _("An extension must be asked at least one working day before the due date.")
EXTENSION_NOT_LATER = _("The new date must come after the current due date.")
NOT_IN_PROCESS = _("This dossier is not being processed.")
RESULT_BEFORE_PROCESSED = _("The result can be returned only once the dossier is processed.")
RECIPIENT_REQUIRED = _("Say to whom the result was returned.")

_OPEN_STATES = (DossierState.SUBMITTED, DossierState.ACCEPTED, DossierState.IN_PROCESS)


def _locked(dossier: Dossier) -> Dossier:
    return Dossier.objects.select_for_update().get(pk=dossier.pk)


def _require_state(dossier: Dossier, states: Iterable[str], message: object) -> None:
    if dossier.state not in set(states):
        raise Conflict(str(message))


def _require_role(actor: User, roles: Sequence[Role], agency_ids: Iterable[int]) -> None:
    if not any(user_has_role(user=actor, roles=roles, agency_id=a) for a in agency_ids):
        raise Forbidden(NOT_ALLOWED_ROLE)


def _transition(
    dossier: Dossier,
    *,
    to_state: DossierState,
    actor: User,
    kind: EventKind,
    note: str = "",
    now: dt.datetime,
    actor_label: str = "",
) -> None:
    """Move ``dossier`` to ``to_state``, derive its national status, and log the change.

    The caller holds the row lock and sets the dossier's other fields first;
    this saves the whole row and writes the timeline entry (actor, time, from
    and to state and status, note) in the caller's transaction.
    """
    from_state, from_status = dossier.state, dossier.status
    dossier.state = to_state
    dossier.status = STATE_STATUS[to_state]
    dossier.save()
    DossierEvent.objects.create(
        dossier=dossier,
        at=now,
        kind=kind,
        actor=actor,
        actor_label=actor_label,
        from_status=from_status,
        to_status=dossier.status,
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _due_from(dossier: Dossier, start: dt.datetime) -> dt.datetime:
    version = dossier.procedure_version
    if version.processing_time_unit == TimeUnit.WORKING_HOURS:
        return calendar.due_date(start=start, working_hours=version.processing_time_value).due_at
    return calendar.due_date(start=start, working_days=version.processing_time_value).due_at


def _intake_agencies(dossier: Dossier) -> tuple[int, int]:
    return (dossier.receiving_unit_id, dossier.competent_agency_id)


def dossier_accept(
    *, dossier: Dossier, actor: User, note: str = "", now: dt.datetime | None = None
) -> Dossier:
    """Accept a dossier waiting for intake; its due date is recomputed from now.

    Locks the dossier row (``select_for_update``); of two officers accepting at
    once, the second finds it accepted and gets a ``Conflict``.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(dossier)
        _require_state(locked, [DossierState.SUBMITTED], NOT_WAITING_FOR_INTAKE)
        _require_role(actor, [Role.RECEIVING_OFFICER], _intake_agencies(locked))
        locked.received_at = now
        locked.due_at = _due_from(locked, now)
        _transition(
            locked,
            to_state=DossierState.ACCEPTED,
            actor=actor,
            kind=EventKind.ACCEPTED,
            note=note,
            now=now,
            actor_label=str(Role.RECEIVING_OFFICER.label),
        )
    return locked


def dossier_refuse(
    *, dossier: Dossier, actor: User, reasons: str, now: dt.datetime | None = None
) -> Dossier:
    """Refuse a dossier at intake with reasons (form 03).

    Locks the dossier row (``select_for_update``).
    """
    now = now or timezone.now()
    if not reasons.strip():
        raise ValidationFailed(REASON_REQUIRED, field_errors={"reasons": [REASON_REQUIRED]})
    with transaction.atomic():
        locked = _locked(dossier)
        _require_state(locked, [DossierState.SUBMITTED], NOT_WAITING_FOR_INTAKE)
        _require_role(actor, [Role.RECEIVING_OFFICER], _intake_agencies(locked))
        _transition(
            locked,
            to_state=DossierState.REFUSED,
            actor=actor,
            kind=EventKind.REFUSED,
            note=reasons.strip(),
            now=now,
            actor_label=str(Role.RECEIVING_OFFICER.label),
        )
    return locked


def dossier_request_supplement(
    *,
    dossier: Dossier,
    actor: User,
    missing: Sequence[str],
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Ask the applicant, in one go, for everything missing (form 02); the clock stops.

    Locks the dossier row (``select_for_update``). The request is counted:
    more than one counts the dossier as late in the indicators.
    """
    now = now or timezone.now()
    items = [m.strip() for m in missing if m.strip()]
    if not items:
        raise ValidationFailed(
            MISSING_ITEMS_REQUIRED, field_errors={"missing": [MISSING_ITEMS_REQUIRED]}
        )
    if not reason.strip():
        raise ValidationFailed(REASON_REQUIRED, field_errors={"reason": [REASON_REQUIRED]})
    with transaction.atomic():
        locked = _locked(dossier)
        _require_state(locked, _OPEN_STATES, SUPPLEMENT_NOT_ALLOWED)
        _require_role(actor, [Role.RECEIVING_OFFICER, Role.SPECIALIST], _intake_agencies(locked))
        locked.supplement_requests += 1
        locked.paused_at = now
        _transition(
            locked,
            to_state=DossierState.SUPPLEMENT_REQUESTED,
            actor=actor,
            kind=EventKind.SUPPLEMENT_REQUESTED,
            note="\n".join([reason.strip(), *(f"- {m}" for m in items)]),
            now=now,
            actor_label=str(Role.RECEIVING_OFFICER.label),
        )
    return locked


def dossier_receive_supplement(
    *, dossier: Dossier, actor: User, note: str = "", now: dt.datetime | None = None
) -> Dossier:
    """Record the applicant's supplement; the clock resumes and the due date moves on.

    The due date is pushed by the working time the clock was stopped. Locks
    the dossier row (``select_for_update``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(dossier)
        _require_state(locked, [DossierState.SUPPLEMENT_REQUESTED], NOT_WAITING_FOR_SUPPLEMENT)
        _require_role(actor, [Role.RECEIVING_OFFICER], _intake_agencies(locked))
        # Supplements asked before acceptance restart intake; afterwards processing resumes.
        resumed = _resumed_state(locked)
        if locked.paused_at is not None:
            paused = calendar.working_time_between(start=locked.paused_at, end=now)
            if paused > dt.timedelta(0):
                hours = Decimal(paused.total_seconds()) / Decimal(3600)
                locked.due_at = calendar.due_date(
                    start=locked.due_at, working_hours=hours.quantize(Decimal("0.01"))
                ).due_at
        locked.paused_at = None
        _transition(
            locked,
            to_state=resumed,
            actor=actor,
            kind=EventKind.SUPPLEMENT_RECEIVED,
            note=note,
            now=now,
            actor_label=str(Role.RECEIVING_OFFICER.label),
        )
    return locked


def _resumed_state(dossier: Dossier) -> DossierState:
    last = (
        DossierEvent.objects.filter(dossier=dossier, to_state=DossierState.SUPPLEMENT_REQUESTED)
        .order_by("-at", "-id")
        .values_list("from_state", flat=True)
        .first()
    )
    if last in {s.value for s in _OPEN_STATES}:
        return DossierState(last)
    return DossierState.SUBMITTED


_PROCESSING_STATES = (DossierState.ACCEPTED, DossierState.IN_PROCESS)


def dossier_extend(
    *,
    dossier: Dossier,
    actor: User,
    reason: str,
    new_due_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Dossier:
    """Extend the due date with an apology to the applicant (form 04).

    Allowed once per dossier, and only until one working day before the due
    date. Locks the dossier row (``select_for_update``).
    """
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationFailed(REASON_REQUIRED, field_errors={"reason": [REASON_REQUIRED]})
    with transaction.atomic():
        locked = _locked(dossier)
        _require_state(locked, _PROCESSING_STATES, NOT_IN_PROCESS)
        _require_role(actor, [Role.LEADER], [locked.competent_agency_id])
        if locked.original_due_at is not None:
            raise Conflict(EXTENSION_ONCE)
        if calendar.due_date(start=now, working_days=1).due_at > locked.due_at:
            raise Conflict(EXTENSION_TOO_LATE)
        if new_due_at <= locked.due_at:
            raise ValidationFailed(
                EXTENSION_NOT_LATER, field_errors={"new_due_at": [EXTENSION_NOT_LATER]}
            )
        locked.original_due_at = locked.due_at
        locked.due_at = new_due_at
        _transition(
            locked,
            to_state=DossierState(locked.state),
            actor=actor,
            kind=EventKind.EXTENDED,
            note=reason.strip(),
            now=now,
            actor_label=str(Role.LEADER.label),
        )
    return locked


def dossier_stop(
    *, dossier: Dossier, actor: User, reason: str, now: dt.datetime | None = None
) -> Dossier:
    """Stop processing with a notice to the applicant (form 05).

    Locks the dossier row (``select_for_update``).
    """
    now = now or timezone.now()
    if not reason.strip():
        raise ValidationFailed(REASON_REQUIRED, field_errors={"reason": [REASON_REQUIRED]})
    with transaction.atomic():
        locked = _locked(dossier)
        _require_state(
            locked, [*_PROCESSING_STATES, DossierState.SUPPLEMENT_REQUESTED], NOT_IN_PROCESS
        )
        _require_role(actor, [Role.LEADER], [locked.competent_agency_id])
        locked.paused_at = None
        _transition(
            locked,
            to_state=DossierState.STOPPED,
            actor=actor,
            kind=EventKind.STOPPED,
            note=reason.strip(),
            now=now,
            actor_label=str(Role.LEADER.label),
        )
    return locked


def dossier_mark_processed(
    *, dossier: Dossier, actor: User, note: str = "", now: dt.datetime | None = None
) -> Dossier:
    """Mark the dossier processed (national status 9), its result ready to return.

    Locks the dossier row (``select_for_update``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(dossier)
        _require_state(locked, _PROCESSING_STATES, NOT_IN_PROCESS)
        _require_role(actor, [Role.LEADER], [locked.competent_agency_id])
        _transition(
            locked,
            to_state=DossierState.PROCESSED,
            actor=actor,
            kind=EventKind.PROCESSED,
            note=note,
            now=now,
            actor_label=str(Role.LEADER.label),
        )
    return locked


def dossier_return_result(
    *, dossier: Dossier, actor: User, to_whom: str, now: dt.datetime | None = None
) -> Dossier:
    """Return the result (national status 10) and record to whom.

    Only after the dossier is processed. Locks the dossier row
    (``select_for_update``).
    """
    now = now or timezone.now()
    if not to_whom.strip():
        raise ValidationFailed(RECIPIENT_REQUIRED, field_errors={"to_whom": [RECIPIENT_REQUIRED]})
    with transaction.atomic():
        locked = _locked(dossier)
        _require_state(locked, [DossierState.PROCESSED], RESULT_BEFORE_PROCESSED)
        _require_role(actor, [Role.RECEIVING_OFFICER], [locked.receiving_unit_id])
        locked.result_returned_to = to_whom.strip()
        _transition(
            locked,
            to_state=DossierState.RESULT_RETURNED,
            actor=actor,
            kind=EventKind.RESULT_RETURNED,
            note=to_whom.strip(),
            now=now,
            actor_label=str(Role.RECEIVING_OFFICER.label),
        )
    return locked
