"""The applicant's pages: sign in and out with the national identity, "Hồ sơ của tôi", a dossier.

Sign-in and sign-out are mozilla-django-oidc's views with our answers: a
refused sign-in shows why (``oidc.REFUSAL_ATTR``) and signs nobody in.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from motcua.core.errors import DomainError, NotFound
from motcua.dossiers.models import Dossier
from motcua.outbox.preferences import MessageChoice, message_choice_from_checkboxes
from motcua.outbox.selectors import dossier_message_choice, dossier_messages
from motcua.outbox.services import message_preference_change
from motcua.payments.selectors import dossier_fees, payable_dossiers

from . import selectors, services
from .models import Applicant
from .oidc import REFUSAL_ATTR

STATE_UNKNOWN = _(
    "This sign-in link has expired or was already used: you were not signed in. "
    "Please sign in again."
)
CANCELLED = _("The sign-in with the national identity was cancelled or refused.")
SIGN_IN_FAILED = _("The sign-in with the national identity failed. Please try again.")
DRAFT_DELETED = _("The draft was deleted.")
NOT_CONFIGURED = _(
    "Sign-in with the national identity is not available on this site yet: submit your "
    "dossier at a one-stop counter."
)
SIGNED_OUT = _("You are signed out.")
MESSAGE_CHOICE_SAVED = _("Your choice of messages was saved: the next messages follow it.")


def _sign_in_failed(request: HttpRequest, message: Any) -> HttpResponse:
    return render(request, "applicants/sign_in_failed.html", {"message": message}, status=403)


class SignInView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Send the browser to the identity provider with state, nonce and a PKCE challenge."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        endpoint: str = settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        if not endpoint.startswith(("https://", "http://")):  # no provider configured
            return render(
                request, "applicants/sign_in_failed.html", {"message": NOT_CONFIGURED}, status=503
            )
        response: HttpResponseBase = super().get(request)
        return response


class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Finish the code flow; a refused sign-in shows why and signs nobody in."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        try:
            return super().get(request)  # type: ignore[no-any-return]
        except SuspiciousOperation:  # a state this session never issued (forged, replayed)
            return _sign_in_failed(request, STATE_UNKNOWN)

    def login_failure(self) -> HttpResponseBase:
        request = self.request
        message = getattr(request, REFUSAL_ATTR, None)
        if message is None:
            if request.GET.get("error"):
                message = CANCELLED
            elif "oidc_states" not in request.session:
                message = STATE_UNKNOWN
            else:
                message = SIGN_IN_FAILED
        return _sign_in_failed(request, message)

    @property
    def success_url(self) -> str:
        next_url = self.request.session.get("oidc_login_next")
        return str(next_url or reverse("applicants:my-dossiers"))


class SignOutView(OIDCLogoutView):  # type: ignore[misc]
    """End the session (POST), and the provider's when its end-session endpoint is set."""

    @property
    def redirect_url(self) -> str:
        return reverse("portal:home")

    def post(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = super().post(request)
        messages.success(request, SIGNED_OUT)
        return response


def _sign_in_page(request: HttpRequest, next_url: str = "") -> HttpResponse:
    context = {
        "next": next_url or request.get_full_path(),
        "min_loa": settings.MOTCUA_SUBMIT_MIN_LOA,
    }
    return render(request, "applicants/sign_in.html", context)


@require_GET
def sign_in_page(request: HttpRequest) -> HttpResponse:
    """Offer the sign-in with the national identity (VNeID)."""
    return _sign_in_page(request, request.GET.get("next") or reverse("applicants:my-dossiers"))


@require_GET
def my_dossiers(request: HttpRequest) -> HttpResponse:
    """List the signed-in applicant's dossiers, newest first, and their drafts."""
    applicant = selectors.applicant_of(request)
    if applicant is None:
        return _sign_in_page(request)
    return render(
        request,
        "applicants/my_dossiers.html",
        {
            "applicant": applicant,
            "dossiers": selectors.applicant_dossiers(applicant),
            "drafts": selectors.applicant_drafts(applicant),
            # What each dossier waiting for payment owes now, by code (pay several at once).
            "owed": {p.dossier.code: p.amount for p in payable_dossiers(applicant.id_number)},
        },
    )


@require_GET
def my_dossier(request: HttpRequest, code: str) -> HttpResponse:
    """Show one of the applicant's dossiers: status, due date, components, timeline, actions."""
    applicant = selectors.applicant_of(request)
    if applicant is None:
        return _sign_in_page(request)
    try:
        dossier = selectors.applicant_dossier(applicant, code)
    except NotFound as exc:
        return render(request, "404.html", {"message": exc.message}, status=404)
    return _dossier_page(request, applicant, dossier)


def _dossier_page(
    request: HttpRequest,
    applicant: Applicant,
    dossier: Dossier,
    *,
    choice: MessageChoice | None = None,
    error: DomainError | None = None,
) -> HttpResponse:
    return render(
        request,
        "applicants/dossier.html",
        {
            "applicant": applicant,
            "dossier": dossier,
            "timeline": selectors.applicant_timeline(dossier),
            "actions": selectors.dossier_actions(dossier),
            "asked_now": selectors.ASKED_NOW.get(dossier.state, ""),
            "dossier_messages": dossier_messages(dossier.pk),
            "message_choice": choice or dossier_message_choice(dossier.pk),
            "message_choice_error": error,
            "languages": settings.LANGUAGES,
            "fees": dossier_fees(dossier),
        },
        status=error.status if error is not None else 200,
    )


@require_POST
def message_choice(request: HttpRequest, code: str) -> HttpResponse:
    """Change how the applicant is told about the dossier: e-mail, SMS, language (audited)."""
    applicant = selectors.applicant_of(request)
    if applicant is None:
        return _sign_in_page(request)
    try:
        dossier = selectors.applicant_dossier(applicant, code)
    except NotFound as exc:
        return render(request, "404.html", {"message": exc.message}, status=404)
    try:
        choice = message_choice_from_checkboxes(request.POST)
        message_preference_change(dossier=dossier, choice=choice, actor=request.user)
    except DomainError as exc:
        return _dossier_page(request, applicant, dossier, error=exc)
    messages.success(request, MESSAGE_CHOICE_SAVED)
    return redirect(reverse("applicants:dossier", args=[dossier.code]) + "#tin-nhan")


@require_POST
def draft_delete(request: HttpRequest, procedure_id: int) -> HttpResponse:
    """Delete the applicant's draft for a procedure."""
    applicant = selectors.applicant_of(request)
    if applicant is None:
        return _sign_in_page(request)
    if not services.draft_discard(applicant=applicant, procedure_id=procedure_id):
        return render(request, "404.html", status=404)
    messages.success(request, DRAFT_DELETED)
    return redirect("applicants:my-dossiers")
