"""Back-office pages of the printed forms: a dossier's forms 02-06 and the register (07).

Thin views over ``motcua.workflow.documents`` and ``motcua.workflow.register``,
which build the PDFs and the spreadsheet (the staff API prints the same forms).
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from motcua.core.errors import DomainError
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
        body = documents.form_pdf(dossier, form, index=_index(index))
    except DomainError as error:
        return _error(request, error)
    return _pdf(body, f"mau-{form}-{dossier.code}.pdf")


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
            return _pdf(register.register_pdf(scope), f"{name}.pdf")
    except DomainError as error:
        context["error"] = error.message
        return render(request, "backoffice/register.html", context, status=error.status)
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (FileResponse closes it)
    register.register_xlsx(scope, out)
    out.seek(0)
    response = FileResponse(out, as_attachment=True, filename=f"{name}.xlsx", content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    return response
