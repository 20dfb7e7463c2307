"""Intake at the one-stop unit: accept, refuse, supplements, counter intake, withdrawal.

Every action locks the dossier row (``select_for_update``), checks the
workflow rules, and changes state with its timeline entry in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict, Forbidden, ValidationFailed
from motcua.dossiers import services as dossier_services
from motcua.dossiers.files import files_stored
from motcua.dossiers.models import Dossier, DossierState, EventKind
from motcua.organisation.models import Agency
from motcua.staff.models import Role
from motcua.staff.selectors import user_agency_roles

from .. import rules, timing
from ..models import DossierStep, TransitionKind
from ..processes import process_version_for
from ._base import (
    Actor,
    Held,
    check,
    close_step,
    finish_dossier,
    hold,
    label,
    open_step,
    required_text,
    state_before,
    step_agency_id,
    targets,
    transition,
)

MISSING_ITEMS_REQUIRED = _("List at least one missing or incorrect component.")
UNKNOWN_DECISION = _("Choose to accept, ask for a supplement or refuse.")
INCOMPLETE_FOR_ACCEPT = _(
    "Required components are missing: ask for them (form 02) instead of accepting."
)
APPLICANT_LABEL = "Người nộp hồ sơ"


def dossier_accept(
    *,
    dossier: Dossier | int,
    actor: Actor,
    note: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Accept a dossier waiting for intake and hand it to the first processing step.

    The due date is computed from now; the dossier keeps the procedure's
    current process version from here on. Locks the dossier row
    (``select_for_update``): of two officers accepting at once, the second
    finds it accepted and gets a ``Conflict``.
    """
    with transaction.atomic():
        held = hold(dossier, actor, expected_revision, now or timezone.now())
        check(held, rules.Action.ACCEPT, actor)
        _accept(held, actor, note.strip())
    return held.dossier


def _accept(held: Held, actor: Actor, note: str, *, due_at: dt.datetime | None = None) -> None:
    dossier = held.dossier
    version = process_version_for(procedure=dossier.procedure)
    intake = version.steps.order_by("order").first()
    assert intake is not None  # noqa: S101 - a published process has its steps
    dossier.received_at = held.now
    dossier.due_at = due_at or dossier_services.dossier_due_at(dossier.procedure_version, held.now)
    dossier_services.dossier_register_entry(dossier=dossier, at=held.now)
    # The intake step ran from submission to now: the first line of the control slip.
    intake_due = dossier.intake_due_at or held.now
    DossierStep.objects.create(
        dossier=dossier,
        step=intake,
        agency_id=step_agency_id(intake, dossier),
        role=intake.role,
        assignee_id=actor.pk,
        started_at=dossier.submitted_at,
        due_at=intake_due,
        finished_at=held.now,
        finished_by_id=actor.pk,
        outcome=timing.outcome_of(finished_at=held.now, due_at=intake_due),
    )
    open_step(held, targets(intake, TransitionKind.FORWARD)[0], actor=actor)
    transition(
        held,
        to_state=DossierState.ACCEPTED,
        actor=actor,
        kind=EventKind.ACCEPTED,
        note=note,
        actor_label=label(Role.RECEIVING_OFFICER),
    )


