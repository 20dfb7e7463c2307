"""Reads for applicants: who is signed in, their dossiers, one dossier, their drafts.

A dossier is the applicant's when it carries their personal identification
number (``Dossier.applicant_id_number``, indexed with the time received): one
submitted at the counter with the same number is theirs too. Another number's
dossier is "not found", never its data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.dossiers.models import Delivery, Dossier, DossierEvent, DossierState, EventKind

from .models import Applicant, Draft

MY_DOSSIER_NOT_FOUND = _("You have no dossier with this code.")
MY_DOSSIERS_LIMIT = 200

# What the applicant is asked to do now, by the dossier's state (None: nothing, wait).
ASKED_NOW: dict[str, Promise] = {
    DossierState.SUPPLEMENT_REQUESTED: _(
        "The one-stop unit asks you for a supplement: see what is missing and send it."
    ),
    DossierState.PAYMENT_REQUESTED: _("Pay the fee so that processing can go on."),
    DossierState.PROCESSED: _("The result is ready: receive it as you chose."),
}
# The actions on offer, by state: (anchor on the dossier page, label). The forms are the
# dossier page's "actions" block; a state without a form yet leads to the page's top.
ACTIONS: dict[str, list[tuple[str, Promise]]] = {
    DossierState.SUPPLEMENT_REQUESTED: [("bo-sung", _("Send the supplement"))],
    DossierState.PAYMENT_REQUESTED: [("nop-phi", _("Pay the fee"))],
    DossierState.PROCESSED: [("ket-qua", _("Receive the result"))],
    DossierState.RESULT_RETURNED: [("danh-gia", _("Rate the service"))],
}
_WITHDRAWABLE = (
    DossierState.SUBMITTED,
    DossierState.ACCEPTED,
    DossierState.IN_PROCESS,
    DossierState.SUPPLEMENT_REQUESTED,
    DossierState.PAYMENT_REQUESTED,
)
WITHDRAW = ("rut-ho-so", _("Ask to withdraw"))

# The timeline in the applicant's words, by kind of entry.
SAID_TO_APPLICANT: dict[str, Promise] = {
    EventKind.SUBMITTED: _("You submitted the dossier online."),
    EventKind.RECEIVED: _("The one-stop unit received your dossier at the counter."),
    EventKind.ACCEPTED: _("Your dossier was accepted; the due date is set."),
    EventKind.REFUSED: _("Your dossier was not accepted."),
    EventKind.SUPPLEMENT_REQUESTED: _("You were asked for a supplement; the clock is stopped."),
    EventKind.SUPPLEMENT_RECEIVED: _("Your supplement was received; the clock runs again."),
    EventKind.FORWARDED: _("Your dossier moved on to the next step."),
    EventKind.RETURNED: _("Your dossier went back to an earlier step."),
    EventKind.TRANSFERRED: _("Your dossier was sent to another agency."),
    EventKind.RESULT_RECORDED: _("The result was drafted."),
    EventKind.EXTENDED: _("The agency apologised and set a new due date."),
    EventKind.STOPPED: _("Processing of your dossier was stopped."),
    EventKind.WITHDRAWAL_REQUESTED: _("You asked to withdraw the dossier."),
    EventKind.WITHDRAWN: _("Your dossier was withdrawn as you asked."),
    EventKind.WITHDRAWAL_REFUSED: _("Your request to withdraw was not granted."),
    EventKind.PROCESSED: _("Your dossier has been processed: the result is ready."),
    EventKind.RESULT_RETURNED: _("The result was handed to you."),
    EventKind.DUE_RECOMPUTED: _("The due date changed with the working calendar."),
    EventKind.CASE_CHOSEN: _("The processing time of your case was set."),
    EventKind.STATUS_CHANGED: _("The status of your dossier changed."),
    EventKind.RESULT_REVOKED: _("Your electronic result was revoked: it is no longer valid."),
    EventKind.RESULT_REPLACED: _(
        "Your electronic result was replaced by a new one: download the new one."
    ),
}
_HIDDEN_KINDS = (EventKind.ASSIGNED,)  # internal: who in the agency handles it
# Entries whose note is written to the applicant (reasons); other notes are the staff's.
_NOTE_FOR_APPLICANT = (
    EventKind.REFUSED,
    EventKind.SUPPLEMENT_REQUESTED,
    EventKind.EXTENDED,
    EventKind.STOPPED,
    EventKind.WITHDRAWAL_REFUSED,
    EventKind.RESULT_REVOKED,
    EventKind.RESULT_REPLACED,
)


def applicant_of(who: HttpRequest | Any) -> Applicant | None:
    """Return the applicant signed in on a request (or of a user), else None (staff, anonymous)."""
    user: Any = getattr(who, "user", who)
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        applicant: Applicant = user.applicant
    except Applicant.DoesNotExist:
        return None
    return applicant


def applicant_may_submit(applicant: Applicant | None) -> bool:
    """Tell whether ``applicant`` has the level of assurance the province asks to submit."""
    required: int = settings.MOTCUA_SUBMIT_MIN_LOA
    return applicant is not None and applicant.loa >= required


@dataclass(frozen=True)
class Action:
    """A link to an action the applicant may take now."""

    label: str
    url: str


@dataclass(frozen=True)
class MyDossier:
    """A row of "Hồ sơ của tôi"."""

    code: str
    procedure: str
    state: str
    state_label: str
    status: int
    received_at: dt.datetime
    due_at: dt.datetime
    finished: bool
    asked_now: str
    actions: list[Action]
    url: str


# The actions that have a page of their own (motcua.workflow.applicant_urls, ratings);
# the others lead to their place on the dossier's page.
_ACTION_PAGES = {
    "bo-sung": "applicant:supplement",
    "rut-ho-so": "applicant:withdraw",
    "danh-gia": "ratings:rate",
}


def _actions(code: str, state: str, *, rated: bool = False) -> list[Action]:
    url = reverse("applicants:dossier", kwargs={"code": code})
    pairs = [p for p in ACTIONS.get(state, []) if not (rated and p[0] == "danh-gia")]
    if state in _WITHDRAWABLE:
        pairs.append(WITHDRAW)
    return [
        Action(
            str(label),
            reverse(_ACTION_PAGES[anchor], kwargs={"code": code})
            if anchor in _ACTION_PAGES
            else f"{url}#{anchor}",
        )
        for anchor, label in pairs
    ]


DOSSIER_ROW_FIELDS = (
    "id",
    "code",
    "state",
    "status",
    "received_at",
    "due_at",
    "finished_at",
    "delivery",
    "procedure_version__name",
    "rating__id",  # rated already: the rating is no longer offered (one-to-one, no extra row)
)


def dossier_rows(rows: Iterable[dict[str, Any]], *, read_only: bool = False) -> list[MyDossier]:
    """Return rows of "Hồ sơ của tôi" from ``Dossier`` values (``DOSSIER_ROW_FIELDS``).

    ``read_only``: no actions, and each row leads to the dossier's public tracking
    page (the lookup by one-time code, where nobody is signed in).
    """
    out = []
    for row in rows:
        state = row["state"]
        asked = ASKED_NOW.get(state)
        if state == DossierState.PROCESSED and row["delivery"] == Delivery.ONLINE:
            asked = _("The result is ready: download it from the dossier's page.")
        out.append(
            MyDossier(
                code=row["code"],
                procedure=row["procedure_version__name"],
                state=state,
                state_label=str(DossierState(state).label),
                status=row["status"],
                received_at=row["received_at"],
                due_at=row["due_at"],
                finished=row["finished_at"] is not None,
                asked_now=str(asked) if asked else "",
                actions=[]
                if read_only
                else _actions(row["code"], state, rated=row.get("rating__id") is not None),
                url=reverse("portal:track-detail", kwargs={"code": row["code"]})
                if read_only
                else reverse("applicants:dossier", kwargs={"code": row["code"]}),
            )
        )
    return out


def applicant_dossiers(applicant: Applicant) -> list[MyDossier]:
    """Return the applicant's dossiers, newest first (one query, on the number's index)."""
    rows = (
        Dossier.objects.filter(applicant_id_number=applicant.id_number)
        .order_by("-received_at", "-id")
        .values(*DOSSIER_ROW_FIELDS)[:MY_DOSSIERS_LIMIT]
    )
    return dossier_rows(rows)


def applicant_drafts(applicant: Applicant) -> list[Draft]:
    """Return the applicant's drafts, last saved first, with their procedures (one query)."""
    return list(
        Draft.objects.filter(applicant=applicant)
        .select_related("procedure__current_version")
        .order_by("-updated_at", "-id")
    )


