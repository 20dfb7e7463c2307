"""The public statistics page, /thong-ke/: the province's figures, by agency, and the open data.

Anyone may read it: counts and rates only, from the rollups (the same
``dashboard`` the staff read), for the current year and the last closed
quarter, with the links to the open-data API.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from motcua.core.errors import NotFound

from . import dashboard as board
from . import periods
from .scopes import subject_of


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """Show the province's figures this year and last quarter, by agency, with charts."""
    today = timezone.localdate()
    try:
        kind, pk = board.home_subject()
    except NotFound as error:
        return render(request, "statistics/public.html", {"error": error}, status=404)
    subject = subject_of(kind, pk)
    views = []
    for name, period in (
        ("year", periods.year(today.year)),
        ("quarter", board.last_closed_quarter(today)),
    ):
        d = board.dashboard(subject=subject, period=period, today=today, breakdown="agency")
        query: dict[str, str | int] = {"ky": period.kind, "nam": period.year, "so": period.number}
        views.append(
            {
                "name": name,
                "json_id": f"statistics-data-{name}",
                "d": d,
                "charts": board.chart_data(d),
                "tables": board.tables(d),
                "figures_json": f"?{urlencode(query)}",
                "figures_csv": f"?{urlencode(query | {'format': 'csv'})}",
            }
        )
    context = {"subject": subject, "views": views, "rates": board.RATES}
    return render(request, "statistics/public.html", context)
