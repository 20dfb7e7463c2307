"""The periodic report's staff pages, under /can-bo/thong-ke/bao-cao/.

``periodic``: choose a form, a subject and a period, read the report; its
XLSX and PDF; ``dossiers_xlsx``: the dossiers behind a figure (received by
default), streamed as a spreadsheet. Each view parses the query
(``params.query_from``: 400 bad input, 403 not a reader of the subject,
404 unknown form or subject), builds the report with the one selector the
API uses, and renders it.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from motcua.core.errors import DomainError
from motcua.staff.decorators import staff_required
from motcua.statistics.measures import BY_NAME
from motcua.statistics.permissions import readable_agencies
from motcua.statistics.scopes import subject_choices

from .documents import dossiers_xlsx, report_pdf, report_xlsx
from .params import ReportQuery, query_from
from .selectors import Report, forms_offered, report_build

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD_KINDS = (
    ("quarter", _("Quarter")),
    ("half", _("Six months")),
    ("year", _("Year")),
    ("month", _("Month")),
    ("dates", _("Dates")),
)


def _build(request: HttpRequest) -> tuple[ReportQuery, Report]:
    query = query_from(request.GET, request.user)
    return query, report_build(form=query.form, subject=query.subject, period=query.period)


def _file_name(report: Report, extension: str) -> str:
    words = f"bao-cao-{report.form.code}-{report.span.start:%Y%m%d}-{report.span.end:%Y%m%d}"
    return re.sub(r"[^A-Za-z0-9-]+", "-", words).strip("-").lower() + "." + extension


def _page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    context.update(
        forms=forms_offered(),
        picker=subject_choices(readable_agencies(request.user)),
        period_kinds=PERIOD_KINDS,
    )
    context.setdefault("asked", request.GET)
    return render(request, "reports/periodic.html", context, status=status)


@require_GET
@staff_required
def periodic(request: HttpRequest) -> HttpResponse:
    """Show the report asked for (by default: the first form, the reader's unit, this quarter)."""
    try:
        query, report = _build(request)
    except DomainError as error:
        return _page(request, {"error": error}, status=error.status)
    params = query.params()
    return _page(
        request,
        {"report": report, "query": query, "params": urlencode(params), "asked": params},
    )


@require_GET
@staff_required
def periodic_xlsx(request: HttpRequest) -> HttpResponse:
    try:
        _query, report = _build(request)
    except DomainError as error:
        return _page(request, {"error": error}, status=error.status)
    response = HttpResponse(report_xlsx(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_file_name(report, "xlsx")}"'
    return response


@require_GET
@staff_required
def periodic_pdf(request: HttpRequest) -> HttpResponse:
    try:
        _query, report = _build(request)
    except DomainError as error:
        return _page(request, {"error": error}, status=error.status)
    response = HttpResponse(report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(report, "pdf")}"'
    return response


@require_GET
@staff_required
def dossiers(request: HttpRequest) -> HttpResponseBase:
    """Stream the dossiers behind a figure (``do``: a measure, received by default) as XLSX.

    The days are the report's (the form's cut-off applies).
    """
    try:
        query, report = _build(request)
        measure = request.GET.get("do") or "received"
        label = BY_NAME[measure].label if measure in BY_NAME else measure
        title = f"{query.subject.name} - {label} - {report.period.label}"
        out = dossiers_xlsx(
            where=query.subject.where, period=report.span, measure=measure, title=title
        )
    except DomainError as error:
        return _page(request, {"error": error}, status=error.status)
    return FileResponse(
        out, as_attachment=True, filename=_file_name(report, "xlsx").replace("bao-cao", "ho-so")
    )
