"""Collection pages: the applicant's order (public), the postal worker's phone pages, and the
receiving officer's hand-over, recount and intake of packages (back office)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.backoffice.counter import counter_units
from motcua.core.errors import DomainError, Forbidden
from motcua.dossiers.services import ReceivedComponent, receiving_unit_for
from motcua.staff.decorators import staff_required
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

from . import inbound
from .forms import CollectionOrderForm
from .handover import (
    handover_open,
    handover_pdf,
    handover_recount,
    handover_sign,
    handover_worker_confirm,
)
from .models import Direction, Handover, HandoverLine, Order, PostalWorker

View = Callable[..., HttpResponseBase]


def _fail(request: HttpRequest, error: DomainError, template: str) -> HttpResponse:
    return render(request, template, {"error": error.message}, status=error.status)


def _field_errors(error: DomainError) -> dict[str, list[str]]:
    return {name: [str(m) for m in found] for name, found in error.field_errors.items()}


# --- The applicant -----------------------------------------------------------------------------


def _communes(procedure: Any) -> list[tuple[str, str]]:
    try:
        unit = receiving_unit_for(procedure)
    except DomainError:
        return []
    root: AdministrativeUnit | None = unit.administrative_unit
    while root is not None and root.parent_id is not None:
        root = root.parent
    if root is None:
        return []
    rows = AdministrativeUnit.objects.filter(
        parent=root, level=UnitLevel.COMMUNE, era=UnitEra.CURRENT
    ).order_by("name")
    return [(str(u.pk), u.name) for u in rows]


@require_http_methods(["GET", "POST"])
def collection_order(request: HttpRequest) -> HttpResponse:
    """Order a collection: fill in, see the charge and the fees, confirm (``order_request``)."""
    code = (request.POST.get("procedure") or request.GET.get("procedure") or "").strip()
    try:
        procedure = inbound.collectable_procedure(code)
    except DomainError as error:
        return _fail(request, error, "postal/not_possible.html")
    communes = _communes(procedure)
    data = request.POST if request.method == "POST" else None
    form = CollectionOrderForm(data, initial={"procedure": procedure.code}, communes=communes)
    context: dict[str, Any] = {"procedure": procedure, "form": form}
    if request.method == "GET":
        return render(request, "postal/order.html", context)
    now = timezone.now()
    try:
        if request.POST.get("action") == "confirm":
            order = inbound.order_request(data=request.POST, actor=request.user, now=now)
            return redirect("postal:ordered", number=order.number)
        context["checked"] = inbound.order_request_check(
            data=request.POST, today=timezone.localdate(now)
        )
    except DomainError as error:
        form.show(error)
        context["error"] = error
        return render(request, "postal/order.html", context, status=error.status)
    return render(request, "postal/order_confirm.html", context)


@require_GET
def collection_ordered(request: HttpRequest, number: str) -> HttpResponse:
    """Show the order's number and what happens next (nothing personal: numbers run in order)."""
    order = get_object_or_404(
        Order.objects.select_related("procedure", "unit"), number=number, service="collection"
    )
    return render(request, "postal/ordered.html", {"order": order})


# --- The postal worker -------------------------------------------------------------------------


