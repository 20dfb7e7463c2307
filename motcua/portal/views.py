"""The citizen's pages: find a procedure, submit a dossier, get the receipt, track it.

Each view parses its input, calls a selector or a service and renders; with
htmx (``request.htmx``) the search returns only its results list. Domain
errors become pages with the service's messages: the rules live in the
services, never here.
"""

from __future__ import annotations

import io
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.applicants.claims import LOA_TOO_LOW
from motcua.applicants.selectors import (
    applicant_draft,
    applicant_may_submit,
    applicant_of,
    identity_answers,
    previous_answers,
)
from motcua.applicants.services import draft_discard, draft_save
from motcua.applicants.submission import answers_with_identity
from motcua.calendar.selectors import working_time_seasons
from motcua.catalog.blank_forms import blank_form_filename, blank_form_pdf, component_has_form
from motcua.catalog.fees import FeeQuote, fee_rows, version_fees
from motcua.catalog.models import OnlineLevel, Procedure
from motcua.catalog.selectors import (
    filter_options,
    procedure_counters,
    procedure_get_published,
    procedure_search,
    search_understood,
)
from motcua.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from motcua.core.middleware import UNSTORABLE_INPUT, UnstorableInput, unstorable_fields
from motcua.dossiers.fees import dossier_fee_lines, fee_quote_for
from motcua.dossiers.files import attachment_response
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.selectors import (
    ReceiptLink,
    dossier_public_get,
    dossier_receipt_token,
    dossier_receipt_token_check,
    dossier_receipt_url,
)
from motcua.dossiers.services import dossier_submit
from motcua.dossiers.uploads import KeptFile, SubmissionInvalid, kept_files_listed
from motcua.dossiers.views import receipt_link_expired
from motcua.outbox.preferences import checkboxes_posted
from motcua.portal import forms
from motcua.portal.selectors import popular_procedures
from motcua.portal.tracking import dossier_public_history

FORM_ALREADY_SENT = _(
    "This form was already sent with other details. Check the details below and submit "
    "again to send a new dossier."
)
DRAFT_SAVED = _(
    "Your draft is saved: finish it from “My dossiers”. The files you chose are kept for a "
    "limited time; after that, choose them again."
)
PAGE_SIZE = 20
SEARCH_PARAMS = ("q", "agency", "field", "level", "online")


def _is_partial(request: HttpRequest) -> bool:
    """Tell whether htmx asked for a fragment (a history restore needs the whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "404.html", {"message": message}, status=404)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Show the search box, the most requested procedures and the tracking box."""
    return render(request, "portal/home.html", {"popular": popular_procedures(limit=6)})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """List procedures matching the query and filters; the results fragment for htmx."""
    params = {name: request.GET.get(name, "").strip()[:200] for name in SEARCH_PARAMS}
    error = None
    try:
        results = procedure_search(
            q=params["q"],
            agency=params["agency"] or None,
            field=params["field"] or None,
            level=params["level"] or None,
            online=params["online"] or None,
        )
    except ValidationFailed as exc:
        error, results = exc, Procedure.objects.none()
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "params": params,
        "page": page,
        "error": error,
        "query_string": urlencode({k: v for k, v in params.items() if v}),
        "filters_active": any(params[name] for name in SEARCH_PARAMS[1:]),
        "understood": search_understood(params["q"]) if not error else "",
    }
    if _is_partial(request):
        response = render(request, "portal/_results.html", {**context, "partial": True})
    else:
        context["options"] = filter_options()
        response = render(request, "portal/search.html", context, status=400 if error else 200)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def procedure(request: HttpRequest, code: str) -> HttpResponse:
    """Show a procedure: components, fees, time, legal basis, agency, channels."""
    try:
        proc = procedure_get_published(code=code)
    except NotFound as exc:
        return _not_found(request, str(exc.message))
    assert proc.current_version is not None  # noqa: S101 - published procedures have one
    rules, exemptions = fee_rows(version_fees(proc.current_version))
    return render(
        request,
        "portal/procedure.html",
        {
            "procedure": proc,
            "version": proc.current_version,
            "FULL": OnlineLevel.FULL,
            "fee_rules": rules,
            "fee_exemptions": exemptions,
            "counters": procedure_counters(proc),
            "seasons": working_time_seasons(),
        },
    )


