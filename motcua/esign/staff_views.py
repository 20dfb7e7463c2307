"""The officer's paper print of an electronic result."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.audit.models import AuditChannel, ReadAction
from motcua.audit.services import audit_dossier_read
from motcua.core.errors import DomainError
from motcua.staff.decorators import staff_required
from motcua.workflow.selectors import dossier_visible

from . import pdf, selectors
from .selectors import verification_url


@require_GET
@staff_required
def result_print(request: HttpRequest, code: str, result_code: str) -> HttpResponse:
    """Send the paper print of a signed result to staff who may see the dossier (inline PDF).

    It carries the system's name, the result and dossier codes and the QR code
    of the verification page (domain.md, "Electronic results").
    """
    try:
        dossier = dossier_visible(user=request.user, code=code)
        signed = selectors.signed_result_of(dossier=dossier, code=result_code)
    except DomainError as error:
        return render(
            request, "backoffice/error.html", {"error": error.message}, status=error.status
        )
    with signed.file.open("rb") as handle:
        data = handle.read()
    text = (
        f"{settings.SITE_NAME} · Bản in kết quả điện tử {signed.result.code}\n"
        f"Hồ sơ {dossier.code} · Xác minh: {verification_url(signed.result.code)}"
    )
    response = HttpResponse(pdf.paper_print(data, text=text), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ban-in-{signed.result.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    audit_dossier_read(
        action=ReadAction.RESULT,
        dossier_id=dossier.pk,
        code=dossier.code,
        actor=request.user,
        channel=AuditChannel.PAGE,
        note=f"paper print of {signed.result.code}",
    )
    return response
