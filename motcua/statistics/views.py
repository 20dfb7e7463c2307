"""Staff statistics pages, under /can-bo/thong-ke/: the dashboard and the dossiers behind a number.

Both read their subject (``doi-tuong``, ``id``, ``gop``) and period (``ky``,
``nam``, ``so``, ``tu``, ``den``) from the query, check that the reader may
read the subject (403 otherwise), and show a bad parameter as the page with
its message (400), never a 500. The dashboard downloads its tables as CSV
(``tai=csv&bang=<table>``) or all of them as XLSX (``tai=xlsx``); the list
of dossiers as CSV (``tai=csv``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from motcua.core.errors import DomainError, Forbidden
from motcua.dossiers.models import DossierAccess
from motcua.staff.selectors import user_agency_roles, user_needs_otp

from . import dashboard as board
from .models import Fact
from .periods import Period
from .permissions import readable_agencies, subject_check
from .scopes import Subject, picked, subject_choices
from .selectors import facts_behind

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

NOT_A_READER = gettext_lazy("You may not read statistics: ask for a statistician or leader role.")
BAD_TABLE = gettext_lazy("Unknown table to download.")
PAGE_SIZE = 50
TABLES = ("summary", "trend", "groups", "returned")
OUTCOMES = {
    "early": gettext_lazy("Early"),
    "on_time": gettext_lazy("On time"),
    "late": gettext_lazy("Late"),
}
WAYS = {
    "counter": gettext_lazy("At the counter"),
    "post": gettext_lazy("By post"),
    "online": gettext_lazy("Online"),
}
ENDS = {
    "processed": gettext_lazy("Processed"),
    "refused": gettext_lazy("Refused"),
    "stopped": gettext_lazy("Processing stopped"),
    "withdrawn": gettext_lazy("Withdrawn"),
}


def reader_required(view: View) -> View:
    """Let through signed-in staff who may read some statistics; others: login, or 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated or user_needs_otp(request=request):
            return redirect_to_login(request.get_full_path())
        if readable_agencies(user) == []:
            return _error(request, Forbidden(NOT_A_READER))
        return view(request, *args, **kwargs)

    return cast(View, wrapped)


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "backoffice/error.html", {"error": error.message}, status=error.status)


def _ask(request: HttpRequest, readable: list[int] | None) -> tuple[Subject, Period]:
    """Return the subject and period of the query; raise for bad input or a forbidden subject."""
    get = request.GET
    kind, pk = picked(get.get("chon", ""))  # the picker's one select
    subject = board.subject_from(
        kind=kind or get.get("doi-tuong", ""),
        pk=pk or get.get("id", ""),
        merged=get.get("gop", "1"),
        default=board.subject_default(readable),
    )
    subject_check(request.user, subject)
    period = board.period_from(
        kind=get.get("ky", ""),
        year=get.get("nam", ""),
        number=get.get("so", ""),
        start=get.get("tu", ""),
        end=get.get("den", ""),
        today=timezone.localdate(),
    )
    return subject, period


def _query(subject: Subject, merged: bool, period: Period | None = None) -> dict[str, str]:
    out = {"doi-tuong": subject.kind, "id": str(subject.id), "gop": "1" if merged else "0"}
    if period is not None:
        out |= {"tu": period.start.isoformat(), "den": period.end.isoformat()}
    return out


def _period_params(period: Period) -> dict[str, str]:
    """Return the parameters that ask for ``period`` again (the report and the score use them)."""
    if period.kind == "dates":
        return {"ky": "dates", "tu": period.start.isoformat(), "den": period.end.isoformat()}
    return {"ky": period.kind, "nam": str(period.year), "so": str(period.number)}