@require_GET
def fee_quote(request: HttpRequest, code: str) -> HttpResponse:
    """Return the fee lines of a dossier being filled in: the submission page's live amount.

    Reads the counts (``eform-<name>``, or ``fee_qty-<name>`` with
    ``channel=1`` at the counter) and the claimed exemptions (``fee_claim``)
    from the query string; proofs are checked at submission, not here.
    """
    try:
        proc = procedure_get_published(code=code)
    except NotFound as exc:
        return _not_found(request, str(exc.message))
    assert proc.current_version is not None  # noqa: S101 - published procedures have one
    channel = request.GET.get("channel", "")
    at_counter = channel == str(Channel.COUNTER)
    context: dict[str, Any] = {"quote": FeeQuote(), "fee_errors": []}
    try:
        context["quote"] = fee_quote_for(
            version=proc.current_version,
            channel=Channel.COUNTER if at_counter else Channel.ONLINE,
            data=request.GET,
            on=timezone.localdate(),
            at_counter=at_counter,
            partial=True,
        )
    except DomainError as exc:
        context["fee_errors"] = [str(m) for ms in exc.field_errors.values() for m in ms]
    return render(request, "dossiers/_fee_lines.html", context)


@require_GET
def component_template(request: HttpRequest, code: str, component_id: int) -> HttpResponseBase:
    """Download the blank form of one component: the uploaded one, or one printed for it."""
    try:
        proc = procedure_get_published(code=code)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    assert proc.current_version is not None  # noqa: S101 - published procedures have one
    component = next(
        (c for c in proc.current_version.components.all() if c.pk == component_id), None
    )
    if component is None or not component_has_form(component):
        raise Http404
    if not component.template:
        # No form uploaded: one printed from what the procedure asks (``blank_forms``).
        pdf = blank_form_pdf(procedure=proc, version=proc.current_version, component=component)
        return attachment_response(
            io.BytesIO(pdf), filename=blank_form_filename(component), content_type="application/pdf"
        )
    name = component.template_name or str(component.template.name).rsplit("/", 1)[-1]
    # Uploaded by an administrator: sent like every uploaded file, never rendered.
    return attachment_response(component.template.open("rb"), filename=name, content_type=None)


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, code: str) -> HttpResponse:
    """Show the submission form; on POST submit the dossier and redirect to its confirmation.

    A signed-in applicant's identity fields come from the identity: whatever
    is posted for them is replaced. Without an identity the form is refused
    unless ``MOTCUA_ANONYMOUS_SUBMISSION`` is on. "Save as draft" keeps the
    answers and the good files to finish later. A refused submission keeps
    the files that passed their checks: the page lists them under their
    inputs, and sends their tokens back with the next try.
    """
    try:
        proc = procedure_get_published(code=code)
    except NotFound as exc:
        return _not_found(request, str(exc.message))
    if not proc.accepts_online:
        return render(request, "portal/not_online.html", {"procedure": proc}, status=404)
    applicant = applicant_of(request)
    if applicant is None and not settings.MOTCUA_ANONYMOUS_SUBMISSION:
        return _sign_in_required(request, proc)
    if applicant is not None and not applicant_may_submit(applicant):
        return _sign_in_required(request, proc, too_low=applicant.loa)
    fixed = identity_answers(applicant) if applicant is not None else {}
    kept_by_id = applicant.user_id if applicant is not None else None

    field_errors: dict[str, list[str]] = {}
    error: DomainError | None = None
    kept: dict[str, list[KeptFile]] = {}
    draft = None
    if request.method == "POST" and unstorable_fields(request.POST):  # multipart: left to the view
        raise UnstorableInput(UNSTORABLE_INPUT)
    data = (
        checkboxes_posted(answers_with_identity(request.POST, fixed))
        if request.method == "POST"
        else None
    )
    key = forms.idempotency_key(data)
    files = {
        name: request.FILES.getlist(name) for name in request.FILES if name.startswith("component-")
    }
    if data is not None and applicant is not None and "save_draft" in data:
        draft_save(
            applicant=applicant,
            procedure=proc,
            data=data,
            files=files,
            kept=forms.kept_tokens(data),
        )
        messages.success(request, DRAFT_SAVED)
        return redirect("applicants:my-dossiers")
    if data is not None:
        tokens = forms.kept_tokens(data)
        try:
            result = dossier_submit(
                procedure_code=proc.code,
                data=data,
                files=files,
                idempotency_key=key,
                keep_files=True,
                kept=tokens,
                kept_by_id=kept_by_id,
            )
        except SubmissionInvalid as exc:
            error, kept = exc, exc.kept
            field_errors = {k: [str(m) for m in v] for k, v in exc.field_errors.items()}
        except Conflict:
            # The key went with another dossier (the citizen came back and changed the
            # form): say so, and give the form a new key so the next click submits anew.
            error, key = Conflict(FORM_ALREADY_SENT), None
        except DomainError as exc:
            error = exc
            field_errors = {k: [str(m) for m in v] for k, v in exc.field_errors.items()}
        else:
            if applicant is not None:
                draft_discard(applicant=applicant, procedure_id=proc.pk)
            return redirect(_submitted_url(result.dossier))
        if not isinstance(error, SubmissionInvalid) and proc.current_version is not None:
            # Refused before the files were checked: the files kept before stay listed.
            kept = kept_files_listed(
                version=proc.current_version,
                tokens=tokens,
                channel=Channel.ONLINE,
                kept_by_id=kept_by_id,
            )
    elif applicant is not None and proc.current_version is not None:
        # A new form: the draft if there is one, else what the applicant gave last time.
        draft = applicant_draft(applicant, proc.pk)
        saved = draft.data if draft is not None else previous_answers(applicant)
        data = answers_with_identity(saved, fixed)
        if draft is not None:
            kept = kept_files_listed(
                version=proc.current_version,
                tokens=draft.kept,
                channel=Channel.ONLINE,
                kept_by_id=kept_by_id,
            )

    context: dict[str, Any] = {
        "procedure": proc,
        "version": proc.current_version,
        "form": forms.submission_form(proc, data, field_errors, kept, fixed=fixed),
        "error": error,
        "idempotency_key": key or uuid.uuid4(),
        "applicant": applicant,
        "draft": draft,
    }
    return render(request, "portal/submit.html", context, status=error.status if error else 200)


