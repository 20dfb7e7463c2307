"""Printable forms of a dossier (Circular 03/2025/TT-VPCP): 02, 03, 04, 05 and the control slip 06.

Each form is rendered on demand from what the dossier's timeline and control
slip already hold, so a print always says what the system recorded:

- 02, supplement request: the ``SUPPLEMENT_REQUESTED`` event, whose note is
  the reason followed by one ``- item`` line per missing item;
- 03, refusal: the ``REFUSED`` event, its note the reasons;
- 04, apology and request to extend the time, a numbered letter of the
  deciding agency: the ``EXTENDED`` event (its note the reason for the delay,
  its ``document_number`` the letter's number), with the dossier's
  ``original_due_at`` and ``due_at``;
- 05, stop notice, a numbered notice of the deciding agency: the ``STOPPED``
  event, its note the reason, its ``document_number`` the notice's number;
- 06, control slip: the dossier's ``DossierStep`` rows.

Every form has the place-and-date line (``core.pdf.place_date``), names
people family name first (``core.names.person_name``) and addresses an
organisation as an organisation (``dossiers.receipts.applicant_terms``). A
letter or notice without a number (issued before numbering, or numbered on
paper) prints "Số: ..." to be filled in by hand.

A form that does not apply to the dossier (a refusal notice for a dossier
never refused) is ``NotFound``. The dossier should come from
``selectors.dossier_for_staff``, which checks who may see it and prefetches
its steps and timeline.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound
from motcua.core.names import person_name
from motcua.core.pdf import pdf_from_template, place_date, qr_svg
from motcua.dossiers.models import Dossier, DossierEvent, EventKind
from motcua.dossiers.receipts import applicant_terms, request_answers, tracking_link
from motcua.workflow.models import DossierStep

FORM_NOT_APPLICABLE = _("This form does not apply to this dossier.")


@dataclass(frozen=True)
class Form:
    number: str
    label: Promise
    template: str
    event: EventKind | None  # the timeline entry the form prints; None: the control slip
    by_agency: bool = False  # issued by the deciding agency, not the one-stop unit


SUPPLEMENT = Form(
    "02",
    _("Request to supplement the dossier (form 02)"),
    "workflow/forms/02_supplement.html",
    EventKind.SUPPLEMENT_REQUESTED,
)
REFUSAL = Form(
    "03",
    _("Refusal of the dossier (form 03)"),
    "workflow/forms/03_refusal.html",
    EventKind.REFUSED,
)
APOLOGY = Form(
    "04",
    _("Apology and request to extend the time (form 04)"),
    "workflow/forms/04_apology.html",
    EventKind.EXTENDED,
    by_agency=True,
)
STOP = Form(
    "05",
    _("Notice of stopped processing (form 05)"),
    "workflow/forms/05_stop.html",
    EventKind.STOPPED,
    by_agency=True,
)
CONTROL_SLIP = Form(
    "06",
    _("Processing control slip (form 06)"),
    "workflow/forms/06_control_slip.html",
    None,
)


class AvailableForm(NamedTuple):
    """A form the dossier page may link to."""

    label: Promise
    url: str


def _timeline(dossier: Dossier) -> list[DossierEvent]:
    timeline: list[DossierEvent] | None = getattr(dossier, "timeline", None)
    if timeline is None:
        timeline = list(dossier.events.select_related("actor").order_by("at", "id"))
    return timeline


def _steps(dossier: Dossier) -> list[DossierStep]:
    steps: list[DossierStep] | None = getattr(dossier, "all_steps", None)
    if steps is None:
        steps = list(
            dossier.steps.select_related(
                "step", "agency", "assignee", "handed_by", "finished_by"
            ).order_by("started_at", "id")
        )
    return steps


def _events(dossier: Dossier, kind: EventKind) -> list[DossierEvent]:
    return [e for e in _timeline(dossier) if e.kind == kind]


def _applies(dossier: Dossier, form: Form) -> bool:
    if form.event is None:
        return bool(_steps(dossier))
    return bool(_events(dossier, form.event))


def form_url(dossier: Dossier, number: str) -> str:
    """Return the URL of form ``number`` of ``dossier`` (a back-office page)."""
    return reverse("backoffice:dossier-form", kwargs={"code": dossier.code, "form": number})


def documents_available(dossier: Dossier) -> list[AvailableForm]:
    """Return the forms that apply to ``dossier`` now, in form order.

    02 once a supplement was requested (the latest request; ``?n=1`` prints
    the first), 03 once refused, 04 once extended, 05 once stopped, 06 once
    the dossier has a step (from acceptance on). Reads the prefetched
    timeline and steps: no query for a dossier from ``dossier_for_staff``.
    """
    return [
        AvailableForm(form.label, form_url(dossier, form.number))
        for form in FORMS.values()
        if _applies(dossier, form)
    ]


def _event(dossier: Dossier, form: Form, index: int | None) -> DossierEvent:
    """Return the ``index``-th (1-based; the latest by default) event ``form`` prints."""
    events = _events(dossier, form.event) if form.event is not None else []
    if not events or (index is not None and not 1 <= index <= len(events)):
        raise NotFound(FORM_NOT_APPLICABLE)
    return events[(index or len(events)) - 1]


class SlipLine(NamedTuple):
    """A line of the control slip: the step, who handed the dossier on and who took it."""

    step: DossierStep
    handed_by: str
    taken_by: str


def _render(dossier: Dossier, form: Form, event: DossierEvent | None = None, **extra: Any) -> bytes:
    issuer = dossier.competent_agency if form.by_agency else dossier.receiving_unit
    at = timezone.localtime(event.at) if event is not None else timezone.localtime()
    context: dict[str, Any] = {
        "dossier": dossier,
        "unit": dossier.receiving_unit,
        "agency": dossier.competent_agency,
        "site_name": settings.SITE_NAME,
        "printed_at": timezone.localtime(),
        "place_date": place_date(issuer, at),
        "terms": applicant_terms(dossier),
        "qr_svg": qr_svg(tracking_link(dossier)),
        **extra,
    }
    if event is not None:
        context.update({"event": event, "at": at, "signer": person_name(event.actor)})
    with translation.override("vi"):
        return pdf_from_template(form.template, context)


def supplement_items(note: str) -> tuple[str, list[str]]:
    """Split a supplement request's note into its reason and its list of missing items."""
    lines = [line.strip() for line in note.splitlines() if line.strip()]
    items = [line[2:].strip() for line in lines if line.startswith("- ")]
    reason = " ".join(line for line in lines if not line.startswith("- "))
    return reason, items


