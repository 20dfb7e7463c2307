"""HTML/file views of dossiers: the receipt PDF behind its token."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.core.errors import NotFound

from .receipts import receipt_pdf
from .selectors import dossier_get, dossier_receipt_token


@require_GET
def receipt(request: HttpRequest, code: str) -> HttpResponse:
    """Send the receipt PDF (A4, or A5 with ``?size=a5``) to whoever holds its token."""
    try:
        dossier = dossier_get(code=code)
    except NotFound as exc:
        raise Http404(str(exc.message)) from exc
    token = request.GET.get("token", "")
    if not token or not constant_time_compare(token, dossier_receipt_token(dossier)):
        return HttpResponseForbidden(_("This link to the receipt is not valid."))
    pdf = receipt_pdf(dossier, size="A5" if request.GET.get("size", "").lower() == "a5" else "A4")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-nhan-{dossier.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
