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

from motcua.catalog.selectors import version_case
from motcua.core.errors import Forbidden, ValidationFailed
from motcua.dossiers import services as dossier_services
from motcua.dossiers.files import files_stored
from motcua.dossiers.models import Channel, Dossier, DossierState, EventKind
from motcua.dossiers.uploads import Keeping, kept_on_failure
from motcua.organisation.models import Agency
from motcua.staff.models import Role
from motcua.staff.selectors import user_agency_roles

from .. import rules, timing
from ..models import DossierStep, SupplementItem, SupplementRequest, TransitionKind
from ..processes import process_version_for
from ..structure import version_structure
from ._base import (
    Actor,
    Held,
    acting,
    check,
    close_step,
    finish_dossier,
    label,
    open_step,
    required_text,
    state_before,
    step_agency_id,
    transition,
)
from .payment import fees_request

MISSING_ITEMS_REQUIRED = _("List at least one missing or incorrect component.")
COUNTER_ACTIONS = {
    "accept": rules.Action.ACCEPT,
    "supplement": rules.Action.REQUEST_SUPPLEMENT,
    "refuse": rules.Action.REFUSE,
}
UNKNOWN_DECISION = _("Choose to accept, ask for a supplement or refuse.")
INCOMPLETE_FOR_ACCEPT = _(
    "Required components are missing: ask for them (form 02) instead of accepting."
)
APPLICANT_LABEL = "Người nộp hồ sơ"
APPLICANT_ONLINE_LABEL = "Người nộp hồ sơ (trực tuyến)"  # a supplement received online


def dossier_accept(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    note: str = "",
    case: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Accept a dossier waiting for intake and hand it to the first processing step.

    The due date is computed from now, with the legal time of the
    processing-time ``case`` the officer chose (empty: the ordinary one); the
    dossier keeps the procedure's current process version from here on. Locks the dossier row
    (``select_for_update``): of two officers accepting at once, the second
    finds it accepted and gets a ``Conflict``.
    """
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.ACCEPT,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        _accept(held, actor, note.strip(), case=case.strip())
    return held.dossier


def _accept(
    held: Held, actor: Actor, note: str, *, case: str = "", due_at: dt.datetime | None = None
) -> None:
    dossier = held.dossier
    chosen = version_case(dossier.procedure_version_id, case)  # ValidationFailed if unknown
    process = version_structure(process_version_for(procedure_id=dossier.procedure_id).pk)
    intake = process.intake
    dossier.received_at = held.now
    dossier.processing_case = chosen.code
    dossier.due_at = due_at or dossier_services.dossier_due_at(
        dossier.procedure_version, held.now, case=chosen.code
    )
    if not chosen.ordinary:
        note = "\n".join(part for part in (f"{chosen.name}: {chosen.text}", note) if part)
    dossier_services.dossier_register_entry(dossier=dossier, at=held.now, save=False)
    # The intake step ran from submission to now: the first line of the control slip.
    intake_due = dossier.intake_due_at or held.now
    intake_line = DossierStep(
        dossier=dossier,
        step_id=intake.id,
        agency_id=step_agency_id(intake, dossier),
        role=intake.role,
        assignee_id=actor.pk,
        started_at=dossier.submitted_at,
        due_at=intake_due,
        finished_at=held.now,
        finished_by_id=actor.pk,
        outcome=timing.outcome_of(finished_at=held.now, due_at=intake_due),
    )
    open_step(
        held,
        process.targets(intake.id, TransitionKind.FORWARD)[0],
        actor=actor,
        finished_before=intake_line,
    )
    transition(
        held,
        to_state=DossierState.ACCEPTED,
        actor=actor,
        kind=EventKind.ACCEPTED,
        note=note,
        actor_label=label(Role.RECEIVING_OFFICER),
    )
    fees_request(held, actor=actor, automatic=True)  # the "before" fees: processing waits


def dossier_refuse(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    reasons: str,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Refuse a dossier at intake with reasons (form 03); processing ends here.

    Locks the dossier row (``select_for_update``).
    """
    reasons = required_text(reasons, "reasons")
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.REFUSE,
        expected_revision=expected_revision,
        now=now,
    ) as held:
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