def worker_required(view: View) -> View:
    """Let through a signed-in user with an active ``PostalWorker`` row (else 403)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        worker = (
            PostalWorker.objects.select_related("unit", "user")
            .filter(user=request.user, is_active=True, unit__is_active=True)
            .first()
        )
        if worker is None:
            raise PermissionDenied
        return view(request, worker, *args, **kwargs)

    return wrapped


def _worker_order(worker: PostalWorker, number: str) -> Order:
    order = (
        inbound.worker_orders(worker)
        .select_related("procedure__current_version", "unit", "administrative_unit")
        .filter(number=number)
        .first()
    )
    if order is None:
        raise PermissionDenied
    return order


@require_GET
@worker_required
def worker_home(request: HttpRequest, worker: PostalWorker) -> HttpResponse:
    """The worker's collections: mine by wanted date, then those still free to take."""
    orders = list(
        inbound.worker_orders(worker)
        .filter(state__in=inbound.OPEN_STATES)
        .select_related("procedure", "unit", "administrative_unit")
    )
    mine = [o for o in orders if o.worker_id == worker.pk]
    free = [o for o in orders if o.worker_id is None]
    handovers = (
        Handover.objects.filter(
            postal_unit=worker.unit, signed_at__isnull=True, worker_signed_at__isnull=True
        )
        .filter(Q(worker=worker) | Q(worker__isnull=True))
        .select_related("unit")
    )
    return render(
        request,
        "postal/worker_home.html",
        {"worker": worker, "mine": mine, "free": free, "handovers": handovers},
    )


@require_POST
@worker_required
def worker_take(request: HttpRequest, worker: PostalWorker, number: str) -> HttpResponse:
    order = _worker_order(worker, number)
    try:
        inbound.order_take(order=order, worker=worker, now=timezone.now())
    except DomainError as error:
        return _fail(request, error, "postal/worker_error.html")
    messages.success(request, _("Collection %(number)s is yours.") % {"number": order.number})
    return redirect("postal:worker-order", number=order.number)


def _checklist(order: Order, post: Any = None) -> list[dict[str, Any]]:
    version = order.procedure.current_version
    if version is None:
        return []
    rows = []
    for component in version.components.order_by("order", "id"):
        key = f"component-{component.pk}"
        rows.append(
            {
                "component": component,
                "key": key,
                "originals": post.get(f"{key}-originals", "") if post else "",
                "copies": post.get(f"{key}-copies", "") if post else "",
            }
        )
    return rows


def _count(value: Any) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else (-1 if text else 0)


@require_http_methods(["GET", "POST"])
@worker_required
def worker_order(request: HttpRequest, worker: PostalWorker, number: str) -> HttpResponse:
    """Check the components with the applicant, then collect and seal, or refuse with reasons."""
    order = _worker_order(worker, number)
    context: dict[str, Any] = {"order": order, "worker": worker, "rows": _checklist(order)}
    if request.method == "GET":
        return render(request, "postal/worker_order.html", context)
    now = timezone.now()
    try:
        if request.POST.get("action") == "refuse":
            inbound.order_refuse(
                order=order, worker=worker, reasons=request.POST.get("reasons", ""), now=now
            )
            messages.success(request, _("The refusal is recorded; the applicant is told."))
            return redirect("postal:worker-home")
        context["rows"] = _checklist(order, request.POST)
        components = [
            inbound.CollectedComponent(
                component_id=row["component"].pk,
                originals=_count(row["originals"]),
                copies=_count(row["copies"]),
                files=request.FILES.getlist(row["key"]),
            )
            for row in context["rows"]
        ]
        inbound.order_collect(
            order=order,
            worker=worker,
            components=components,
            seal_number=request.POST.get("seal_number", ""),
            receipt_number=request.POST.get("receipt_number", ""),
            fees_collected=request.POST.get("fees_collected", ""),
            charge_collected=request.POST.get("charge_collected", ""),
            now=now,
        )
    except DomainError as error:
        context["error"] = error
        context["field_errors"] = _field_errors(error)
        for row in context["rows"]:
            row["errors"] = context["field_errors"].get(row["key"], [])
        return render(request, "postal/worker_order.html", context, status=error.status)
    messages.success(request, _("Collection %(number)s is sealed.") % {"number": order.number})
    return redirect("postal:worker-home")


