"""The receipt and appointment slip (form 01 of Circular 03/2025/TT-VPCP) as a PDF.

Also what every printed form of a dossier says the same way: how the
applicant is addressed (a person "Ông/Bà", an organisation by its name), the
request in a line (the procedure and the e-form answers flagged ``summary``),
and the link of the public tracking page that the QR codes hold.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from django.conf import settings
from django.utils import timezone, translation

from motcua.catalog.eforms import eform_answers
from motcua.catalog.selectors import version_case
from motcua.core.names import person_name
from motcua.core.pdf import pdf_from_template, place_date, qr_svg

from .fees import dossier_fee_lines
from .models import (
    ApplicantKind,
    Channel,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierState,
    EventKind,
)
from .selectors import dossier_tracking_url

PaperSize = Literal["A4", "A5"]
# Lines (of components and request answers) a receipt holds at each print density, so that
# it stays on one page: at most NORMAL_LINES at the normal size, COMPACT_LINES smaller.
NORMAL_LINES = 8
COMPACT_LINES = 16
LINE_CHARACTERS = 90  # of a component's name, on one line of the table when printed small


def paper_size(asked: str) -> PaperSize:
    """Return the paper a request asks for (``?size=a5``), A4 by default."""
    return "A5" if asked.strip().lower() == "a5" else "A4"


class ApplicantTerms(NamedTuple):
    """How a form names the applicant: as a field, before the name, and as "you"."""

    title: str  # the field ("Ông/Bà: Trần Thị Mai"; "Tổ chức: Công ty ...")
    prefix: str  # before the name in a sentence ("của Ông/Bà Trần Thị Mai"; "của Công ty ...")
    you: str  # "you" in the text ("Ông/Bà"; "Quý tổ chức")


PERSON_TERMS = ApplicantTerms("Ông/Bà", "Ông/Bà ", "Ông/Bà")
ORGANISATION_TERMS = ApplicantTerms("Tổ chức", "", "Quý tổ chức")


def applicant_terms(dossier: Dossier) -> ApplicantTerms:
    """Return how forms address the applicant: an organisation is not "Ông/Bà"."""
    if dossier.applicant_kind == ApplicantKind.ORGANISATION:
        return ORGANISATION_TERMS
    return PERSON_TERMS


def request_answers(dossier: Dossier) -> list[tuple[str, str]]:
    """Return the (label, answer) pairs of the e-form fields flagged ``summary``, answered.

    They state what the applicant asks for ("Nội dung yêu cầu giải quyết");
    labels are the form's Vietnamese ones.
    """
    with translation.override("vi"):
        answers = eform_answers(dossier.procedure_version.eform or [], dossier.form_data or {})
    return [(a.label, a.text) for a in answers if a.summary and a.text]


def tracking_link(dossier: Dossier) -> str:
    """Return the absolute URL of the dossier's public tracking page (from ``SITE_URL``)."""
    return settings.SITE_URL.rstrip("/") + dossier_tracking_url(dossier)


def receipt_qr_payload(dossier: Dossier) -> str:
    """Return what the receipt's QR code holds: the plain tracking URL a phone camera opens."""
    return tracking_link(dossier)


def _intake_event(dossier: Dossier) -> DossierEvent | None:
    """Return the timeline entry of the dossier's acceptance, with the officer who accepted it."""
    return (
        DossierEvent.objects.filter(dossier=dossier, kind=EventKind.ACCEPTED)
        .select_related("actor")
        .order_by("at", "id")
        .first()
    )


def _density(components: list[DossierComponent], answers: list[tuple[str, str]]) -> str:
    lines = len(answers) + sum(1 + len(c.name) // LINE_CHARACTERS for c in components)
    if lines <= NORMAL_LINES:
        return "normal"
    return "compact" if lines <= COMPACT_LINES else "dense"


def receipt_pdf(dossier: Dossier, *, size: PaperSize = "A4") -> bytes:
    """Render the receipt of ``dossier`` as PDF bytes, on one page.

    Rendered on demand, not at submission, so submitting stays fast. Once the
    dossier is accepted it states when and by whom, and its register book and
    entry; an online dossier not yet accepted says it waits for the one-stop
    unit, with a provisional appointment. The more components, the smaller
    the print, so the receipt stays one page.
    """
    components = list(dossier.components.all())
    version = dossier.procedure_version
    accepted = _intake_event(dossier) if dossier.register_book_id is not None else None
    answers = request_answers(dossier)
    received_at = timezone.localtime(dossier.received_at)
    context = {
        "dossier": dossier,
        "version": version,
        "components": components,
        "fees": [
            (fee.get_kind_display(), f"{fee.amount:,}".replace(",", "."))
            for fee in version.fees.all()
        ],
        "fee_lines": dossier_fee_lines(dossier=dossier),
        # The processing-time case whose legal time applies, once one was chosen.
        "case": version_case(version.pk, dossier.processing_case)
        if dossier.processing_case
        else None,
        "qr_svg": qr_svg(receipt_qr_payload(dossier)),
        "received_at": received_at,
        "submitted_at": timezone.localtime(dossier.submitted_at),
        "due_at": timezone.localtime(dossier.due_at),
        "place_date": place_date(dossier.receiving_unit, received_at),
        "terms": applicant_terms(dossier),
        "answers": answers,
        "is_online": dossier.channel == Channel.ONLINE,
        "is_accepted": dossier.register_book_id is not None,
        "is_waiting": dossier.register_book_id is None
        and dossier.state in {DossierState.SUBMITTED, DossierState.SUPPLEMENT_REQUESTED},
        "is_refused": dossier.state == DossierState.REFUSED,
        "book": dossier.register_book,
        "officer": person_name(accepted.actor) if accepted is not None else "",
        "answer_hours": settings.MOTCUA_ONLINE_ANSWER_WORKING_HOURS,
        "density": _density(components, answers),
        "size": size,
        "site_name": settings.SITE_NAME,
        "tracking_url": tracking_link(dossier),
    }
    with translation.override("vi"):
        return pdf_from_template("dossiers/receipt.html", context)
