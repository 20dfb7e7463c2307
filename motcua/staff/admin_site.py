"""The admin site: Django staff, and agency or centre administrators within their agencies."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .permissions import admin_agencies
from .redirects import safe_next_url
from .selectors import user_needs_otp


class StaffAdminSite(admin.AdminSite):
    """Django's admin site with one staff sign-in page (password and TOTP) for everyone.

    Besides Django staff, a user holding an agency or centre administrator
    role may open it (after their second factor, when enrolled); what they
    see there is what ``permissions.AgencyAdminBackend`` grants them, scoped
    to their agencies.
    """

    site_header = _("Administration of the one-stop system")
    site_title = _("Administration")
    index_title = _("What you administer")

    def has_permission(self, request: HttpRequest) -> bool:
        if super().has_permission(request):
            return True
        return bool(admin_agencies(request.user)) and not user_needs_otp(request=request)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Send everyone to the staff sign-in page, which asks for the second factor."""
        target = safe_next_url(
            request,
            request.GET.get(REDIRECT_FIELD_NAME),
            reverse("admin:index", current_app=self.name),
        )
        response: HttpResponse = redirect_to_login(target, reverse("staff:login"))
        return response