@require_POST
@worker_required
def worker_sign(request: HttpRequest, worker: PostalWorker, number: str) -> HttpResponse:
    """The worker confirms a hand-over record on their phone (their signature)."""
    handover = get_object_or_404(Handover, number=number, postal_unit=worker.unit)
    try:
        handover_worker_confirm(handover=handover, worker=worker, now=timezone.now())
    except DomainError as error:
        return _fail(request, error, "postal/worker_error.html")
    messages.success(request, _("You signed hand-over record %(number)s.") % {"number": number})
    return redirect("postal:worker-home")


# --- The one-stop unit -------------------------------------------------------------------------


def _units(request: HttpRequest) -> list[Any]:
    units = counter_units(request.user)
    if not units:
        raise Forbidden(_("You are not a receiving officer of any one-stop unit."))
    return units


def _officer_handover(request: HttpRequest, number: str) -> Handover:
    units = _units(request)
    handover = (
        Handover.objects.select_related("unit", "postal_unit", "worker__user")
        .filter(number=number, unit__in=units, direction=Direction.TO_UNIT)
        .first()
    )
    if handover is None:
        raise Forbidden(_("This hand-over record is not one of your unit's."))
    return handover


@require_http_methods(["GET", "POST"])
@staff_required
def receive(request: HttpRequest) -> HttpResponse:
    """The postal worker present and their sealed packages for the unit -> a hand-over record."""
    try:
        units = _units(request)
    except DomainError as error:
        return _fail(request, error, "backoffice/error.html")
    unit_id = request.POST.get("unit") or request.GET.get("unit") or str(units[0].pk)
    unit = next((u for u in units if str(u.pk) == unit_id), units[0])
    workers = inbound.workers_with_packages(unit)
    worker_id = request.POST.get("worker") or request.GET.get("worker") or ""
    worker = next((w for w in workers if str(w.pk) == worker_id), None)
    orders = inbound.packages_for(unit=unit, worker=worker) if worker else []
    context: dict[str, Any] = {
        "units": units,
        "unit": unit,
        "workers": workers,
        "worker": worker,
        "orders": orders,
        "open": Handover.objects.filter(
            unit=unit, direction=Direction.TO_UNIT, signed_at__isnull=True
        ),
    }
    if request.method == "POST" and worker is not None:
        try:
            handover = handover_open(
                direction=Direction.TO_UNIT,
                unit=unit,
                postal_unit=worker.unit,
                worker=worker,
                officer=request.user,
                orders=[int(i) for i in request.POST.getlist("orders") if i.isdigit()],
                now=timezone.now(),
            )
        except DomainError as error:
            context["error"] = error
            return render(request, "postal/receive.html", context, status=error.status)
        return redirect("postal_staff:handover", number=handover.number)
    return render(request, "postal/receive.html", context)


def _line_rows(handover: Handover) -> list[dict[str, Any]]:
    lines = handover.lines.select_related("order__procedure", "dossier").order_by("order__number")
    return [
        {
            "line": line,
            "parts": [
                {
                    **part,
                    "counted": next(
                        (
                            c
                            for c in line.counted
                            if (c.get("component") or c.get("name"))
                            == (part.get("component") or part.get("name"))
                        ),
                        part,
                    ),
                }
                for part in line.listed
            ],
        }
        for line in lines
    ]


@require_http_methods(["GET", "POST"])
@staff_required
def handover_page(request: HttpRequest, number: str) -> HttpResponse:
    """Recount each package, sign the record (the worker on paper or on their phone), print."""
    try:
        handover = _officer_handover(request, number)
    except DomainError as error:
        return _fail(request, error, "backoffice/error.html")
    context: dict[str, Any] = {"handover": handover}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "sign":
                handover_sign(
                    handover=handover,
                    officer=request.user,
                    now=timezone.now(),
                    worker_on_paper=request.POST.get("worker_on_paper") == "1",
                    worker_name=request.POST.get("worker_name", ""),
                )
                messages.success(request, _("The hand-over record is signed."))
            else:
                line = get_object_or_404(
                    HandoverLine, pk=request.POST.get("line"), handover=handover
                )
                counted = [
                    {
                        "component": part.get("component"),
                        "name": part.get("name"),
                        "originals": request.POST.get(f"l{line.pk}-{i}-originals", ""),
                        "copies": request.POST.get(f"l{line.pk}-{i}-copies", ""),
                    }
                    for i, part in enumerate(line.listed)
                ]
                handover_recount(
                    line=line,
                    counted=counted,
                    discrepancy=request.POST.get("discrepancy", ""),
                    actor=request.user,
                )
        except DomainError as error:
            handover.refresh_from_db()
            context.update(error=error, rows=_line_rows(handover))
            return render(request, "postal/handover.html", context, status=error.status)
        return redirect("postal_staff:handover", number=handover.number)
    context["rows"] = _line_rows(handover)
    return render(request, "postal/handover.html", context)


