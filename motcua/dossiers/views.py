"""HTML/file views of dossiers: the receipt PDF behind its token."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.audit.models import AuditChannel, ReadAction
from motcua.audit.services import audit_dossier_read
from motcua.core.errors import NotFound

from .receipts import paper_size, receipt_pdf
from .selectors import ReceiptLink, dossier_get, dossier_receipt_token_check


def receipt_link_expired(request: HttpRequest, code: str) -> HttpResponse:
    """Say that a link to a receipt has expired, and what to do instead (410)."""
    context = {"code": code, "hours": settings.MOTCUA_RECEIPT_LINK_HOURS}
    return render(request, "dossiers/receipt_link_expired.html", context, status=410)


@require_GET
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    """Send the receipt PDF (A4, or A5 with ``?size=a5``) to whoever holds a token not expired."""
    try:
        dossier = dossier_get(code=code)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    link = dossier_receipt_token_check(dossier, request.GET.get("token", ""))
    if link is ReceiptLink.EXPIRED:
        return receipt_link_expired(request, dossier.code)
    if link is not ReceiptLink.VALID:
        return HttpResponseForbidden(_("This link to the receipt is not valid."))
    size = paper_size(request.GET.get("size", ""))
    pdf = receipt_pdf(dossier, size=size)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-nhan-{dossier.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    audit_dossier_read(
        action=ReadAction.RECEIPT,
        dossier_id=dossier.pk,
        code=dossier.code,
        actor=None,
        channel=AuditChannel.PAGE,
        note=f"{size}, applicant's link",
    )
    return response