def supplement_request_pdf(dossier: Dossier, *, index: int | None = None) -> bytes:
    """Print form 02: what is missing, the reason, whom to ask (by default the latest request)."""
    event = _event(dossier, SUPPLEMENT, index)
    reason, items = supplement_items(event.note)
    return _render(dossier, SUPPLEMENT, event, reason=reason, items=items)


def refusal_pdf(dossier: Dossier) -> bytes:
    """Print form 03: the dossier is refused, with the reasons recorded."""
    return _render(dossier, REFUSAL, _event(dossier, REFUSAL, None))


def apology_pdf(dossier: Dossier) -> bytes:
    """Print form 04: the apology, the reason for the delay, the first and the new return dates."""
    return _render(dossier, APOLOGY, _event(dossier, APOLOGY, None))


def stop_notice_pdf(dossier: Dossier) -> bytes:
    """Print form 05: processing stopped, with the reason and when."""
    return _render(dossier, STOP, _event(dossier, STOP, None))


def control_slip_pdf(dossier: Dossier) -> bytes:
    """Print form 06: a line per step (handed by, taken by, when, due, finished, verdict)."""
    steps = _steps(dossier)
    if not steps:
        raise NotFound(FORM_NOT_APPLICABLE)
    own = {dossier.competent_agency_id, dossier.receiving_unit_id}
    partners = dict.fromkeys(s.agency.name for s in steps if s.agency_id not in own)
    lines = [
        SlipLine(s, person_name(s.handed_by), person_name(s.assignee or s.finished_by))
        for s in steps
    ]
    return _render(
        dossier,
        CONTROL_SLIP,
        lines=lines,
        partners=list(partners),
        answers=request_answers(dossier),
    )


FORMS: dict[str, Form] = {f.number: f for f in (SUPPLEMENT, REFUSAL, APOLOGY, STOP, CONTROL_SLIP)}
_PRINTERS: dict[str, Callable[[Dossier], bytes]] = {
    "03": refusal_pdf,
    "04": apology_pdf,
    "05": stop_notice_pdf,
    "06": control_slip_pdf,
}


def form_pdf(dossier: Dossier, number: str, *, index: int | None = None) -> bytes:
    """Print form ``number`` (``"02"``-``"06"``) of ``dossier``; NotFound if it does not apply.

    ``index`` picks an earlier supplement request (form 02, 1-based).
    """
    if number == SUPPLEMENT.number:
        return supplement_request_pdf(dossier, index=index)
    printer = _PRINTERS.get(number)
    if printer is None:
        raise NotFound(FORM_NOT_APPLICABLE)
    return printer(dossier)
