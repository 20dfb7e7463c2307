"""Who may do which action on a dossier in which state: the one table of the workflow.

Services check an action here under the dossier's row lock; pages and the
API ask ``allowed_actions`` which buttons to show. Both read the same rules,
so a button is shown exactly when its action would be accepted (a test
walks every role, state and action to hold them to that).

``check`` raises ``Conflict`` (409) when the dossier's state or step does not
allow the action, and ``Forbidden`` (403) when the actor holds no role that
may do it. The state is checked first: someone who may see a dossier learns
why an action is not possible now.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict, Forbidden
from motcua.dossiers.models import DossierState
from motcua.staff.models import Role

from .models import StepKind, SupplementPhase

StrOrPromise = str | Promise


class Owed(models.TextChoices):
    """What a dossier owes now, as the fee request needs to know (``Situation.fees``)."""

    NOTHING = "nothing"  # no unpaid fee line due now (or the rules were not asked)
    UNCOUNTED = "uncounted"  # unpaid lines, one with its amount still to be counted
    COUNTED = "counted"  # unpaid lines, every amount counted: they can be requested


class Action(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REFUSE = "refuse", _("Refuse")
    REQUEST_SUPPLEMENT = "request_supplement", _("Ask for a supplement")
    RECEIVE_SUPPLEMENT = "receive_supplement", _("Receive the supplement")
    ASSIGN = "assign", _("Assign")
    CLAIM = "claim", _("Take it")
    CHOOSE_CASE = "choose_case", _("Change the processing-time case")
    FORWARD = "forward", _("Forward")
    SEND_BACK = "send_back", _("Send back for rework")
    RECORD_RESULT = "record_result", _("Record the result")
    MARK_PROCESSED = "mark_processed", _("Approve: processing done")
    EXTEND = "extend", _("Extend with an apology")
    STOP = "stop", _("Stop processing")
    REQUEST_WITHDRAWAL = "request_withdrawal", _("Record a withdrawal request")
    DECIDE_WITHDRAWAL = "decide_withdrawal", _("Answer the withdrawal request")
    RETURN_RESULT = "return_result", _("Return the result")
    REVOKE_RESULT = "revoke_result", _("Revoke an electronic result")
    REPLACE_RESULT = "replace_result", _("Replace an electronic result")
    REQUEST_PAYMENT = "request_payment", _("Request the fees")
    RECORD_PAYMENT = "record_payment", _("Record a payment at the counter")
    PAY = "pay", _("Pay the fees")


NOT_WAITING_FOR_INTAKE = _("This dossier is no longer waiting for intake.")
NOT_WAITING_FOR_SUPPLEMENT = _("This dossier is not waiting for a supplement.")
SUPPLEMENT_NOT_ALLOWED = _("A supplement can be requested only while the dossier is open.")
NOT_IN_PROCESS = _("This dossier is not being processed.")
NO_OPEN_STEP = _("This dossier is at no processing step.")
NOT_A_NEXT_STEP = _("The process does not allow sending the dossier to this step.")
NOT_WITHDRAWABLE = _("The applicant can withdraw only a dossier that is still open.")
NOT_WAITING_FOR_WITHDRAWAL = _("No withdrawal request is waiting for an answer.")
RESULT_BEFORE_PROCESSED = _("The result can be returned only once the dossier is processed.")
RESULT_NOT_ISSUED = _("An electronic result can be revoked or replaced only once it is issued.")
NO_SIGNED_RESULT = _("This dossier has no valid signed electronic result to revoke or replace.")
NOT_PAYABLE = _("Fees can be requested or paid only while the dossier is open.")
NOT_WAITING_FOR_PAYMENT = _("This dossier is not waiting for payment.")
NOTHING_TO_PAY = _("Nothing is left to pay on this dossier now.")
FEES_UNCOUNTED = _("Some fees are still to be counted: count them before asking for payment.")
NOT_ALLOWED_ROLE = _("You do not hold a role that may do this for this dossier's agency.")
ALREADY_ASSIGNED = _("This step is already assigned; a leader of the agency may reassign it.")
NOT_YOUR_STEP = _("This step is assigned to someone else; ask them or a leader of the agency.")
NO_CASES = _("This procedure has a single legal time: there is no case to choose.")
CASE_AFTER_EXTENSION = _(
    "The due date was extended with an apology: the processing-time case can no longer change."
)
SUPPLEMENT_ONCE_AT_INTAKE = _(
    "The applicant was already asked at intake, once and in writing, for everything missing: "
    "the rules allow no second request before acceptance. Accept the dossier, or refuse it "
    "with the reasons."
)
SUPPLEMENT_ONCE_PER_AGENCY = _(
    "Your agency already asked the applicant for a supplement during processing: the rules "
    "allow each agency one request. Decide on what the dossier holds, or stop the processing "
    "with the reasons."
)

PROCESSING_STATES = (DossierState.ACCEPTED, DossierState.IN_PROCESS)
OPEN_STATES = (DossierState.SUBMITTED, *PROCESSING_STATES)
WITHDRAWABLE_STATES = (*OPEN_STATES, DossierState.SUPPLEMENT_REQUESTED)
ISSUED_STATES = (DossierState.PROCESSED, DossierState.RESULT_RETURNED)
# Fees may be requested while the dossier is processed or its result waits (thu sau); they are
# paid (online, or recorded at the counter) while the dossier waits for them.
FEE_REQUEST_STATES = (*PROCESSING_STATES, DossierState.PROCESSED)


@dataclass(frozen=True)
class Situation:
    """What the rules need to know of a dossier: its state, agencies and open step."""

    state: str
    receiving_unit_id: int
    competent_agency_id: int
    step_kind: str | None = None
    step_role: str | None = None
    step_agency_id: int | None = None
    step_assignee_id: int | None = None
    # Kinds of the steps the open step leads to, forward; whether it may go back.
    forward_kinds: frozenset[str] = field(default_factory=frozenset)
    can_go_back: bool = False
    # For an answer to a withdrawal request: the state it was asked from.
    state_before: str | None = None
    # The supplement requests made so far: (phase, agency asking), one per request.
    supplements: tuple[tuple[str, int], ...] = ()
    # Whether the procedure has processing-time cases, and whether the due date was extended.
    has_cases: bool = False
    extended: bool = False
    # Whether the dossier has a valid signed electronic result (read once it is issued).
    signed_result: bool = False
    # What it owes now (read while fees may be requested, for the fee request only).
    fees: str = Owed.NOTHING

    @property
    def intake_agencies(self) -> tuple[int, int]:
        return (self.receiving_unit_id, self.competent_agency_id)


def _holds(
    roles: dict[int, set[str]], wanted: Collection[str], agencies: Iterable[int | None]
) -> bool:
    wanted_set = {str(w) for w in wanted}
    return any(wanted_set & roles.get(a, set()) for a in agencies if a is not None)


def _state(s: Situation, states: Iterable[str], message: StrOrPromise) -> None:
    if s.state not in {str(x) for x in states}:
        raise Conflict(message)


def _role(
    roles: dict[int, set[str]], wanted: Collection[str], agencies: Iterable[int | None]
) -> None:
    if not _holds(roles, wanted, agencies):
        raise Forbidden(NOT_ALLOWED_ROLE)


def _step_actor(s: Situation, roles: dict[int, set[str]], actor_id: int | None) -> None:
    if s.step_kind != StepKind.PROCESS or s.step_role is None:
        raise Conflict(NO_OPEN_STEP)
    _role(roles, [s.step_role, Role.LEADER], [s.step_agency_id])
    is_leader = _holds(roles, [Role.LEADER], [s.step_agency_id])
    if s.step_assignee_id not in (None, actor_id) and not is_leader:
        raise Forbidden(NOT_YOUR_STEP)


def supplement_asker(s: Situation) -> tuple[SupplementPhase, int]:
    """Return the phase of a supplement request now and the agency it counts against.

    At intake the one-stop unit that received the dossier asks; during
    processing the agency holding the open step asks (through the one-stop
    unit, even when a receiving officer writes the request).
    """
    if s.state == DossierState.SUBMITTED:
        return SupplementPhase.INTAKE, s.receiving_unit_id
    return SupplementPhase.PROCESSING, s.step_agency_id or s.competent_agency_id


def supplement_limit(phase: str) -> int:
    """Return how many supplement requests the rules allow in ``phase`` (per agency)."""
    if phase == SupplementPhase.INTAKE:
        return int(settings.MOTCUA_SUPPLEMENTS_AT_INTAKE)
    return int(settings.MOTCUA_SUPPLEMENTS_PER_AGENCY)


def supplements_over_limit(supplements: Iterable[tuple[str, int]]) -> bool:
    """Tell whether the requests made exceed what the rules allow (the dossier is then late)."""
    counts: dict[tuple[str, int], int] = {}
    for key in supplements:
        counts[key] = counts.get(key, 0) + 1
    return any(n > supplement_limit(phase) for (phase, _agency), n in counts.items())


def _supplement_allowed(s: Situation) -> None:
    phase, agency = supplement_asker(s)
    made = sum(1 for key in s.supplements if key == (phase, agency))
    if made >= supplement_limit(phase):
        raise Conflict(
            SUPPLEMENT_ONCE_AT_INTAKE
            if phase == SupplementPhase.INTAKE
            else SUPPLEMENT_ONCE_PER_AGENCY
        )


def check(
    action: Action | str, s: Situation, *, roles: dict[int, set[str]], actor_id: int | None
) -> None:
    """Raise Conflict or Forbidden unless ``actor_id`` with ``roles`` may do ``action`` now."""
    action = Action(action)
    officer = [Role.RECEIVING_OFFICER]
    if action in (Action.ACCEPT, Action.REFUSE):
        _state(s, [DossierState.SUBMITTED], NOT_WAITING_FOR_INTAKE)
        _role(roles, officer, s.intake_agencies)
    elif action == Action.REQUEST_SUPPLEMENT:
        _state(s, OPEN_STATES, SUPPLEMENT_NOT_ALLOWED)
        if s.state == DossierState.SUBMITTED:
            _role(roles, officer, s.intake_agencies)
        elif not _holds(roles, officer, s.intake_agencies):
            _step_actor(s, roles, actor_id)
        _supplement_allowed(s)
    elif action == Action.RECEIVE_SUPPLEMENT:
        _state(s, [DossierState.SUPPLEMENT_REQUESTED], NOT_WAITING_FOR_SUPPLEMENT)
        _role(roles, officer, s.intake_agencies)
    elif action in (Action.ASSIGN, Action.CLAIM):
        _state(s, PROCESSING_STATES, NOT_IN_PROCESS)
        if s.step_kind != StepKind.PROCESS or s.step_role is None:
            raise Conflict(NO_OPEN_STEP)
        if action == Action.ASSIGN:
            _role(roles, [Role.LEADER], [s.step_agency_id])
        else:
            _role(roles, [s.step_role], [s.step_agency_id])
            if s.step_assignee_id is not None:
                raise Conflict(ALREADY_ASSIGNED)
    elif action in (Action.FORWARD, Action.SEND_BACK, Action.RECORD_RESULT, Action.MARK_PROCESSED):
        _state(s, PROCESSING_STATES, NOT_IN_PROCESS)
        _step_actor(s, roles, actor_id)
        if action == Action.FORWARD and not (s.forward_kinds - {StepKind.RETURN}):
            raise Conflict(NOT_A_NEXT_STEP)
        if action == Action.MARK_PROCESSED and StepKind.RETURN not in s.forward_kinds:
            raise Conflict(NOT_A_NEXT_STEP)
        if action == Action.SEND_BACK and not s.can_go_back:
            raise Conflict(NOT_A_NEXT_STEP)
    elif action == Action.CHOOSE_CASE:
        _state(s, PROCESSING_STATES, NOT_IN_PROCESS)
        if not s.has_cases:
            raise Conflict(NO_CASES)
        if not _holds(roles, [Role.LEADER], [s.competent_agency_id]):
            _step_actor(s, roles, actor_id)
        if s.extended:
            raise Conflict(CASE_AFTER_EXTENSION)
    elif action == Action.EXTEND:
        _state(s, PROCESSING_STATES, NOT_IN_PROCESS)
        _role(roles, [Role.LEADER], [s.competent_agency_id])
    elif action == Action.STOP:
        _state(
            s,
            [*PROCESSING_STATES, DossierState.SUPPLEMENT_REQUESTED, DossierState.PAYMENT_REQUESTED],
            NOT_IN_PROCESS,
        )
        _role(roles, [Role.LEADER], [s.competent_agency_id])
    elif action == Action.REQUEST_WITHDRAWAL:
        _state(s, WITHDRAWABLE_STATES, NOT_WITHDRAWABLE)
        _role(roles, officer, s.intake_agencies)
    elif action == Action.DECIDE_WITHDRAWAL:
        _state(s, [DossierState.WITHDRAWAL_REQUESTED], NOT_WAITING_FOR_WITHDRAWAL)
        agencies: list[tuple[Role, int]] = [(Role.LEADER, s.competent_agency_id)]
        if s.state_before == DossierState.SUBMITTED:
            agencies += [(Role.RECEIVING_OFFICER, a) for a in s.intake_agencies]
        if not any(_holds(roles, [r], [a]) for r, a in agencies):
            raise Forbidden(NOT_ALLOWED_ROLE)
    elif action == Action.RETURN_RESULT:
        _state(s, [DossierState.PROCESSED], RESULT_BEFORE_PROCESSED)
        where = s.step_agency_id if s.step_kind == StepKind.RETURN else s.receiving_unit_id
        _role(roles, officer, [where])
    elif action in (Action.REVOKE_RESULT, Action.REPLACE_RESULT):
        _state(s, ISSUED_STATES, RESULT_NOT_ISSUED)
        if not s.signed_result:
            raise Conflict(NO_SIGNED_RESULT)
        _role(roles, [Role.LEADER], [s.competent_agency_id])
    elif action == Action.REQUEST_PAYMENT:
        _state(s, FEE_REQUEST_STATES, NOT_PAYABLE)
        _role(roles, officer, s.intake_agencies)
        if s.fees == Owed.NOTHING:
            raise Conflict(NOTHING_TO_PAY)
        if s.fees == Owed.UNCOUNTED:
            raise Conflict(FEES_UNCOUNTED)
    elif action == Action.RECORD_PAYMENT:
        _state(s, [DossierState.PAYMENT_REQUESTED], NOT_WAITING_FOR_PAYMENT)
        _role(roles, officer, s.intake_agencies)
    elif action == Action.PAY:
        raise Forbidden(NOT_ALLOWED_ROLE)  # the applicant's, confirmed by the gateway


def check_applicant(action: Action | str, s: Situation) -> None:
    """Raise Conflict or Forbidden unless the applicant (who proved it) may do ``action`` now."""
    action = Action(action)
    if action == Action.REQUEST_WITHDRAWAL:
        _state(s, WITHDRAWABLE_STATES, NOT_WITHDRAWABLE)
        return
    if action == Action.RECEIVE_SUPPLEMENT:  # answered online (``services.applicant``)
        _state(s, [DossierState.SUPPLEMENT_REQUESTED], NOT_WAITING_FOR_SUPPLEMENT)
        return
    if action == Action.PAY:  # online; the dossier moves when the gateway confirms it
        _state(s, [DossierState.PAYMENT_REQUESTED], NOT_WAITING_FOR_PAYMENT)
        return
    raise Forbidden(NOT_ALLOWED_ROLE)


APPLICANT_ACTIONS = (Action.RECEIVE_SUPPLEMENT, Action.REQUEST_WITHDRAWAL, Action.PAY)


def applicant_actions(s: Situation) -> list[Action]:
    """Return the actions the applicant may do now on their dossier (``check_applicant``)."""
    allowed = []
    for action in APPLICANT_ACTIONS:
        try:
            check_applicant(action, s)
        except (Conflict, Forbidden):
            continue
        allowed.append(action)
    return allowed


def allowed_actions(
    s: Situation, *, roles: dict[int, set[str]], actor_id: int | None
) -> list[Action]:
    """Return the actions ``actor_id`` may do now, in the order of ``Action``."""
    allowed = []
    for action in Action:
        try:
            check(action, s, roles=roles, actor_id=actor_id)
        except (Conflict, Forbidden):
            continue
        allowed.append(action)
    return allowed
