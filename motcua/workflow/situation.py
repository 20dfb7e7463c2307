"""What the rules need to know of a dossier now: the one builder of ``rules.Situation``.

Services build it from the rows they locked; the dossier page and the API
from the rows they read. The parts that need a query (the open step's moves,
the state a withdrawal was asked from, the supplement requests made) are
read only when the dossier's state makes them matter, unless the caller
already has them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from motcua.catalog.selectors import version_cases
from motcua.dossiers.models import Dossier, DossierEvent, DossierState
from motcua.esign.selectors import signed_valid_exists
from motcua.payments.selectors import dues_at, fees_unpaid

from .models import DossierStep, SupplementRequest, TransitionKind
from .rules import FEE_REQUEST_STATES, ISSUED_STATES, OPEN_STATES, Owed, Situation
from .structure import version_structure


@dataclass(frozen=True)
class OpenStep:
    """The open step as the rules see it."""

    step_id: int
    version_id: int
    kind: str
    role: str
    agency_id: int
    assignee_id: int | None

    @classmethod
    def of(cls, step: DossierStep) -> OpenStep:
        """Return the rules' view of a dossier step (its process step loaded with it)."""
        return cls(
            step.step_id,
            step.step.version_id,
            step.step.kind,
            step.role,
            step.agency_id,
            step.assignee_id,
        )


def step_moves(step: OpenStep) -> list[tuple[str, str]]:
    """Return the moves of a process step: (transition kind, target step kind)."""
    return [(k, t.kind) for k, t in version_structure(step.version_id).moves_of(step.step_id)]


def withdrawal_asked_from(events: Sequence[tuple[str, str]]) -> str:
    """Return the state a withdrawal was last asked from, given (from_state, to_state) events."""
    entered = [
        before
        for before, after in events
        if after == DossierState.WITHDRAWAL_REQUESTED
        and before != DossierState.WITHDRAWAL_REQUESTED
    ]
    return entered[-1] if entered else DossierState.SUBMITTED


def supplements_made(dossier_id: int) -> list[tuple[str, int]]:
    """Return the supplement requests of a dossier so far, as (phase, agency asking)."""
    return list(
        SupplementRequest.objects.filter(dossier_id=dossier_id)
        .order_by("number")
        .values_list("phase", "agency_id")
    )


def fees_owed(*, dossier_id: int, state: str) -> Owed:
    """Return what a dossier in ``state`` owes now: nothing, lines to count, or counted lines.

    The same lines the fee request asks for (``fees_unpaid`` of the kinds due
    in ``state``): one query.
    """
    lines = fees_unpaid(dossier_id=dossier_id, dues=dues_at(state))
    if not lines:
        return Owed.NOTHING
    if any(line.amount is None for line in lines):
        return Owed.UNCOUNTED
    return Owed.COUNTED


def situation(
    *,
    dossier_id: int,
    state: str,
    receiving_unit_id: int,
    competent_agency_id: int,
    step: OpenStep | None,
    moves: Sequence[tuple[str, str]] | None = None,
    events: Sequence[tuple[str, str]] | None = None,
    supplements: Sequence[tuple[str, int]] | None = None,
    version_id: int | None = None,
    extended: bool = False,
    signed: bool | None = None,
    fees: Owed | None = None,
) -> Situation:
    """Return the rules' view of a dossier, reading what the caller did not pass and needs.

    ``moves`` are the open step's (from its published process, kept in the
    cache); ``events`` are (from_state, to_state) of the timeline, read only
    for a withdrawal request; ``supplements`` are read only while one may be
    asked (pass ``()`` when the action at hand is not a supplement request);
    the processing-time cases of the procedure version ``version_id`` come
    from the catalogue's cache; what the dossier owes is read only while fees
    may be requested (pass ``Owed.NOTHING`` when the action at hand is not a
    fee request).
    """
    if step is not None and moves is None:
        moves = step_moves(step)
    before = None
    if state == DossierState.WITHDRAWAL_REQUESTED:
        if events is None:
            events = list(
                DossierEvent.objects.filter(dossier_id=dossier_id)
                .order_by("at", "id")
                .values_list("from_state", "to_state")
            )
        before = withdrawal_asked_from(events)
    if supplements is None:
        supplements = supplements_made(dossier_id) if state in OPEN_STATES else ()
    if signed is None:  # whether a valid signed result may be revoked or replaced: one EXISTS
        signed = state in ISSUED_STATES and signed_valid_exists(dossier_id=dossier_id)
    if fees is None:  # whether the fees may be requested: one query, in those states only
        fees = (
            fees_owed(dossier_id=dossier_id, state=state)
            if state in FEE_REQUEST_STATES
            else Owed.NOTHING
        )
    moves = moves or []
    return Situation(
        state=state,
        receiving_unit_id=receiving_unit_id,
        competent_agency_id=competent_agency_id,
        step_kind=step.kind if step is not None else None,
        step_role=step.role if step is not None else None,
        step_agency_id=step.agency_id if step is not None else None,
        step_assignee_id=step.assignee_id if step is not None else None,
        forward_kinds=frozenset(t for k, t in moves if k == TransitionKind.FORWARD),
        can_go_back=any(k == TransitionKind.BACK for k, _t in moves),
        state_before=before,
        supplements=tuple(supplements),
        has_cases=version_id is not None and len(version_cases(version_id)) > 1,
        extended=extended,
        signed_result=signed,
        fees=fees,
    )


def situation_of(dossier: Dossier) -> Situation:
    """Return the rules' view of a dossier as stored now (its open step read with it)."""
    step = (
        DossierStep.objects.select_related("step")
        .filter(dossier_id=dossier.pk, finished_at__isnull=True)
        .first()
    )
    return situation(
        dossier_id=dossier.pk,
        state=dossier.state,
        receiving_unit_id=dossier.receiving_unit_id,
        competent_agency_id=dossier.competent_agency_id,
        step=OpenStep.of(step) if step is not None else None,
        version_id=dossier.procedure_version_id,
        extended=dossier.original_due_at is not None,
    )