def applicant_draft(applicant: Applicant, procedure_id: int) -> Draft | None:
    """Return the applicant's draft for a procedure, if any."""
    return Draft.objects.filter(applicant=applicant, procedure_id=procedure_id).first()


def applicant_dossier(who: HttpRequest | Applicant, code: str) -> Dossier:
    """Return the signed-in applicant's dossier ``code`` with what its page shows.

    Raises NotFound for a code that is not theirs (another number's dossier
    is as unknown as a code that does not exist) and when nobody is signed
    in. Loaded with its procedure, agencies, components and files, and the
    public timeline in ``public_events``, in a constant number of queries.
    Other parts of the applicant's side build on this read.
    """
    applicant = who if isinstance(who, Applicant) else applicant_of(who)
    if applicant is None:
        raise NotFound(MY_DOSSIER_NOT_FOUND)
    dossier = (
        Dossier.objects.select_related(
            "procedure", "procedure_version", "competent_agency", "receiving_unit", "rating"
        )
        .prefetch_related(
            "components__files",
            Prefetch(
                "events",
                queryset=DossierEvent.objects.filter(is_public=True)
                .exclude(kind__in=_HIDDEN_KINDS)
                .order_by("at", "id"),
                to_attr="public_events",
            ),
        )
        .filter(code=code.strip(), applicant_id_number=applicant.id_number)
        .order_by()
        .first()
    )
    if dossier is None:
        raise NotFound(MY_DOSSIER_NOT_FOUND)
    return dossier


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    text: str
    note: str