@dataclass(frozen=True)
class Missing:
    """One item of a supplement request: what is missing or wrong, and why."""

    name: str
    reason: str = ""
    component_id: int | None = None


def _missing_items(missing: Sequence[str | Missing]) -> list[Missing]:
    items = [m if isinstance(m, Missing) else Missing(str(m)) for m in missing]
    items = [Missing(m.name.strip(), m.reason.strip(), m.component_id) for m in items]
    items = [m for m in items if m.name]
    if not items:
        raise ValidationFailed(
            MISSING_ITEMS_REQUIRED, field_errors={"missing": [MISSING_ITEMS_REQUIRED]}
        )
    return items


def _supplement_note(items: Sequence[Missing], reason: str) -> str:
    lines = [f"- {m.name}" + (f" ({m.reason})" if m.reason else "") for m in items]
    return "\n".join([reason, *lines])


def dossier_request_supplement(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    missing: Sequence[str | Missing],
    reason: str,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Ask the applicant, in one go and in writing, for everything missing (form 02).

    At intake a receiving officer asks, once; during processing the one who
    holds the open step asks (or a receiving officer for them), through the
    one-stop unit, once per agency (``rules``: a further request is a
    ``Conflict`` saying why). The applicant's clock stops until the
    supplement is received. Locks the dossier row (``select_for_update``).
    """
    items = _missing_items(missing)
    reason = required_text(reason, "reason")
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.REQUEST_SUPPLEMENT,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        _request_supplement(held, actor, reason, items)
    return held.dossier


def _request_supplement(held: Held, actor: Actor, reason: str, items: Sequence[Missing]) -> None:
    dossier = held.dossier
    phase, agency_id = rules.supplement_asker(held.situation(fees=False))
    request = SupplementRequest.objects.create(
        dossier=dossier,
        number=dossier.supplement_requests + 1,
        phase=phase,
        agency_id=agency_id,
        reason=reason,
        requested_at=held.now,
        requested_by_id=actor.pk,
    )
    SupplementItem.objects.bulk_create(
        SupplementItem(
            request=request, order=n, name=m.name, reason=m.reason, component_id=m.component_id
        )
        for n, m in enumerate(items, start=1)
    )
    dossier.supplement_requests += 1
    dossier.paused_at = held.now
    transition(
        held,
        to_state=DossierState.SUPPLEMENT_REQUESTED,
        actor=actor,
        kind=EventKind.SUPPLEMENT_REQUESTED,
        note=_supplement_note(items, reason),
        actor_label=label(Role.RECEIVING_OFFICER),
    )


def dossier_receive_supplement(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    note: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Record the applicant's supplement; the clock resumes where it stopped.

    The time spent before the request still counts: the dossier's due time
    and its open step's are pushed by the working time the clock was stopped.
    A supplement asked before acceptance puts the dossier back in the intake
    queue (an online one with a new answer time).
    Locks the dossier row (``select_for_update``).
    """
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.RECEIVE_SUPPLEMENT,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        supplement_received(held, actor=actor, note=note.strip())
    return held.dossier


def supplement_received(
    held: Held, *, actor: Actor | None, note: str, online: bool = False
) -> list[int]:
    """Close the held dossier's open supplement request; the clock resumes where it stopped.

    The one change of "supplement received", at the counter (``actor`` the
    officer) or online (``actor`` None, ``online``: the applicant answered).
    Returns the ids of the requests it closed.
    """
    locked = held.dossier
    resumed = state_before(locked, DossierState.SUPPLEMENT_REQUESTED)
    open_requests = SupplementRequest.objects.filter(dossier=locked, received_at__isnull=True)
    closed = list(open_requests.values_list("pk", flat=True))
    open_requests.update(
        received_at=held.now,
        received_by_id=actor.pk if actor is not None else None,
        note=note,
        received_online=online,
    )
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
        note=note,
        actor_label=APPLICANT_ONLINE_LABEL if online else label(Role.RECEIVING_OFFICER),
    )
    return closed


