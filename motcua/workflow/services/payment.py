"""Fees in the workflow: the dossier waits for payment (status 6) and moves on once paid.

The fees are requested automatically when the procedure's rules make them
due (``PAYMENTS_REQUEST_AUTOMATICALLY``): the "before" ones (thu trước) at
acceptance, processing waits for them; the "after" ones (thu sau) when the
dossier is processed, the result waits for them. An officer may also request
them (``dossier_request_payment``). Whether the applicant's clock stops
while the dossier waits for payment is ``PAYMENTS_PAUSE_CLOCK`` (like a
supplement; on by default). The payments app records the payments and calls
``fees_paid`` under the dossier's lock: the one place where a paid dossier
moves on.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from motcua.core.errors import Conflict
from motcua.dossiers.models import Dossier, DossierState, EventKind
from motcua.payments.selectors import dues_at, fees_unpaid
from motcua.staff.models import Role

from .. import rules, timing
from ._base import Actor, Held, acting, acting_on_locked, label, state_before, transition

NOTHING_TO_PAY = rules.NOTHING_TO_PAY
FEES_UNCOUNTED = rules.FEES_UNCOUNTED
APPLICANT_ONLINE_LABEL = "Người nộp hồ sơ (trực tuyến)"


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


def fees_request(held: Held, *, actor: Actor | None, note: str = "", automatic: bool) -> bool:
    """Ask for the fees the held dossier owes now; it waits for payment (status 6).

    ``automatic`` (at acceptance, when processed): nothing owed, or amounts
    still to be counted, is no request (returns False). Asked by an officer,
    they are a ``Conflict`` saying why.
    """
    dossier = held.dossier
    if automatic and not settings.PAYMENTS_REQUEST_AUTOMATICALLY:
        return False
    lines = fees_unpaid(dossier_id=dossier.pk, dues=dues_at(dossier.state))
    if not lines:
        if automatic:
            return False
        raise Conflict(NOTHING_TO_PAY)
    if any(line.amount is None for line in lines):
        if automatic:
            return False
        raise Conflict(FEES_UNCOUNTED)
    total = sum(line.amount or 0 for line in lines)
    if dossier.state in rules.PROCESSING_STATES and settings.PAYMENTS_PAUSE_CLOCK:
        dossier.paused_at = held.now
    summary = (
        "Phí, lệ phí phải nộp: "
        + _money(total)
        + " ("
        + "; ".join(f"{line.name}: {_money(line.amount or 0)}" for line in lines)
        + ")."
    )
    transition(
        held,
        to_state=DossierState.PAYMENT_REQUESTED,
        actor=actor,
        kind=EventKind.FEES_REQUESTED,
        note="\n".join(part for part in (summary, note) if part),
        actor_label=label(Role.RECEIVING_OFFICER),
    )
    return True


def dossier_request_payment(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    note: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Ask the applicant for the fees the dossier owes now (status 6).

    While processing: the "before" fees, and processing waits; once
    processed: the "after" ones too, and the result waits. Refused when
    nothing is owed or an amount is still to be counted (Conflict). Locks
    the dossier row (``select_for_update``).
    """
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.REQUEST_PAYMENT,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        fees_request(held, actor=actor, note=note.strip(), automatic=False)
    return held.dossier


def fees_paid(held: Held, *, actor: Actor | None, note: str, actor_label: str) -> bool:
    """Move the held dossier on if it waited for payment and nothing it owes is unpaid now.

    It goes back to the state it was asked from (processing goes on, or the
    result may be returned); a stopped clock resumes where it stopped, as
    after a supplement. Returns whether the dossier moved on.
    """
    dossier = held.dossier
    if dossier.state != DossierState.PAYMENT_REQUESTED:
        return False
    resumed = state_before(dossier, DossierState.PAYMENT_REQUESTED)
    if fees_unpaid(dossier_id=dossier.pk, dues=dues_at(resumed)):
        return False
    if dossier.paused_at is not None:
        paused_at = dossier.paused_at
        dossier.due_at = timing.pushed_by_pause(dossier.due_at, paused_at=paused_at, now=held.now)
        step = held.step
        if step is not None and step.due_at is not None:
            step.due_at = timing.pushed_by_pause(step.due_at, paused_at=paused_at, now=held.now)
            step.save(update_fields=["due_at"])
        dossier.paused_at = None
    transition(
        held,
        to_state=resumed,
        actor=actor,
        kind=EventKind.FEES_PAID,
        note=note,
        actor_label=actor_label,
    )
    return True


def dossier_fees_paid_online(*, dossier_id: int, note: str, now: dt.datetime | None = None) -> bool:
    """Move a dossier waiting for payment on, once the gateway confirmed the applicant paid.

    The applicant's action ``pay`` (``rules.check_applicant``): the caller,
    ``payments.services``, holds the dossier's lock already and calls this in
    its transaction, only for a dossier waiting for payment.
    """
    with acting(dossier_id, actor=None, action=rules.Action.PAY, now=now) as held:
        return fees_paid(held, actor=None, note=note, actor_label=APPLICANT_ONLINE_LABEL)


def locked_dossier_fees_paid_online(dossier: Dossier, *, note: str, now: dt.datetime) -> bool:
    """``dossier_fees_paid_online`` for a dossier the caller locked in its transaction already.

    The payments app locks a payment's dossiers (id order) before settling
    their fee lines; this moves one on under that lock, with the same rules
    (``pay``), timeline entry, access rows and message, without locking and
    reading it again (``acting_on_locked``).
    """
    with acting_on_locked(dossier, action=rules.Action.PAY, now=now) as held:
        return fees_paid(held, actor=None, note=note, actor_label=APPLICANT_ONLINE_LABEL)
