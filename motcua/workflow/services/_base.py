"""What every workflow action shares: the lock, the rules check, the one state change.

``acting`` opens an action's transaction, locks the dossier and its open
step (``hold``) and asks ``rules`` whether the actor may act; ``transition``
is the one place where a dossier's state, national status, revision and
timeline change together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict, NotFound, ValidationFailed
from motcua.dossiers.models import (
    STATE_STATUS,
    Dossier,
    DossierAccess,
    DossierEvent,
    DossierState,
    EventKind,
)
from motcua.dossiers.services import dossier_due_at
from motcua.outbox.services import messages_for_event
from motcua.staff.models import Role
from motcua.staff.selectors import user_agency_roles

from .. import rules, timing
from ..models import AgencySource, DossierStep, StepKind
from ..selectors import role_holders
from ..situation import OpenStep, situation, supplements_made
from ..structure import StepDef, version_structure

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    Actor = AbstractBaseUser
else:
    Actor = Any

REASON_REQUIRED = _("Give the reason.")
STALE = _("Someone else changed this dossier since you opened it. Reload it to see what changed.")
ASSIGNEE_NOT_ELIGIBLE = _("This person does not hold the step's role in the step's agency.")
DOSSIER_NOT_FOUND = _("No dossier has this code.")


@dataclass
class Held:
    """A dossier locked for an action, its open step (locked too), and the actor's roles."""

    dossier: Dossier
    step: DossierStep | None
    roles: dict[int, set[str]]
    now: dt.datetime
    received_at: dt.datetime | None = None  # as locked, to tell whether the access rows follow

    def holds(self, roles: Iterable[str], agency_id: int | None) -> bool:
        return bool({str(r) for r in roles} & self.roles.get(agency_id or 0, set()))

    def situation(self, *, supplements: bool = True, fees: bool = True) -> rules.Situation:
        """Return what the rules need to know of the held dossier and step.

        Without ``supplements`` the requests made so far are not read (the
        rules need them only to judge a new request); without ``fees`` what
        the dossier owes is not read (they need it only for a fee request).
        """
        d, step = self.dossier, self.step
        return situation(
            dossier_id=d.pk,
            state=d.state,
            receiving_unit_id=d.receiving_unit_id,
            competent_agency_id=d.competent_agency_id,
            step=OpenStep.of(step) if step is not None else None,
            supplements=None if supplements else (),
            version_id=d.procedure_version_id,
            extended=d.original_due_at is not None,
            fees=None if fees else rules.Owed.NOTHING,
        )


def hold(
    dossier: Dossier | int | str,
    actor: Actor | None,
    expected_revision: int | None,
    now: dt.datetime,
) -> Held:
    """Lock the dossier (by id or code) and its open step; refuse a client that saw an older
    revision.

    Must run inside a transaction. Only the dossier's and the step's rows are
    locked (``of``), never the procedure or agency rows joined to them. A
    dossier ``actor`` may not see is NotFound, as if it did not exist.
    """
    roles = user_agency_roles(user=actor) if actor is not None else {}
    if isinstance(dossier, str):
        dossiers = Dossier.objects.filter(code=dossier.strip())
    else:
        dossiers = Dossier.objects.filter(pk=dossier if isinstance(dossier, int) else dossier.pk)
    if actor is not None:
        # Filtered before locking: a dossier of other agencies is neither locked nor told apart
        # from one that does not exist.
        dossiers = dossiers.filter(_visible_to(roles))
    # Joined, not locked: what the applicant's messages of this action need (the receiving
    # unit's name, the applicant's channels), so writing them reads nothing more.
    locked = (
        dossiers.select_for_update(of=("self",))
        .select_related("procedure_version", "receiving_unit", "message_preference")
        .first()
    )
    if locked is None:
        raise NotFound(DOSSIER_NOT_FOUND)
    if expected_revision is not None and locked.revision != expected_revision:
        raise Conflict(STALE)
    return Held(locked, _open_step(locked), roles, now, received_at=locked.received_at)


def _open_step(locked: Dossier) -> DossierStep | None:
    """Lock and return the locked dossier's open step (none without a current agency: no query)."""
    if locked.current_agency_id is None:
        return None
    return (
        DossierStep.objects.select_for_update(of=("self",))
        .select_related("step")
        .filter(dossier_id=locked.pk, finished_at__isnull=True)
        .first()
    )


def _visible_to(roles: dict[int, set[str]]) -> Q:
    """Return the filter of the dossiers one of ``roles``' agencies may see (``dossier_scope``)."""
    mine = sorted(roles)
    if not mine:
        return Q(pk__in=[])
    return (
        Q(receiving_unit_id__in=mine)
        | Q(competent_agency_id__in=mine)
        | Q(current_agency_id__in=mine)
        | Q(Exists(DossierAccess.objects.filter(dossier=OuterRef("pk"), agency_id__in=mine)))
    )


