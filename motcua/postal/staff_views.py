"""The one-stop unit's back-office pages for results going by post, under /can-bo/buu-chinh/.

``dispatch``: the results due to go by post and the orders waiting for the
post, ticked all or some, prepared and handed to the postal worker against
a hand-over record. ``failed``: the deliveries that failed or came back,
received back, re-sent or handed over at the counter. Each view parses its
input, reads through ``outbound_selectors`` and writes through one service
of ``outbound``; domain errors are shown with their status (400, 403, 404,
409), never a 500.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from motcua.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from motcua.organisation.models import Agency
from motcua.staff.decorators import staff_required

from . import outbound
from . import outbound_selectors as selectors
from .handover import handover_pdf

NOT_AN_OFFICER = gettext_lazy("You are not a receiving officer of any one-stop unit.")
BAD_DATE = gettext_lazy("Enter a date as dd/mm/yyyy.")
BAD_CHOICE = gettext_lazy("This choice is not valid.")
NOT_WAITING = gettext_lazy("A package ticked is no longer waiting for the post: reload the page.")
NO_RECORD = gettext_lazy("No hand-over record of your units to the post has this number.")
MAX_AHEAD_DAYS = 366


def _staff(request: HttpRequest) -> AbstractBaseUser:
    return cast(AbstractBaseUser, request.user)


def _error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "backoffice/error.html", {"error": error.message}, status=error.status)


def _unit(request: HttpRequest, value: str | None) -> tuple[Agency, list[Agency]]:
    """Return the one-stop unit asked for (``unit``: its id; the first one by default) among
    those where the user receives; Forbidden for another, ValidationFailed for garbage."""
    units = selectors.officer_units(request.user)
    if not units:
        raise Forbidden(NOT_AN_OFFICER)
    if not value:
        return units[0], units
    if not value.isdigit():
        raise ValidationFailed(BAD_CHOICE, field_errors={"unit": [BAD_CHOICE]})
    for unit in units:
        if unit.pk == int(value):
            return unit, units
    raise Forbidden(outbound.NOT_UNIT_OFFICER)


def _until(value: str) -> dt.date:
    """Parse the dispatch date (ISO from the date picker, or dd/mm/yyyy); today when empty."""
    today = timezone.localdate()
    value = value.strip()
    if not value:
        return today
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
        if abs((day - today).days) <= MAX_AHEAD_DAYS:
            return day
    raise ValidationFailed(BAD_DATE, field_errors={"until": [BAD_DATE]})


def _ids(values: list[str]) -> list[int]:
    if any(not v.isdigit() or len(v) > 18 for v in values):
        raise ValidationFailed(BAD_CHOICE)
    return [int(v) for v in values]


def _dispatch_url(unit: Agency, until: dt.date | None = None) -> str:
    query = {"unit": str(unit.pk), **({"until": until.isoformat()} if until else {})}
    return f"{reverse('postal_staff:dispatch')}?{urlencode(query)}"


def _dispatch_context(unit: Agency, units: list[Agency], until: dt.date) -> dict[str, Any]:
    return {
        "unit": unit,
        "units": units,
        "candidates": selectors.dispatch_candidates(unit=unit, until=until),
        "workers": selectors.pickup_workers(unit=unit),
    }


def _refusals(request: HttpRequest, refused: dict[str, str]) -> None:
    for code, why in refused.items():
        messages.error(request, f"{code}: {why}")


@require_http_methods(["GET", "POST"])
@staff_required
def dispatch(request: HttpRequest) -> HttpResponse:
    """Show the results due to go by post; POST prepares the ticked ones (delivery orders)."""
    data = request.POST if request.method == "POST" else request.GET
    try:
        unit, units = _unit(request, data.get("unit"))
        until = _until(data.get("until", ""))
    except DomainError as error:
        return _error_page(request, error)
    if request.method == "GET":
        return render(request, "postal/staff/dispatch.html", _dispatch_context(unit, units, until))
    chosen: list[Any]
    if request.POST.get("do") == "all":  # every result due, listed or not
        chosen = selectors.due_ids(unit=unit, until=until)
    else:
        chosen = [c.strip()[:60] for c in request.POST.getlist("dossiers") if c.strip()]
    try:
        prepared = outbound.dispatch_prepare(
            unit=unit, dossiers=chosen, officer=_staff(request), now=timezone.now()
        )
    except DomainError as error:
        context = _dispatch_context(unit, units, until)
        context["error"] = error
        return render(request, "postal/staff/dispatch.html", context, status=error.status)
    if prepared.orders:
        n = len(prepared.orders)
        messages.success(
            request,
            ngettext(
                "%(n)d result prepared for the post.", "%(n)d results prepared for the post.", n
            )
            % {"n": n},
        )
    _refusals(request, prepared.refused)
    return redirect(_dispatch_url(unit, until))


@require_http_methods(["GET"])
@staff_required
def failed(request: HttpRequest) -> HttpResponse:
    """List the deliveries of the unit that failed or came back, waiting for a decision."""
    try:
        unit, units = _unit(request, request.GET.get("unit"))
    except DomainError as error:
        return _error_page(request, error)
    return render(request, "postal/staff/failed.html", _failed_context(unit, units))


def _failed_context(unit: Agency, units: list[Agency]) -> dict[str, Any]:
    return {"unit": unit, "units": units, "orders": selectors.failed_deliveries(unit=unit)}


def _failed_url(unit_id: int) -> str:
    return f"{reverse('postal_staff:failed')}?{urlencode({'unit': unit_id})}"


def _order_action(request: HttpRequest, number: str, run: Any, done: str) -> HttpResponse:
    """Run ``run(order_number)`` for the officer; back to the failed deliveries, or the list
    again with the error and what was typed."""
    try:
        unit, units = _unit(request, request.POST.get("unit"))
        order = selectors.unit_order(unit=unit, number=number)
        if order is None:
            raise NotFound(outbound.ORDER_NOT_FOUND)
    except DomainError as error:
        return _error_page(request, error)
    try:
        run(order)
    except DomainError as error:
        if isinstance(error, Forbidden):
            return _error_page(request, error)
        context = _failed_context(unit, units)
        context.update(
            {
                "error": error,
                "failed_order": number,
                "field_errors": {k: [str(m) for m in v] for k, v in error.field_errors.items()},
                "posted": request.POST,
            }
        )
        return render(request, "postal/staff/failed.html", context, status=error.status)
    messages.success(request, done % {"number": number})
    return redirect(_failed_url(unit.pk))


@require_POST
@staff_required
def order_received_back(request: HttpRequest, number: str) -> HttpResponse:
    """Record that a failed delivery's result came back to the unit."""
    return _order_action(
        request,
        number,
        lambda order: outbound.order_return_receive(
            order=order,
            officer=_staff(request),
            now=timezone.now(),
            note=request.POST.get("note", "")[:500],
        ),
        _("%(number)s: the result is back at the unit."),
    )