def dossier_refuse(
    *,
    dossier: Dossier | int,
    actor: Actor,
    reasons: str,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Refuse a dossier at intake with reasons (form 03); processing ends here.

    Locks the dossier row (``select_for_update``).
    """
    reasons = required_text(reasons, "reasons")
    with transaction.atomic():
        held = hold(dossier, actor, expected_revision, now or timezone.now())
        check(held, rules.Action.REFUSE, actor)
        _refuse(held, actor, reasons)
    return held.dossier


def _refuse(held: Held, actor: Actor, reasons: str) -> None:
    finish_dossier(held)
    transition(
        held,
        to_state=DossierState.REFUSED,
        actor=actor,
        kind=EventKind.REFUSED,
        note=reasons,
        actor_label=label(Role.RECEIVING_OFFICER),
    )


def _supplement_note(missing: Sequence[str], reason: str) -> str:
    items = [m.strip() for m in missing if m.strip()]
    if not items:
        raise ValidationFailed(
            MISSING_ITEMS_REQUIRED, field_errors={"missing": [MISSING_ITEMS_REQUIRED]}
        )
    reason = required_text(reason, "reason")
    return "\n".join([reason, *(f"- {m}" for m in items)])


def dossier_request_supplement(
    *,
    dossier: Dossier | int,
    actor: Actor,
    missing: Sequence[str],
    reason: str,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Ask the applicant, in one go, for everything missing (form 02); the clock stops.

    At intake a receiving officer asks; during processing the one who holds
    the open step asks, through the one-stop unit, which receives the
    supplement. Each request is counted: more than one makes the dossier late
    in the indicators. Locks the dossier row (``select_for_update``).
    """
    note = _supplement_note(missing, reason)
    with transaction.atomic():
        held = hold(dossier, actor, expected_revision, now or timezone.now())
        check(held, rules.Action.REQUEST_SUPPLEMENT, actor)
        _request_supplement(held, actor, note)
    return held.dossier


def _request_supplement(held: Held, actor: Actor, note: str) -> None:
    held.dossier.supplement_requests += 1
    held.dossier.paused_at = held.now
    transition(
        held,
        to_state=DossierState.SUPPLEMENT_REQUESTED,
        actor=actor,
        kind=EventKind.SUPPLEMENT_REQUESTED,
        note=note,
        actor_label=label(Role.RECEIVING_OFFICER),
    )


def dossier_receive_supplement(
    *,
    dossier: Dossier | int,
    actor: Actor,
    note: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Record the applicant's supplement; the clock resumes and due times move on.

    The dossier's due time and its open step's are pushed by the working time
    the clock was stopped. A supplement asked before acceptance puts the
    dossier back in the intake queue (an online one with a new answer time).
    Locks the dossier row (``select_for_update``).
    """
    with transaction.atomic():
        held = hold(dossier, actor, expected_revision, now or timezone.now())
        check(held, rules.Action.RECEIVE_SUPPLEMENT, actor)
        locked = held.dossier
        resumed = state_before(locked, DossierState.SUPPLEMENT_REQUESTED)
        if locked.paused_at is not None:
            paused_at = locked.paused_at
            locked.due_at = timing.pushed_by_pause(locked.due_at, paused_at=paused_at, now=held.now)
            step = held.step
            if step is not None and step.due_at is not None:
                step.due_at = timing.pushed_by_pause(step.due_at, paused_at=paused_at, now=held.now)
                step.save(update_fields=["due_at"])
        if resumed == DossierState.SUBMITTED and locked.intake_due_at is not None:
            locked.intake_due_at = dossier_services.online_answer_due_at(held.now)
        locked.paused_at = None
        transition(
            held,
            to_state=resumed,
            actor=actor,
            kind=EventKind.SUPPLEMENT_RECEIVED,
            note=note.strip(),
            actor_label=label(Role.RECEIVING_OFFICER),
        )
    return held.dossier


@dataclass(frozen=True)
class CounterDecision:
    """What the officer decided at the counter: accept, ask for a supplement, or refuse."""

    action: str  # "accept", "supplement" or "refuse"
    reason: str = ""
    missing: Sequence[str] = field(default_factory=tuple)
    note: str = ""


def dossier_counter_intake(
    *,
    actor: Actor,
    unit: Agency,
    procedure_code: str,
    data: dict[str, Any],
    received: Sequence[dossier_services.ReceivedComponent],
    decision: CounterDecision,
    now: dt.datetime | None = None,
) -> Dossier:
    """Take a dossier at the counter of ``unit`` and decide on it in one go.

    Records the applicant and each component ticked with its counts and
    scans (marked digitised), then accepts it (form 01, due date computed,
    routed to the procedure's competent agency whatever unit received it),
    or asks for what is missing (form 02; the required components not ticked
    come first in the list), or refuses it (form 03). Everything is checked
    before anything is written; the dossier, its scans and its timeline are
    written in one transaction, and stored scans are deleted if it fails.
    """
    now = now or timezone.now()
    roles = user_agency_roles(user=actor)
    if str(Role.RECEIVING_OFFICER) not in roles.get(unit.pk, set()) or not unit.is_one_stop_unit:
        raise Forbidden(rules.NOT_ALLOWED_ROLE)
    if decision.action not in {"accept", "supplement", "refuse"}:
        raise ValidationFailed(UNKNOWN_DECISION, field_errors={"decision": [UNKNOWN_DECISION]})
    draft = dossier_services.counter_dossier_check(
        procedure_code=procedure_code, data=data, received=received
    )
    note = decision.note.strip()
    if decision.action == "accept" and draft.missing:
        names = [c.name for c in draft.missing]
        raise ValidationFailed(INCOMPLETE_FOR_ACCEPT, field_errors={"missing": names})
    if decision.action == "supplement":
        note = _supplement_note(
            [*(c.name for c in draft.missing), *decision.missing], decision.reason
        )
    elif decision.action == "refuse":
        note = required_text(decision.reason, "reason")
    # Computed before the transaction, which holds the unit's daily code counter.
    due_at = dossier_services.dossier_due_at(draft.version, now)
    process_version_for(procedure=draft.procedure)
    with files_stored(draft.files) as stored, transaction.atomic():
        created = dossier_services.counter_dossier_insert(
            draft=draft, stored=stored, unit=unit, actor=actor, now=now, due_at=due_at
        )
        held = Held(created, None, roles, now)
        if decision.action == "accept":
            _accept(held, actor, note, due_at=due_at)
        elif decision.action == "supplement":
            _request_supplement(held, actor, note)
        else:
            _refuse(held, actor, note)
    return held.dossier


def dossier_withdrawal_request(
    *,
    dossier: Dossier | int,
    reason: str,
    actor: Actor | None = None,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Record the applicant's request to withdraw the dossier (national status 7).

    The applicant asks online (``actor`` None: the caller checked the
    receipt's token) or in writing at the counter (a receiving officer of
    the dossier's units records it). Locks the dossier row (``select_for_update``).
    """
    reason = required_text(reason, "reason")
    with transaction.atomic():
        held = hold(dossier, actor, expected_revision, now or timezone.now())
        if actor is None:
            # The applicant, who proved it with the receipt's token: only the state matters.
            if held.dossier.state not in rules.WITHDRAWABLE_STATES:
                raise Conflict(str(rules.NOT_WITHDRAWABLE))
        else:
            check(held, rules.Action.REQUEST_WITHDRAWAL, actor)
        transition(
            held,
            to_state=DossierState.WITHDRAWAL_REQUESTED,
            actor=actor,
            kind=EventKind.WITHDRAWAL_REQUESTED,
            note=reason,
            actor_label=APPLICANT_LABEL if actor is None else label(Role.RECEIVING_OFFICER),
        )
    return held.dossier


def dossier_withdrawal_decide(
    *,
    dossier: Dossier | int,
    actor: Actor,
    approve: bool,
    note: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Answer a withdrawal request: the dossier is withdrawn, or goes back where it was.

    A leader of the competent agency answers; for a dossier not yet accepted,
    a receiving officer may. Refusing needs a reason. Locks the dossier row
    (``select_for_update``).
    """
    note = note.strip() if approve else required_text(note, "note")
    with transaction.atomic():
        held = hold(dossier, actor, expected_revision, now or timezone.now())
        situation = held.situation()
        rules.check(rules.Action.DECIDE_WITHDRAWAL, situation, roles=held.roles, actor_id=actor.pk)
        is_leader = held.holds([Role.LEADER], held.dossier.competent_agency_id)
        actor_label = label(Role.LEADER if is_leader else Role.RECEIVING_OFFICER)
        if approve:
            held.dossier.paused_at = None
            close_step(held, actor, note=note, judged=False)
            finish_dossier(held, judged=False)
            transition(
                held,
                to_state=DossierState.WITHDRAWN,
                actor=actor,
                kind=EventKind.WITHDRAWN,
                note=note,
                actor_label=actor_label,
            )
        else:
            transition(
                held,
                to_state=DossierState(situation.state_before or DossierState.SUBMITTED),
                actor=actor,
                kind=EventKind.WITHDRAWAL_REFUSED,
                note=note,
                actor_label=actor_label,
            )
    return held.dossier
