"""Public verification of electronic results, and their downloads by the applicant.

``/xac-minh/<code>``: what the system knows of a result (no personal data);
``/xac-minh/``: upload a PDF and be told whether it is an authentic result,
or which check failed. The applicant downloads the signed PDF from their
dossier page (signed in) or from the tracking page with the receipt's
secret; each download is audited like the other reads of a dossier's files.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.applicants import selectors as applicant_selectors
from motcua.audit.context import client_address
from motcua.audit.models import AuditChannel, ReadAction
from motcua.audit.services import audit_dossier_read
from motcua.core.errors import NotFound
from motcua.dossiers.files import attachment_response
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_public_get

from . import selectors
from .models import SignedResult
from .services import SECRET_WINDOW, SecretsLimited, result_secret_try
from .verification import pdf_verify

FILE_REQUIRED = _("Choose the PDF file to check.")
FILE_TOO_LARGE = _("The file is too large to be a result of this system (at most %(mb)s MB).")
SECRET_WRONG = _("This secret does not match the dossier: see the receipt you were given.")


def _not_found(request: HttpRequest, message: object) -> HttpResponse:
    return render(request, "404.html", {"message": message}, status=404)


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Show whether a result is authentic: who signed it, when, its SHA-256, its state."""
    try:
        signed = selectors.signed_public(code=code)
    except NotFound:
        return render(request, "esign/verify.html", {"code": code, "missing": True}, status=404)
    return render(
        request,
        "esign/verify.html",
        {"code": code, "signed": signed, "replaces": selectors.replacing(signed)},
    )


@require_http_methods(["GET", "POST"])
def verify_upload(request: HttpRequest) -> HttpResponse:
    """Check an uploaded PDF: each check, and which one failed."""
    limit = int(settings.ESIGN_MAX_UPLOAD)
    context: dict[str, object] = {"max_mb": limit // (1024 * 1024)}
    if request.method == "GET":
        return render(request, "esign/verify_upload.html", context)
    upload = request.FILES.get("file")
    if upload is None or not upload.size:
        context["error"] = FILE_REQUIRED
        return render(request, "esign/verify_upload.html", context, status=400)
    if upload.size > limit:
        context["error"] = FILE_TOO_LARGE % {"mb": context["max_mb"]}
        return render(request, "esign/verify_upload.html", context, status=413)
    context["verification"] = pdf_verify(upload.read())
    return render(request, "esign/verify_upload.html", context)


def _send(signed: SignedResult, dossier: Dossier, *, note: str) -> HttpResponseBase:
    response = attachment_response(
        signed.file.open("rb"),
        filename=f"{signed.result.code}.pdf",
        content_type="application/pdf",
    )
    audit_dossier_read(
        action=ReadAction.RESULT,
        dossier_id=dossier.pk,
        code=dossier.code,
        actor=None,
        channel=AuditChannel.PAGE,
        note=f"signed result {signed.result.code}, {note}",
    )
    return response


@require_GET
def applicant_download(request: HttpRequest, code: str, result_code: str) -> HttpResponseBase:
    """Send the signed result to the signed-in applicant whose dossier it is (else 404)."""
    applicant = applicant_selectors.applicant_of(request)
    if applicant is None:
        return _not_found(request, selectors.NO_SUCH_RESULT)
    try:
        dossier = applicant_selectors.applicant_dossier(applicant, code)
        signed = selectors.signed_result_of(dossier=dossier, code=result_code)
    except NotFound as exc:
        return _not_found(request, exc.message)
    return _send(signed, dossier, note="applicant signed in")


@require_POST
def tracking_download(request: HttpRequest, code: str, result_code: str) -> HttpResponseBase:
    """Send the signed result to whoever gives the dossier's result secret (from the receipt).

    Wrong secrets are counted per dossier and per client address: past the
    limits the answer is 429 for an hour (``result_secret_try``).
    """
    try:
        dossier = dossier_public_get(code=code)
        signed = selectors.signed_result_of(dossier=dossier, code=result_code)
    except NotFound as exc:
        return _not_found(request, exc.message)
    try:
        right = result_secret_try(
            dossier=dossier,
            result_code=result_code,
            given=request.POST.get("secret", "")[:100],
            address=client_address(request),
        )
    except SecretsLimited as exc:
        refused = render(
            request,
            "esign/secret_wrong.html",
            {"code": dossier.code, "message": exc.message},
            status=exc.status,
        )
        refused["Retry-After"] = str(int(SECRET_WINDOW.total_seconds()))
        return refused
    if not right:
        return render(
            request,
            "esign/secret_wrong.html",
            {"code": dossier.code, "message": SECRET_WRONG},
            status=403,
        )
    return _send(signed, dossier, note="tracking page, receipt's secret")
