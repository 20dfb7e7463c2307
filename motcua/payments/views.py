"""Pages of payments: the applicant's basket and return page, the gateways' notifications,
receipts, and the accountant's reconciliation page.

The return page only tells what is known (our record, and what the verified
return says): it never moves a dossier. Only a notification (or a query by
reconciliation) confirms a payment.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from motcua.applicants.selectors import applicant_of
from motcua.audit.models import AuditChannel, ReadAction
from motcua.audit.services import audit_read
from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier
from motcua.staff.decorators import staff_required
from motcua.workflow.selectors.scope import dossier_scope

from . import selectors, services
from .gateways import UnknownGateway, enabled_codes
from .gateways.base import BadSignature, Outcome
from .models import Mismatch, Payment, PaymentState, Receipt
from .reconciliation import notification_receive
from .services import gateway

PAID = _("Your payment is confirmed. The receipt is on your dossier's page.")
WAITING = _(
    "The payment channel has not confirmed your payment yet. This page and your dossier's page "
    "will show it as soon as it does; do not pay again."
)
FAILED = _("The payment did not go through: nothing was paid. You may try again.")
UNVERIFIED = _(
    "We could not verify what the payment channel sent back. Your dossier's page shows the "
    "payment once the channel confirms it."
)
RESOLVED = _("The mismatch is marked resolved.")
REFUNDED = _("The refund is on record.")


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR") or "")


def _sign_in(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('applicants:sign-in-page')}?next={request.get_full_path()}")


@require_http_methods(["GET", "POST"])
def basket(request: HttpRequest) -> HttpResponseBase:
    """List the applicant's dossiers waiting for payment; pay one or several at once."""
    applicant = applicant_of(request)
    if applicant is None:
        return _sign_in(request)
    error: DomainError | None = None
    chosen = (
        request.POST.getlist("dossiers")
        if request.method == "POST"
        else request.GET.getlist("ho-so")
    )
    if request.method == "POST":
        code = request.POST.get("gateway", "")
        try:
            started = services.payment_start(
                payer_id_number=applicant.id_number,
                payer_name=applicant.name,
                dossier_codes=chosen,
                gateway_code=code,
                client_ip=_client_ip(request),
                return_url=request.build_absolute_uri(reverse("payments:return", args=[code])),
                ipn_url=request.build_absolute_uri(reverse("payments:ipn", args=[code])),
            )
        except DomainError as exc:
            error = exc
        else:
            # A page that goes on to the gateway, not a redirect of the form's answer: the
            # Content Security Policy's form-action lets forms go to this site only.
            return render(
                request,
                "payments/redirect.html",
                {"payment": started.payment, "url": started.redirect_url},
            )
    payable = selectors.payable_dossiers(applicant.id_number)
    gateways = []
    for code in enabled_codes():
        try:
            gateways.append((code, gateway(code).name))
        except UnknownGateway:
            continue
    context = {
        "payable": payable,
        "chosen": set(chosen) or ({payable[0].dossier.code} if len(payable) == 1 else set()),
        "gateways": gateways,
        "error": error,
    }
    return render(request, "payments/basket.html", context, status=error.status if error else 200)


@require_GET
def checkout_return(request: HttpRequest, code: str) -> HttpResponse:
    """Say honestly what is known when the payer comes back from the gateway."""
    applicant = applicant_of(request)
    if applicant is None:
        return _sign_in(request)
    try:
        adapter = gateway(code)
    except UnknownGateway:
        raise Http404 from None
    payment: Payment | None = None
    outcome = ""
    try:
        report = adapter.read_return({k: str(v) for k, v in request.GET.items()})
    except BadSignature:
        message = UNVERIFIED
    else:
        payment = selectors.payer_payment(reference=report.reference, id_number=applicant.id_number)
        if payment is None:
            raise Http404
        if payment.state == PaymentState.PAID:
            outcome, message = "paid", PAID
        elif payment.state in (PaymentState.FAILED, PaymentState.CANCELLED) or report.outcome in (
            Outcome.FAILED,
            Outcome.CANCELLED,
        ):
            outcome, message = "failed", FAILED
        else:
            outcome, message = "pending", WAITING
    dossiers = list(selectors.payment_dossiers(payment)) if payment else []
    return render(
        request,
        "payments/return.html",
        {"payment": payment, "outcome": outcome, "message": message, "dossiers": dossiers},
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ipn(request: HttpRequest, code: str) -> HttpResponse:
    """A gateway's server-to-server notification (IPN): recorded, verified, answered."""
    try:
        return notification_receive(gateway_code=code, request=request)
    except UnknownGateway:
        raise Http404 from None


def _may_read(request: HttpRequest, payment: Payment) -> str:
    """Return through which the user may read the payment's receipt ('' if they may not)."""
    applicant = applicant_of(request)
    if applicant is not None:
        return "applicant" if applicant.id_number == payment.payer_id_number else ""
    user = request.user
    if not user.is_authenticated:
        return ""
    if services.is_accountant(user):
        return "staff"
    seen = Dossier.objects.filter(dossier_scope(user=user), payment_lines__payment=payment)
    return "staff" if seen.exists() else ""


@require_GET
def receipt_download(request: HttpRequest, reference: str) -> HttpResponse:
    """Download a payment's electronic receipt: its payer, or staff who may see its dossiers."""
    receipt = (
        Receipt.objects.select_related("payment", "agency", "agency__parent")
        .filter(payment__reference=reference)
        .first()
    )
    who = _may_read(request, receipt.payment) if receipt else ""
    if receipt is None or not who:
        if not request.user.is_authenticated:
            return _sign_in(request)
        raise Http404
    data = services.receipt_pdf(receipt)
    if who == "staff":
        audit_read(
            action=ReadAction.RECEIPT,
            target=("payments.receipt", receipt.pk, str(receipt)),
            actor=request.user,
            channel=AuditChannel.PAGE,
            note=receipt.payment.reference,
        )
    response = HttpResponse(data, content_type="application/pdf")
    name = f"bien-lai-{receipt.series}-{receipt.display_number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@staff_required
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest) -> HttpResponse:
    """The accountant's page: open mismatches, resolve one, refund a double payment."""
    if not services.is_accountant(request.user):
        raise PermissionDenied
    error: DomainError | None = None
    actor: Any = request.user
    if request.method == "POST":
        try:
            pk = int(request.POST.get("mismatch", "0") or 0)
            mismatch = Mismatch.objects.filter(pk=pk).first()
            if mismatch is None:
                raise Http404
            do = request.POST.get("do")
            if do in ("refund", "refund_outside") and mismatch.payment_id:
                services.payment_refund(
                    payment=mismatch.payment_id,
                    actor=actor,
                    reason=request.POST.get("resolution", ""),
                    outside_gateway=do == "refund_outside",
                    client_ip=_client_ip(request),
                )
                messages.success(request, REFUNDED)
            else:
                services.mismatch_resolve(
                    mismatch=mismatch,
                    actor=actor,
                    resolution=request.POST.get("resolution", ""),
                )
                messages.success(request, RESOLVED)
        except (DomainError, ValueError) as exc:
            error = exc if isinstance(exc, DomainError) else DomainError(str(exc))
        else:
            return redirect("payments:reconciliation")
    context: dict[str, Any] = {
        "open": selectors.open_mismatches(),
        "waiting": selectors.refunds_awaiting(),
        "resolved": Mismatch.objects.filter(resolved_at__isnull=False)
        .select_related("payment", "resolved_by")
        .order_by("-resolved_at")[:50],
        "error": error,
    }
    return render(
        request, "payments/reconciliation.html", context, status=error.status if error else 200
    )