@require_GET
@staff_required
def handover_download(request: HttpRequest, number: str) -> HttpResponse:
    """The record's PDF: the one kept at signing, or a draft before."""
    try:
        handover = _officer_handover(request, number)
    except DomainError as error:
        return _fail(request, error, "backoffice/error.html")
    response = HttpResponse(handover_pdf(handover), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{handover.number}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@staff_required
def intake(request: HttpRequest, line_id: int) -> HttpResponse:
    """Record a received package as a channel-3 dossier: the counter form, filled from the order."""
    try:
        units = _units(request)
    except DomainError as error:
        return _fail(request, error, "backoffice/error.html")
    line = (
        HandoverLine.objects.select_related("order__procedure__current_version", "handover")
        .filter(pk=line_id, handover__unit__in=units, handover__direction=Direction.TO_UNIT)
        .first()
    )
    if line is None:
        return _fail(
            request,
            Forbidden(_("This package is not one of your unit's.")),
            "backoffice/error.html",
        )
    order = line.order
    if order.dossier_id is not None:
        return redirect("backoffice:dossier", code=order.dossier.code if order.dossier else "")
    counted = {c.get("component"): c for c in (line.counted or line.listed)}
    version = order.procedure.current_version
    components = list(version.components.order_by("order", "id")) if version else []
    post = request.POST if request.method == "POST" else None
    rows: list[dict[str, Any]] = [
        {
            "component": c,
            "originals": post.get(f"component-{c.pk}-originals", "")
            if post
            else counted.get(c.pk, {}).get("originals", 0),
            "copies": post.get(f"component-{c.pk}-copies", "")
            if post
            else counted.get(c.pk, {}).get("copies", 0),
        }
        for c in components
    ]
    values = post or {
        "applicant_name": order.person_name,
        "applicant_id_number": order.id_number,
        "applicant_phone": order.phone,
        "applicant_email": order.email,
        "applicant_address": order.address,
        "delivery": "post",
        "delivery_address": order.address,
    }
    context: dict[str, Any] = {"line": line, "order": order, "rows": rows, "values": values}
    if request.method == "POST":
        received = [
            ReceivedComponent(
                component_id=row["component"].pk,
                originals=_count(row["originals"]),
                copies=_count(row["copies"]),
                files=request.FILES.getlist(f"component-{row['component'].pk}"),
            )
            for row in rows
            if _count(row["originals"])
            or _count(row["copies"])
            or request.FILES.getlist(f"component-{row['component'].pk}")
        ]
        try:
            dossier = inbound.order_receive(
                line=line,
                unit=line.handover.unit,
                actor=request.user,
                data=request.POST,
                received=received,
            )
        except DomainError as error:
            context["error"] = error
            context["field_errors"] = {
                k: [str(m) for m in v] for k, v in error.field_errors.items()
            }
            return render(request, "postal/intake.html", context, status=error.status)
        messages.success(
            request,
            _("Dossier %(code)s recorded from the post: decide on it now.")
            % {"code": dossier.code},
        )
        return redirect("backoffice:dossier", code=dossier.code)
    return render(request, "postal/intake.html", context)
