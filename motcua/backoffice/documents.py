"""Back-office pages of the printed forms: a dossier's receipt (01), forms 02-06, the register (07).

Thin views over ``motcua.workflow.documents`` and ``motcua.workflow.register``,
which build the PDFs and the spreadsheet (the staff API prints the same forms).
Each document printed is a read of personal data: one audit entry, once built.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from motcua.audit.models import AuditChannel, ReadAction
from motcua.audit.services import audit_dossier_read, audit_read
from motcua.core.errors import DomainError
from motcua.dossiers.receipts import paper_size, receipt_pdf
from motcua.dossiers.selectors import dossier_get
from motcua.staff.decorators import staff_required
from motcua.workflow import documents, register, selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 8 * 1024 * 1024  # a larger spreadsheet goes to a temporary file, not memory


def _pdf(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "backoffice/error.html", {"error": error.message}, status=error.status)


def _index(value: str) -> int | None:
    """Return ``?n=``: a supplement request's number; anything else (even "²") means the latest."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 4 else None


@require_GET
@staff_required
def dossier_form(request: HttpRequest, code: str, form: str) -> HttpResponse:
    """Print form 02-06 of a dossier (``?n=1`` picks the first supplement request)."""
    index = request.GET.get("n", "")
    try:
        dossier = selectors.dossier_for_print(user=request.user, code=code)
        number = _index(index)
        body = documents.form_pdf(dossier, form, index=number)
    except DomainError as error:
        return _error(request, error)
    audit_dossier_read(
        action=ReadAction.FORM,
        dossier_id=dossier.pk,
        code=dossier.code,
        actor=request.user,
        channel=AuditChannel.PAGE,
        note=f"form {form}" + (f" n={number}" if number is not None else ""),
    )
    return _pdf(body, f"mau-{form}-{dossier.code}.pdf")


@require_GET
@staff_required
def dossier_receipt(request: HttpRequest, code: str) -> HttpResponse:
    """Print the receipt (form 01; A5 with ``?size=a5``) for staff who may see the dossier.

    No token: the staff member's role opens it, as it opens the dossier.
    """
    try:
        visible = selectors.dossier_visible(user=request.user, code=code)
    except DomainError as error:
        return _error(request, error)
    size = paper_size(request.GET.get("size", ""))
    body = receipt_pdf(dossier_get(code=visible.code), size=size)
    audit_dossier_read(
        action=ReadAction.RECEIPT,
        dossier_id=visible.pk,
        code=visible.code,
        actor=request.user,
        channel=AuditChannel.PAGE,
        note=size,
    )
    return _pdf(body, f"bien-nhan-{visible.code}.pdf")


def _register_read(request: HttpRequest, scope: register.RegisterScope, kind: str) -> None:
    dates = " ".join(f"{d:%Y-%m-%d}" for d in (scope.start, scope.end) if d is not None)
    audit_read(
        action=ReadAction.REGISTER,
        target=("organisation.agency", scope.unit.pk, f"{scope.unit.code} {scope.year}"),
        actor=request.user,
        channel=AuditChannel.PAGE,
        note=f"{kind} {scope.year} {dates}".strip(),
    )


@require_GET
@staff_required
def register_page(request: HttpRequest) -> HttpResponseBase:
    """Choose a unit, a year and maybe dates; download its register book as PDF or spreadsheet."""
    units = register.register_units(user=request.user)
    params = {name: request.GET.get(name, "").strip() for name in ("unit", "year", "start", "end")}
    params["unit"] = params["unit"] or (str(units[0].pk) if units else "")
    params["year"] = params["year"] or str(timezone.localdate().year)
    context: dict[str, Any] = {"units": units, **params}
    if "format" not in request.GET:
        return render(request, "backoffice/register.html", context)
    try:
        scope = register.register_scope(
            user=request.user,
            unit_id=params["unit"],
            year=params["year"],
            start=params["start"],
            end=params["end"],
        )
        dates = "".join(f"-{d:%Y%m%d}" for d in (scope.start, scope.end) if d is not None)
        name = f"so-theo-doi-{scope.unit.code}-{scope.year}{dates}"
        if request.GET["format"] != "xlsx":
            pdf = _pdf(register.register_pdf(scope), f"{name}.pdf")
            _register_read(request, scope, "pdf")
            return pdf
    except DomainError as error:
        context["error"] = error.message
        return render(request, "backoffice/register.html", context, status=error.status)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    register.register_xlsx(scope, out)
    out.seek(0)
    _register_read(request, scope, "xlsx")
    response = FileResponse(out, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    return response
