"""The one-stop unit's postal pages: its dashboard, its money with the post (with a CSV and
the record of a remittance), and the public list of procedures the post may not carry.
"""

from __future__ import annotations

import csv
import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core.errors import DomainError
from motcua.organisation.models import Agency
from motcua.staff.decorators import staff_required

from . import money, selectors
from .models import PostalUnit

RECORDED = _("The remittance is recorded.")


class PeriodForm(forms.Form):
    tu = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    den = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("tu") and data.get("den") and data["tu"] > data["den"]:
            raise forms.ValidationError(money.BAD_PERIOD)
        return data


class RemittanceForm(forms.Form):
    amount = forms.IntegerField(label=_("Amount (VND)"), min_value=1)
    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    bank_reference = forms.CharField(label=_("Bank reference"), max_length=60)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


def _period(request: HttpRequest) -> tuple[PeriodForm, dt.date, dt.date]:
    """Return the period asked for; by default this month up to today."""
    today = timezone.localdate()
    default = {"tu": today.replace(day=1), "den": today}
    form = PeriodForm(request.GET if "tu" in request.GET else None, initial=default)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["tu"], form.cleaned_data["den"]
    return form, default["tu"], default["den"]


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("tai") == "csv"


def _csv_response(name: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response.write("\ufeff")  # so that spreadsheet programs read UTF-8
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The unit's postal work: collections due, packages to recount, pickups, failures, money."""
    board = selectors.postal_dashboard(user=request.user)
    return render(
        request,
        "postal/office/dashboard.html",
        {"board": board, "sees_money": bool(money.money_units(request.user))},
    )


@require_GET
@staff_required
def money_statement(request: HttpRequest) -> HttpResponse:
    """Per postal unit and one-stop unit: fees collected, handed over, remitted, outstanding."""
    units = money.money_units(request.user)
    if not units:
        raise PermissionDenied
    form, start, end = _period(request)
    rows = money.money_statement(units=units, start=start, end=end)
    if _wants_csv(request):
        return _csv_response(
            f"doi-soat-buu-chinh-{start:%Y%m%d}-{end:%Y%m%d}.csv",
            [
                gettext("Postal unit code"),
                gettext("Postal unit"),
                gettext("One-stop unit"),
                gettext("Orders"),
                gettext("Fees collected"),
                gettext("Postal charges collected"),
                gettext("Fees handed over"),
                gettext("Remitted"),
                gettext("Outstanding in the period"),
                gettext("Owed at the end"),
            ],
            [
                [
                    r.postal_unit.code,
                    r.postal_unit.name,
                    r.unit.name,
                    r.orders,
                    r.fees_collected,
                    r.charges_collected,
                    r.handed_over,
                    r.remitted,
                    r.outstanding,
                    r.owed_at_end,
                ]
                for r in rows
            ],
        )
    return render(
        request,
        "postal/office/money.html",
        {"form": form, "rows": rows, "start": start, "end": end},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def money_detail(request: HttpRequest, postal_unit: str, unit: str) -> HttpResponseBase:
    """One postal unit with one one-stop unit: its orders and remittances; record a remittance."""
    units = money.money_units(request.user)
    if not units:
        raise PermissionDenied
    agency = Agency.objects.filter(code=unit, pk__in=units).first()
    post = PostalUnit.objects.filter(code=postal_unit).first()
    if agency is None or post is None:
        raise Http404
    form, start, end = _period(request)
    error: DomainError | None = None
    remittance_form = RemittanceForm(request.POST or None)
    if request.method == "POST" and remittance_form.is_valid():
        data = remittance_form.cleaned_data
        try:
            money.remittance_record(
                actor=request.user,
                postal_unit=post,
                unit=agency,
                amount=data["amount"],
                paid_on=data["paid_on"],
                bank_reference=data["bank_reference"],
                note=data["note"],
            )
        except DomainError as exc:
            error = exc
            for name, problems in exc.field_errors.items():
                if name in remittance_form.fields:
                    for problem in problems:
                        remittance_form.add_error(name, str(problem))
        else:
            messages.success(request, RECORDED)
            target = reverse("postal_staff:money-detail", args=[post.code, agency.code])
            return redirect(f"{target}?tu={start:%Y-%m-%d}&den={end:%Y-%m-%d}")
    scope: dict[str, Any] = {
        "units": units,
        "postal_unit": post.pk,
        "unit": agency.pk,
        "start": start,
        "end": end,
    }
    orders = list(money.money_orders(**scope))
    if _wants_csv(request):
        return _csv_response(
            f"doi-soat-{post.code}-{start:%Y%m%d}-{end:%Y%m%d}.csv",
            [
                gettext("Order number"),
                gettext("Service"),
                gettext("Dossier"),
                gettext("Procedure"),
                gettext("Date"),
                gettext("Fees collected"),
                gettext("Postal charges collected"),
                gettext("Post's receipt number"),
            ],
            [
                [
                    o.number,
                    o.get_service_display(),
                    o.dossier.code if o.dossier else "",
                    o.procedure.name,
                    timezone.localtime(o.money_at).strftime("%d/%m/%Y %H:%M"),  # type: ignore[attr-defined]
                    o.fees_collected,
                    o.charge_collected,
                    o.receipt_number,
                ]
                for o in orders
            ],
        )
    row = next(
        iter(money.money_statement(units=[agency.pk], start=start, end=end, postal_unit=post.pk)),
        None,
    )
    context = {
        "post": post,
        "agency": agency,
        "form": form,
        "start": start,
        "end": end,
        "row": row,
        "orders": orders,
        "remittances": list(money.money_remittances(**scope)),
        "remittance_form": remittance_form,
        "error": error,
        "today": timezone.localdate(),
    }
    status = error.status if error else (400 if remittance_form.errors else 200)
    return render(request, "postal/office/money_detail.html", context, status=status)


@require_GET
def not_carried(request: HttpRequest) -> HttpResponse:
    """The public list, per agency, of the procedures the post may not collect or return."""
    code = request.GET.get("co-quan", "").strip()
    agencies = (
        Agency.objects.filter(procedures__is_published=True)
        .distinct()
        .order_by("name")
        .only("code", "name")
    )
    return render(
        request,
        "postal/not_carried.html",
        {"groups": selectors.post_exclusions(agency=code), "agencies": agencies, "chosen": code},
    )