@reader_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show the figures of a subject over a period, with charts, tables and downloads."""
    readable = readable_agencies(request.user)
    merged = request.GET.get("gop", "1").strip() != "0"
    context: dict[str, Any] = {"get": request.GET}
    status = 200
    try:
        context["picker"] = subject_choices(readable, search=request.GET.get("tim", ""))
        subject, period = _ask(request, readable)
        d = board.dashboard(
            subject=subject,
            period=period,
            today=timezone.localdate(),
            breakdown=request.GET.get("nhom", ""),
            sort=request.GET.get("sap", "") or "-received",
        )
    except Forbidden as error:
        return _error(request, error)
    except DomainError as error:
        context["error"] = error
        return render(request, "statistics/dashboard.html", context, status=error.status)
    download = request.GET.get("tai", "")
    if download:
        return _download(d, download, request.GET)
    base = _query(subject, merged) | {
        k: request.GET[k] for k in ("ky", "nam", "so", "tu", "den") if request.GET.get(k)
    }
    context |= {
        "d": d,
        "tables": board.tables(d),
        "charts": board.chart_data(d),
        "merged": merged,
        "query": urlencode(base),
        "facts_query": urlencode(_query(subject, merged, period)),
        "period_query": urlencode(_query(subject, merged) | _period_params(period)),
        "sort_query": urlencode(base | {"nhom": d.breakdown}),
        "columns": board.GROUP_COLUMNS,
        "group_kind": board.GROUP_KINDS.get(d.breakdown, ""),
        "breakdown_labels": board.BREAKDOWN_LABELS,
        "kinds": ("month", "quarter", "half", "year", "dates"),
    }
    return render(request, "statistics/dashboard.html", context, status=status)


def _download(d: board.Dashboard, kind: str, get: QueryDict) -> HttpResponse:
    tables = board.tables(d)
    name = f"thong-ke-{d.subject.kind}-{d.subject.id}-{d.period.start:%Y%m%d}-{d.period.end:%Y%m%d}"
    if kind == "xlsx":
        return _xlsx(f"{name}.xlsx", [tables[t] for t in TABLES])
    table = get.get("bang", "summary")
    if kind != "csv" or table not in tables:
        return HttpResponse(str(BAD_TABLE), status=400, content_type="text/plain; charset=utf-8")
    chosen = tables[table]
    return csv_response(f"{name}-{table}.csv", chosen.header, chosen.rows)


def _cell(value: Any) -> Any:
    """Return a cell for a spreadsheet: numbers as numbers, text never read as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return value
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def csv_rows(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Yield CSV lines (UTF-8 with a byte-order mark, for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([str(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def csv_response(
    filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse("".join(csv_rows(header, rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx(filename: str, tables: Sequence[board.Table]) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(str(table.title)[:31].replace("/", "-"))
        sheet.append([str(h) for h in table.header])
        for row in table.rows:
            sheet.append([_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


FACT_HEADER = (
    gettext_lazy("Dossier"),
    gettext_lazy("Procedure"),
    gettext_lazy("Received"),
    gettext_lazy("Due"),
    gettext_lazy("Finished"),
    gettext_lazy("Ended by"),
    gettext_lazy("Verdict"),
    gettext_lazy("Result returned"),
)


def _fact_row(fact: Fact) -> tuple[Any, ...]:
    local = timezone.localtime
    return (
        fact.code,
        fact.procedure.name,
        local(fact.received_at).strftime("%d/%m/%Y %H:%M"),
        local(fact.due_at).strftime("%d/%m/%Y %H:%M") if fact.due_at else "",
        local(fact.finished_at).strftime("%d/%m/%Y %H:%M") if fact.finished_at else "",
        str(ENDS.get(fact.ended, fact.ended)),
        str(OUTCOMES.get(fact.outcome, fact.outcome)),
        str(WAYS.get(fact.returned_via, "")) if fact.returned_on else "",
    )


def _openable(request: HttpRequest, facts: Sequence[Fact]) -> set[int]:
    """Return the live dossiers among ``facts`` the reader may open in the back office; 1 query."""
    live = [f.dossier_id for f in facts if f.dossier_id]
    if not live:
        return set()
    user = request.user
    if getattr(user, "is_superuser", False):
        return set(live)
    agencies = list(user_agency_roles(user=user))
    return set(
        DossierAccess.objects.filter(dossier_id__in=live, agency_id__in=agencies).values_list(
            "dossier_id", flat=True
        )
    )


@reader_required
def facts(request: HttpRequest) -> HttpResponseBase:
    """List the dossiers behind a number (``chi-so``: its measure), 50 a page; ``tai=csv``: all."""
    readable = readable_agencies(request.user)
    try:
        subject, period = _ask(request, readable)
        measure = request.GET.get("chi-so", "").strip()
        found = facts_behind(where=subject.where, period=period, measure=measure)
    except Forbidden as error:
        return _error(request, error)
    except DomainError as error:
        return render(request, "statistics/facts.html", {"error": error}, status=error.status)
    found = found.select_related("procedure")
    merged = request.GET.get("gop", "1").strip() != "0"
    if request.GET.get("tai") == "csv":
        lines = (_fact_row(f) for f in found.iterator(chunk_size=2000))
        response = StreamingHttpResponse(
            csv_rows(FACT_HEADER, lines), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="ho-so-{measure}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"'
        )
        return response
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("trang"))
    rows = list(page.object_list)
    query = _query(subject, merged, period) | {"chi-so": measure}
    context = {
        "subject": subject,
        "period": period,
        "label": board.label_of(measure),
        "page": page,
        "rows": [(f, _fact_row(f)) for f in rows],
        "openable": _openable(request, rows),
        "query": urlencode(query),
        "dashboard_query": urlencode(_query(subject, merged, period)),
        "header": FACT_HEADER,
    }
    return render(request, "statistics/facts.html", context)