def _sign_in_required(request: HttpRequest, proc: Procedure, too_low: int = 0) -> HttpResponse:
    required: int = settings.MOTCUA_SUBMIT_MIN_LOA
    context = {
        "procedure": proc,
        "min_loa": required,
        "too_low": LOA_TOO_LOW % {"loa": too_low, "required": required} if too_low else "",
    }
    status = 403 if request.method == "POST" or too_low else 200
    return render(request, "applicants/sign_in_required.html", context, status=status)


def _submitted_url(dossier: Dossier) -> str:
    url = reverse("portal:submitted", kwargs={"code": dossier.code})
    return f"{url}?{urlencode({'token': dossier_receipt_token(dossier)})}"


@require_GET
def submitted(request: HttpRequest, code: str) -> HttpResponse:
    """Confirm a submission: code, appointment, receipt; only with the token given at submission.

    The token expires (``MOTCUA_RECEIPT_LINK_HOURS``) and the receipt's link on
    the page carries the same one, so both stop working together.
    """
    token = request.GET.get("token", "")
    try:
        dossier = dossier_public_get(code=code)
    except NotFound:
        dossier = None
    link = ReceiptLink.INVALID if dossier is None else dossier_receipt_token_check(dossier, token)
    if dossier is not None and link is ReceiptLink.EXPIRED:
        return receipt_link_expired(request, dossier.code)
    # The same answer for an unknown code and a wrong token: the page holds personal data.
    if dossier is None or link is not ReceiptLink.VALID:
        return render(request, "portal/submitted_forbidden.html", status=404)
    response = render(
        request,
        "portal/submitted.html",
        {
            "dossier": dossier,
            "receipt_url": dossier_receipt_url(dossier, token=token),
            "fees": dossier_fee_lines(dossier=dossier),
        },
    )
    response["Referrer-Policy"] = "no-referrer"  # the token stays out of the next request
    return response


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    """Ask for a dossier code; with ``?code=`` go to its tracking page."""
    code = request.GET.get("code", "").strip().upper()
    if "/" in code:  # no dossier code has one, and no tracking address can carry it
        return render(request, "portal/track.html", {"unknown_code": code}, status=404)
    if code:
        return redirect("portal:track-detail", code=code)
    return render(request, "portal/track.html")


@require_GET
def track_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show a dossier's status and public history, with no personal data."""
    try:
        dossier = dossier_public_get(code=code)
    except NotFound:
        return render(request, "portal/track.html", {"unknown_code": code}, status=404)
    history = dossier_public_history(dossier)
    return render(
        request,
        "portal/track_detail.html",
        {"dossier": dossier, "history": history.lines, "held_by": history.held_by},
    )
