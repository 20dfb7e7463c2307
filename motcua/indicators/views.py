"""Staff pages of the indicators of Decision 766, under /can-bo/thong-ke/chi-so-766/.

``scorecard``: a subject's score for a period, by group and indicator, each
number linked to the dossiers behind it. ``ranking``: a province's agencies
ranked. ``sets`` and ``set_detail``: the versions of the indicators, a copy
to a new version, a draft's points and parameters, publishing it. Domain
errors are shown with their status (400, 403, 404, 409), never a 500.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from motcua.core.errors import DomainError, NotFound, ValidationFailed
from motcua.staff.decorators import staff_required
from motcua.statistics.permissions import readable_agencies, subject_check
from motcua.statistics.scopes import subject_choices

from . import selectors, services
from .models import IndicatorSet
from .permissions import edit_check, may_edit_sets
from .query import asked

BAD_JSON = gettext_lazy("The parameters must be valid JSON.")
UNKNOWN_ACTION = gettext_lazy("Unknown action.")
BAD_DATE = gettext_lazy("Enter a date as dd/mm/yyyy.")
PERIOD_KINDS = (
    ("year", gettext_lazy("Year")),
    ("half", gettext_lazy("Six months")),
    ("quarter", gettext_lazy("Quarter")),
    ("month", gettext_lazy("Month")),
    ("dates", gettext_lazy("Dates")),
)


def _error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "backoffice/error.html", {"error": error.message}, status=error.status)


@staff_required
def scorecard(request: HttpRequest) -> HttpResponse:
    try:
        ask = asked(request.GET, request.user)
        subject_check(request.user, ask.subject)
        card = selectors.scorecard(subject=ask.subject, period=ask.period, merged=ask.merged)
    except DomainError as error:
        return _error_page(request, error)
    query = ask.query()
    return render(
        request,
        "indicators/scorecard.html",
        {
            "card": card,
            "ask": ask,
            "query_string": urlencode(query),
            "period_kinds": PERIOD_KINDS,
            "picker": subject_choices(readable_agencies(request.user)),
            "ranking_query": _ranking_query(query, card.subject.province_id),
            "may_edit": may_edit_sets(request.user),
        },
    )


def _ranking_query(query: dict[str, str], province_id: int | None) -> str:
    """Return the query of the ranking of the subject's province (the home one if unknown)."""
    out = {**query, "doi-tuong": "province", "id": str(province_id or "")}
    return urlencode({k: v for k, v in out.items() if v})


@staff_required
def ranking(request: HttpRequest) -> HttpResponse:
    try:
        ask = asked(request.GET, request.user)
        subject_check(request.user, ask.subject)
        rules, rows = selectors.ranking(subject=ask.subject, period=ask.period)
    except DomainError as error:
        return _error_page(request, error)
    return render(
        request,
        "indicators/ranking.html",
        {"ask": ask, "rules": rules, "rows": rows, "query_string": urlencode(ask.query())},
    )


def _date(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date only
    except ValueError:
        pass
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError as error:
        raise ValidationFailed(BAD_DATE, field_errors={"valid_from": [str(BAD_DATE)]}) from error


@staff_required
@require_http_methods(["GET", "POST"])
def sets(request: HttpRequest) -> HttpResponse:
    """List the versions; POST copies one to a new draft version."""
    try:
        edit_check(request.user)
    except DomainError as refused:
        return _error_page(request, refused)
    error: DomainError | None = None
    if request.method == "POST":
        try:
            source = IndicatorSet.objects.filter(pk=_source_id(request.POST)).first()
            if source is None:
                raise NotFound(services.NO_SUCH_SET)
            copy = services.indicator_set_copy(
                source=source,
                code=request.POST.get("code", ""),
                name=request.POST.get("name", ""),
                valid_from=_date(request.POST.get("valid_from", "")),
                actor=request.user,
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("The new version is a draft: edit it, then publish it."))
            return redirect("indicators:set", pk=copy.pk)
    return render(
        request,
        "indicators/sets.html",
        {"sets": selectors.sets(), "error": error},
        status=error.status if error else 200,
    )


def _source_id(data: Any) -> int:
    value = str(data.get("source", "")).strip()
    if not value.isdigit():
        raise NotFound(services.NO_SUCH_SET)
    return int(value)


def _id(data: Any, name: str) -> int:
    value = str(data.get(name, "")).strip()
    if not value.isdigit():
        raise NotFound(services.NO_SUCH_INDICATOR)
    return int(value)


@staff_required
@require_http_methods(["GET", "POST"])
def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a version; on a draft, POST changes an indicator or a group, or publishes it."""
    try:
        edit_check(request.user)
        indicator_set = IndicatorSet.objects.filter(pk=pk).first()
        if indicator_set is None:
            raise NotFound(services.NO_SUCH_SET)
    except DomainError as exc:
        return _error_page(request, exc)
    error: DomainError | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "indicator":
                try:
                    params = json.loads(request.POST.get("params", "") or "{}")
                except ValueError as exc:
                    raise ValidationFailed(
                        BAD_JSON, field_errors={"params": [str(BAD_JSON)]}
                    ) from exc
                services.indicator_update(
                    indicator_id=_id(request.POST, "indicator"),
                    max_points=request.POST.get("max_points", ""),
                    params=params,
                    actor=request.user,
                )
            elif action == "group":
                services.indicator_group_update(
                    group_id=_id(request.POST, "group"),
                    max_points=request.POST.get("max_points", ""),
                    actor=request.user,
                )
            elif action == "publish":
                services.indicator_set_publish(set_id=indicator_set.pk, actor=request.user)
            else:
                raise ValidationFailed(UNKNOWN_ACTION)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("Saved."))
            return redirect(reverse("indicators:set", kwargs={"pk": indicator_set.pk}))
    indicator_set.refresh_from_db()
    groups = indicator_set.groups.prefetch_related("indicators")
    return render(
        request,
        "indicators/set.html",
        {
            "set": indicator_set,
            "groups": [
                (g, [(i, json.dumps(i.params, ensure_ascii=False)) for i in g.indicators.all()])
                for g in groups
            ],
            "error": error,
        },
        status=error.status if error else 200,
    )