def check(held: Held, action: rules.Action, actor: Actor | None) -> None:
    """Raise Conflict or Forbidden unless ``actor`` may do ``action`` on the held dossier."""
    rules.check(
        action,
        held.situation(
            supplements=action == rules.Action.REQUEST_SUPPLEMENT,
            fees=action == rules.Action.REQUEST_PAYMENT,
        ),
        roles=held.roles,
        actor_id=actor.pk if actor is not None else None,
    )


@contextmanager
def acting(
    dossier: Dossier | int | str,
    *,
    actor: Actor | None,
    action: rules.Action,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Iterator[Held]:
    """Open the transaction of an action, lock the dossier, and check who may do it now.

    Every workflow service runs its changes inside this block, so none can
    skip the lock (``select_for_update`` of the dossier and its open step),
    the revision the caller saw (``Conflict``) or the rules (``Conflict`` for
    the state, ``Forbidden`` for the role). ``actor`` None is the applicant,
    who proved it another way (the receipt's token): only the actions the
    rules give applicants.
    """
    with transaction.atomic():
        held = hold(dossier, actor, expected_revision, now or timezone.now())
        if actor is None:
            rules.check_applicant(action, held.situation(supplements=False, fees=False))
        else:
            check(held, action, actor)
        yield held


@contextmanager
def acting_on_locked(dossier: Dossier, *, action: rules.Action, now: dt.datetime) -> Iterator[Held]:
    """``acting`` for the applicant on a dossier its caller has locked in its open transaction.

    For a caller that locked the row itself (``select_for_update``, with
    ``procedure_version``, ``receiving_unit`` and ``message_preference``
    joined, as ``hold`` does) and acts in the same transaction: the open
    step is locked and the applicant's rules checked as ``acting`` does,
    without reading the row a second time. Must run inside that transaction.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("acting_on_locked needs the transaction that locked the dossier")
    held = Held(dossier, _open_step(dossier), {}, now, received_at=dossier.received_at)
    rules.check_applicant(action, held.situation(supplements=False, fees=False))
    yield held


def transition(
    held: Held,
    *,
    to_state: DossierState,
    actor: Actor | None,
    kind: EventKind,
    note: str = "",
    actor_label: str = "",
    is_public: bool = True,
    document_number: str = "",
) -> None:
    """Move the held dossier to ``to_state``, derive its national status, and log the change.

    The caller set the dossier's other fields first; this bumps the revision,
    saves the whole row and writes the timeline entry (actor, time, from and
    to state and status, note) and the applicant's messages (``outbox``) in the
    caller's transaction.
    """
    dossier = held.dossier
    from_state, from_status = dossier.state, dossier.status
    dossier.state = to_state
    dossier.status = STATE_STATUS[to_state]
    dossier.revision += 1
    dossier.save()
    if dossier.status != from_status or dossier.received_at != held.received_at:
        # The access rows keep the columns lists filter and sort on.
        DossierAccess.objects.filter(dossier_id=dossier.pk).update(
            status=dossier.status, received_at=dossier.received_at
        )
        held.received_at = dossier.received_at
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=held.now,
        kind=kind,
        actor_id=actor.pk if actor is not None else None,
        actor_label=actor_label,
        from_status=from_status,
        to_status=dossier.status,
        from_state=from_state,
        to_state=to_state,
        note=note,
        is_public=is_public,
        document_number=document_number,
    )
    messages_for_event(dossier=dossier, event=event)  # the applicant's, in this transaction


def required_text(value: str, name: str, message: object = REASON_REQUIRED) -> str:
    """Return ``value`` stripped, or raise ValidationFailed on field ``name`` if it is blank."""
    text = value.strip()
    if not text:
        raise ValidationFailed(str(message), field_errors={name: [str(message)]})
    return text


def label(role: Role | str) -> str:
    """Return how the public timeline names an actor: by role, never by name."""
    return str(Role(role).label)


def state_before(dossier: Dossier, state: DossierState) -> DossierState:
    """Return the state the dossier was in when it last entered ``state``."""
    last = (
        DossierEvent.objects.filter(dossier=dossier, to_state=state)
        .exclude(from_state=state)
        .order_by("-at", "-id")
        .values_list("from_state", flat=True)
        .first()
    )
    return DossierState(last) if last else DossierState.SUBMITTED


def step_agency_id(step: StepDef, dossier: Dossier) -> int:
    """Return the agency a process step is done in, for ``dossier``."""
    if step.agency_source == AgencySource.RECEIVING_UNIT:
        return dossier.receiving_unit_id
    if step.agency_source == AgencySource.COMPETENT_AGENCY:
        return dossier.competent_agency_id
    assert step.agency_id is not None  # noqa: S101 - a check constraint guarantees it
    return step.agency_id


def check_assignee(role: str, agency_id: int, assignee: Actor | None) -> None:
    """Raise ValidationFailed unless ``assignee`` holds ``role`` in the agency."""
    if assignee is None:
        return
    if role_holders(role=role, agency_id=agency_id).filter(pk=assignee.pk).exists():
        return
    raise ValidationFailed(
        ASSIGNEE_NOT_ELIGIBLE, field_errors={"assignee": [ASSIGNEE_NOT_ELIGIBLE]}
    )


def _step_due_at(held: Held, step: StepDef) -> dt.datetime | None:
    dossier = held.dossier
    if step.kind == StepKind.RETURN:
        return None
    if step.kind == StepKind.INTAKE:
        return dossier.intake_due_at or held.now
    legal = timing.legal_hours(
        dossier.procedure_version,
        received_at=dossier.received_at,
        legal_due=dossier_due_at(
            dossier.procedure_version, dossier.received_at, case=dossier.processing_case
        ),
    )
    return timing.step_due_at(
        start=held.now, share=step.share, legal=legal, dossier_due_at=dossier.due_at
    )


def open_step(
    held: Held,
    step: StepDef,
    *,
    actor: Actor | None,
    assignee: Actor | None = None,
    finished_before: DossierStep | None = None,
) -> DossierStep:
    """Hand the held dossier to ``step`` (a new line of its control slip), due per its share.

    ``finished_before`` is a finished line to write with it (acceptance's
    intake line): one insert for both. The dossier row is saved by the
    ``transition`` that follows.
    """
    agency_id = step_agency_id(step, held.dossier)
    check_assignee(step.role, agency_id, assignee)
    opened = DossierStep(
        dossier=held.dossier,
        step_id=step.id,
        agency_id=agency_id,
        role=step.role,
        assignee_id=assignee.pk if assignee is not None else None,
        assigned_at=held.now if assignee is not None else None,
        handed_by_id=actor.pk if actor is not None else None,
        started_at=held.now,
        due_at=_step_due_at(held, step),
    )
    DossierStep.objects.bulk_create([*([finished_before] if finished_before else []), opened])
    held.step = opened
    dossier = held.dossier
    _hand_to(dossier, agency_id)
    if agency_id not in (dossier.receiving_unit_id, dossier.competent_agency_id):
        # A partner agency of an inter-agency procedure may see the dossier from now on.
        DossierAccess.objects.bulk_create(
            [DossierAccess.of(dossier, agency_id)], ignore_conflicts=True
        )
    return opened


def _hand_to(dossier: Dossier, agency_id: int | None) -> None:
    """Note which agency holds the dossier now; ``transition`` saves it with the rest."""
    dossier.current_agency_id = agency_id


def close_step(held: Held, actor: Actor | None, *, note: str = "", judged: bool = True) -> None:
    """Finish the held dossier's open step, judged early / on time / late unless not ``judged``."""
    step = held.step
    if step is None:
        return
    step.finished_at = held.now
    step.finished_by_id = actor.pk if actor is not None else None
    step.outcome = timing.outcome_of(finished_at=held.now, due_at=step.due_at) if judged else ""
    if note:
        step.note = note
    step.save(update_fields=["finished_at", "finished_by", "outcome", "note"])
    held.step = None
    _hand_to(held.dossier, None)


def finish_dossier(held: Held, *, judged: bool = True) -> None:
    """Mark the end of processing (processed, stopped, refused or withdrawn) and judge it.

    A dossier not yet accepted is judged against its answer time; an accepted
    one against its due date, and one extended with an apology (form 04)
    against its original due date: finished after it, it is late even within
    the new date. More supplement requests than the rules allow make it late.
    """
    dossier = held.dossier
    dossier.finished_at = held.now
    if dossier.state == DossierState.SUBMITTED:
        due = dossier.intake_due_at
    else:
        due = dossier.original_due_at or dossier.due_at
    dossier.outcome = (
        timing.outcome_of(
            finished_at=held.now,
            due_at=due,
            over_limit=rules.supplements_over_limit(supplements_made(dossier.pk))
            if dossier.supplement_requests
            else False,
        )
        if judged
        else ""
    )


def targets(step: DossierStep, kind: str) -> list[StepDef]:
    """Return the steps an open step leads to by moves of ``kind``, in process order."""
    return version_structure(step.step.version_id).targets(step.step_id, kind)