@dataclass(frozen=True)
class CounterDecision:
    """What the officer decided at the counter: accept, ask for a supplement, or refuse."""

    action: str  # "accept", "supplement" or "refuse"
    reason: str = ""
    missing: Sequence[str | Missing] = field(default_factory=tuple)
    note: str = ""
    case: str = ""  # the processing-time case of an accepted dossier


def dossier_counter_intake(
    *,
    actor: Actor,
    unit: Agency,
    procedure_code: str,
    data: dict[str, Any],
    received: Sequence[dossier_services.ReceivedComponent],
    decision: CounterDecision,
    keep_files: bool = False,
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
    With ``keep_files`` (the counter page), scans that passed their checks
    are kept for the officer when the dossier is refused with field errors,
    and scans kept before count again (``dossiers.uploads``).
    """
    now = now or timezone.now()
    roles = user_agency_roles(user=actor)
    if str(Role.RECEIVING_OFFICER) not in roles.get(unit.pk, set()) or not unit.is_one_stop_unit:
        raise Forbidden(rules.NOT_ALLOWED_ROLE)
    if decision.action not in {"accept", "supplement", "refuse"}:
        raise ValidationFailed(UNKNOWN_DECISION, field_errors={"decision": [UNKNOWN_DECISION]})
    keeping = Keeping(channel=Channel.COUNTER, kept_by_id=actor.pk, now=now) if keep_files else None
    with kept_on_failure(keeping):  # the decision's own field errors keep the scans too
        draft = dossier_services.counter_dossier_check(
            procedure_code=procedure_code, data=data, received=received, keeping=keeping
        )
        note = decision.note.strip()
        items: list[Missing] = []
        if decision.action == "accept" and draft.missing:
            names = [c.name for c in draft.missing]
            raise ValidationFailed(INCOMPLETE_FOR_ACCEPT, field_errors={"missing": names})
        if decision.action == "supplement":
            items = _missing_items(
                [*(Missing(c.name, component_id=c.pk) for c in draft.missing), *decision.missing]
            )
            note = required_text(decision.reason, "reason")
        elif decision.action == "refuse":
            note = required_text(decision.reason, "reason")
        # Computed before the transaction, which holds the unit's daily code counter.
        due_at = dossier_services.dossier_due_at(draft.version, now, case=decision.case.strip())
        process_version_for(procedure_id=draft.procedure.pk)
        with files_stored(draft.files) as stored, transaction.atomic():
            created = dossier_services.counter_dossier_insert(
                draft=draft, stored=stored, unit=unit, actor=actor, now=now, due_at=due_at
            )
            held = Held(created, None, roles, now, received_at=created.received_at)
            action = COUNTER_ACTIONS[decision.action]
            check(held, action, actor)
            if action == rules.Action.ACCEPT:
                _accept(held, actor, note, case=decision.case.strip(), due_at=due_at)
            elif action == rules.Action.REQUEST_SUPPLEMENT:
                _request_supplement(held, actor, note, items)
            else:
                _refuse(held, actor, note)
    return held.dossier


def dossier_withdrawal_request(
    *,
    dossier: Dossier | int | str,
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
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.REQUEST_WITHDRAWAL,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        withdrawal_requested(held, actor=actor, reason=reason)
    return held.dossier


def withdrawal_requested(held: Held, *, actor: Actor | None, reason: str) -> None:
    """Move the held dossier to "withdrawal requested" (status 7): the one change of it.

    ``actor`` None is the applicant asking online; an officer records a
    request made in writing at the counter.
    """
    transition(
        held,
        to_state=DossierState.WITHDRAWAL_REQUESTED,
        actor=actor,
        kind=EventKind.WITHDRAWAL_REQUESTED,
        note=reason,
        actor_label=APPLICANT_LABEL if actor is None else label(Role.RECEIVING_OFFICER),
    )


def dossier_withdrawal_decide(
    *,
    dossier: Dossier | int | str,
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
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.DECIDE_WITHDRAWAL,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        situation = held.situation(fees=False)
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
