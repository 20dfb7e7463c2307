"""The simulator's own pages: pick a demo identity, then django-oauth-toolkit's authorization.

A tester picks an identity (no password: it is a simulator, and says so);
the pick lasts for one authorization request, so each sign-in asks again.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from oauth2_provider.views import AuthorizationView

from .identities import demo_identities, identity_by_key

SESSION_KEY = "identity_sim_user"


def _authorize_path() -> str:
    return reverse("oauth2_provider:authorize")


@require_http_methods(["GET", "POST"])
def pick(request: HttpRequest) -> HttpResponseBase:
    """List the demo identities; on POST sign in as the one picked and go on authorizing."""
    next_url = str(request.POST.get("next") or request.GET.get("next") or "")
    if not next_url.startswith(_authorize_path()):
        next_url = ""  # only back to this simulator's authorization: never elsewhere
    if request.method == "POST":
        identity = identity_by_key(str(request.POST.get("identity", "")))
        if identity is not None and next_url:
            user, created = get_user_model().objects.get_or_create(username=identity.username)
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            request.session[SESSION_KEY] = user.pk
            return redirect(next_url)
    status = 400 if request.method == "POST" else 200
    context: dict[str, Any] = {"identities": demo_identities(), "next": next_url}
    return render(request, "identity_sim/pick.html", context, status=status)


class SimAuthorizationView(AuthorizationView):  # type: ignore[misc]
    """django-oauth-toolkit's authorization endpoint, for the identity picked on ``pick``."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user_id = request.session.pop(SESSION_KEY, None) if request.method == "GET" else None
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        if user is None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('identity_sim:pick')}?{query}")
        request.user = user
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return response


def home(request: HttpRequest) -> HttpResponse:
    """Say what this is: the simulator of the national identity, for the demo and tests."""
    return render(request, "identity_sim/pick.html", {"identities": demo_identities(), "next": ""})