def applicant_timeline(dossier: Dossier) -> list[TimelineEntry]:
    """Return the public timeline of ``applicant_dossier``'s dossier in the applicant's words."""
    entries = []
    for event in getattr(dossier, "public_events", []):
        said = SAID_TO_APPLICANT.get(event.kind)
        text = str(said) if said is not None else str(EventKind(event.kind).label)
        note = event.note if event.kind in _NOTE_FOR_APPLICANT else ""
        entries.append(TimelineEntry(event.at, text, note))
    return entries


def dossier_actions(dossier: Dossier) -> list[Action]:
    """Return the links to the actions the applicant may take on ``dossier`` now.

    ``dossier`` comes from ``applicant_dossier``, which joins its rating (if any).
    """
    try:
        rated = dossier.rating is not None
    except ObjectDoesNotExist:
        rated = False
    return _actions(dossier.code, dossier.state, rated=rated)


def previous_answers(applicant: Applicant) -> dict[str, str]:
    """Return what the applicant gave on their last dossier, to prefill a new form.

    The address and the result's delivery address; phone and e-mail too when
    the identity has none.
    """
    last = (
        Dossier.objects.filter(applicant_id_number=applicant.id_number)
        .order_by("-received_at", "-id")
        .values("applicant_address", "applicant_phone", "applicant_email", "delivery_address")
        .first()
    )
    if last is None:
        return {}
    answers = {
        "applicant_address": last["applicant_address"],
        "delivery_address": last["delivery_address"],
        "applicant_phone": last["applicant_phone"],
        "applicant_email": last["applicant_email"],
    }
    return {k: v for k, v in answers.items() if v}


def identity_answers(applicant: Applicant) -> dict[str, str]:
    """Return the submission's inputs that come from the identity and cannot be changed.

    Kind, name and identification number always; phone and e-mail when the
    identity gives them (else the applicant types them).
    """
    fixed = {
        "applicant_kind": applicant.kind,
        "applicant_name": applicant.name,
        "applicant_id_number": applicant.id_number,
    }
    if applicant.phone:
        fixed["applicant_phone"] = applicant.phone
    if applicant.email:
        fixed["applicant_email"] = applicant.email
    return fixed