@require_POST
@staff_required
def order_resend(request: HttpRequest, number: str) -> HttpResponse:
    """Re-send a result that came back, to the same or a corrected address."""
    changes = {
        name: request.POST[name]
        for name in ("person_name", "phone", "address")
        if name in request.POST
    }
    return _order_action(
        request,
        number,
        lambda order: outbound.order_resend(
            order=order, officer=_staff(request), now=timezone.now(), changes=changes
        ),
        _("%(number)s: re-sent; the new order goes with the next hand-over to the post."),
    )


@require_POST
@staff_required
def order_counter(request: HttpRequest, number: str) -> HttpResponse:
    """Hand a result that came back over at the counter (the dossier's result is returned)."""
    return _order_action(
        request,
        number,
        lambda order: outbound.order_counter_hand_over(
            order=order,
            officer=_staff(request),
            to_whom=request.POST.get("to_whom", ""),
            now=timezone.now(),
        ),
        _("%(number)s: the result was handed over at the counter."),
    )


@require_POST
@staff_required
def dispatch_hand_over(request: HttpRequest) -> HttpResponse:
    """Open the hand-over record of the ticked packages with the postal worker picking them up."""
    try:
        unit, units = _unit(request, request.POST.get("unit"))
        until = _until(request.POST.get("until", ""))
    except DomainError as error:
        return _error_page(request, error)
    try:
        worker = selectors.pickup_worker(unit=unit, worker_id=request.POST.get("worker", ""))
        ids = None if request.POST.get("do") == "all" else _ids(request.POST.getlist("orders"))
        orders = selectors.waiting_orders(unit=unit, ids=ids)
        if ids is not None and len(orders) != len(set(ids)):
            raise ValidationFailed(NOT_WAITING, field_errors={"orders": [NOT_WAITING]})
        handover = outbound.dispatch_hand_over(
            unit=unit, orders=orders, worker=worker, officer=_staff(request), now=timezone.now()
        )
    except DomainError as error:
        context = _dispatch_context(unit, units, until)
        context.update({"error": error, "handover_error": True})
        return render(request, "postal/staff/dispatch.html", context, status=error.status)
    return redirect("postal_staff:dispatch-record", number=handover.number)


def _record(request: HttpRequest, number: str) -> Any:
    units = selectors.officer_units(request.user)
    if not units:
        raise Forbidden(NOT_AN_OFFICER)
    handover = selectors.dispatch_record(units=units, number=number)
    if handover is None:
        raise NotFound(NO_RECORD)
    return handover


@require_http_methods(["GET", "POST"])
@staff_required
def dispatch_record(request: HttpRequest, number: str) -> HttpResponse:
    """Show a hand-over record of results to the post; POST signs it (the worker on their
    phone before, or on the printed draft, which the officer records)."""
    try:
        handover = _record(request, number)
    except DomainError as error:
        return _error_page(request, error)
    if request.method == "POST":
        try:
            outbound.dispatch_sign(
                handover=handover,
                officer=_staff(request),
                now=timezone.now(),
                worker_on_paper=request.POST.get("worker_on_paper") == "1",
                worker_name=request.POST.get("worker_name", "")[:200],
            )
        except DomainError as error:
            context = {"handover": handover, "lines": selectors.record_lines(handover)}
            context.update({"error": error, "posted": request.POST})
            return render(request, "postal/staff/record.html", context, status=error.status)
        messages.success(request, _("The hand-over record is signed: the post has the results."))
        return redirect("postal_staff:dispatch-record", number=handover.number)
    context = {"handover": handover, "lines": selectors.record_lines(handover)}
    return render(request, "postal/staff/record.html", context)


@require_http_methods(["GET"])
@staff_required
def dispatch_record_pdf(request: HttpRequest, number: str) -> HttpResponse:
    """Send the record's PDF: the one kept at signing, or a draft to sign before."""
    try:
        handover = _record(request, number)
    except DomainError as error:
        return _error_page(request, error)
    response = HttpResponse(handover_pdf(handover), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{handover.number}.pdf"'
    return response
