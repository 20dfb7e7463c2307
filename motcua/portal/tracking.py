"""The public history of a dossier, as the tracking page tells it: who holds it and why it moved.

Built from the dossier's public timeline (``DossierEvent``) and the lines of
its control slip (``workflow.DossierStep``: which agency held it from when).
Agencies are named, people never: the page is public. Consecutive lines that
say the same thing are merged (the first is kept), and so is one more step
inside the agency that already holds the dossier; oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, DossierEvent, EventKind, Status
from motcua.workflow.models import DossierStep

# What each kind of event means for the applicant; %(agency)s: who holds the dossier after it.
_SAYS: dict[str, Any] = {
    EventKind.SUBMITTED: _("Submitted online; waiting for the one-stop unit to check it."),
    EventKind.RECEIVED: _("Received at the counter of %(agency)s."),
    EventKind.ACCEPTED: _("Accepted and logged; sent to %(agency)s for processing."),
    EventKind.ASSIGNED: _("Being processed at %(agency)s."),
    EventKind.FORWARDED: _("Being processed at %(agency)s."),
    EventKind.RETURNED: _("Sent back to %(agency)s for rework."),
    EventKind.TRANSFERRED: _("Sent to %(agency)s for processing."),
    EventKind.SUPPLEMENT_REQUESTED: _(
        "More documents are needed: waiting for the applicant's supplement."
    ),
    EventKind.SUPPLEMENT_RECEIVED: _(
        "The applicant's supplement was received; processing resumes at %(agency)s."
    ),
    EventKind.EXTENDED: _("The due date was extended, with a letter of apology to the applicant."),
    EventKind.CASE_CHOSEN: _("The legal processing time of this case was applied."),
    EventKind.DUE_RECOMPUTED: _("The appointment changed after a change of the working calendar."),
    EventKind.RESULT_RECORDED: _("The result was issued."),
    EventKind.RESULT_REVOKED: _("The electronic result was revoked."),
    EventKind.RESULT_REPLACED: _("The electronic result was replaced by a new one."),
    EventKind.PROCESSED: _("Processed: the result is ready to be returned."),
    EventKind.RESULT_RETURNED: _("The result was returned to the applicant."),
    EventKind.REFUSED: _("Not accepted: the one-stop unit refused the dossier, with its reasons."),
    EventKind.STOPPED: _("Processing was stopped, with a notice to the applicant."),
    EventKind.WITHDRAWAL_REQUESTED: _("The applicant asked to withdraw the dossier."),
    EventKind.WITHDRAWN: _("Withdrawn at the applicant's request."),
    EventKind.WITHDRAWAL_REFUSED: _("The request to withdraw was refused; processing continues."),
}
# A move to an earlier step of the process is a send-back, whatever agency it goes to.
_SENT_BACK = _("Sent back to %(agency)s for rework.")
_SAME_PLACE = (EventKind.FORWARDED, EventKind.ASSIGNED)
_PAYMENT = _("Waiting for the applicant to pay the fees.")
_STATUS = _("Status: %(status)s.")
_AT_UNKNOWN = _("the agency")


@dataclass(frozen=True)
class HistoryLine:
    """One line of the public history: when, what it means, and who holds the dossier after."""

    at: datetime
    text: str
    agency: str


@dataclass(frozen=True)
class PublicHistory:
    """The lines, oldest first, and the agency holding the dossier now ("" when none does)."""

    lines: list[HistoryLine]
    held_by: str


@dataclass(frozen=True)
class _Held:
    start: datetime
    end: datetime | None
    agency: str
    order: int


def _around(held: list[_Held], at: datetime) -> tuple[_Held | None, _Held | None]:
    """Return the line of the control slip holding the dossier just after ``at`` (None when
    no step is open then) and the one before it."""
    index = -1
    for n, line in enumerate(held):
        if line.start > at:
            break
        index = n
    if index < 0:
        return None, None
    end = held[index].end
    now = held[index] if end is None or end > at else None
    return now, held[index - 1] if index > 0 else None


def _says(event: DossierEvent, now: _Held | None, before: _Held | None) -> str:
    agency = now.agency if now else ""
    if event.kind == EventKind.STATUS_CHANGED:
        if event.to_status == Status.PAYMENT_REQUESTED:
            return str(_PAYMENT)
        return str(_STATUS) % {"status": Status(event.to_status).label}
    moved = event.kind in (EventKind.TRANSFERRED, EventKind.RETURNED)
    if moved and now is not None and before is not None and now.order < before.order:
        return str(_SENT_BACK) % {"agency": agency}
    text = str(_SAYS.get(event.kind, _STATUS))
    return text % {"agency": agency or _AT_UNKNOWN, "status": Status(event.to_status).label}


def dossier_public_history(dossier: Dossier) -> PublicHistory:
    """Return the public history of ``dossier`` (loaded by ``dossier_public_get``).

    One query besides the dossier's own: the agencies of its control slip.
    """
    steps = (
        DossierStep.objects.filter(dossier_id=dossier.pk)
        .order_by("started_at", "id")
        .values_list("started_at", "finished_at", "agency__name", "step__order")
    )
    held = [_Held(start, end, name, order) for start, end, name, order in steps]
    events: list[DossierEvent] = getattr(dossier, "public_events", [])
    lines: list[HistoryLine] = []
    for event in events:
        now, before = _around(held, event.at)
        text = _says(event, now, before)
        agency = now.agency if now else ""
        if lines and (
            lines[-1].text == text
            # One more step in the agency that already holds it adds nothing for the applicant.
            or (event.kind in _SAME_PLACE and agency and lines[-1].agency == agency)
        ):
            continue
        lines.append(HistoryLine(at=event.at, text=text, agency=agency))
    now = held[-1] if held and held[-1].end is None else None
    return PublicHistory(lines=lines, held_by=now.agency if now else "")
