"""What agency and centre administrators may do in the admin, within their own agencies.

Province-wide administrators are Django staff (``is_staff``, with Django's
permissions, or superusers). An agency administrator or a centre
administrator holds a staff role instead and is not Django staff: this
backend gives them the permissions below, and the admin pages of those
models show and accept only rows of the agencies they administer
(``admin_agencies``, applied by ``AgencyScopedAdmin`` and the model admins).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.contrib.auth.backends import BaseBackend
from django.db.models import Model, QuerySet

from .models import Role
from .selectors import AnyUser, user_agency_roles

if TYPE_CHECKING:
    from django.http import HttpRequest

M = TypeVar("M", bound=Model)

ADMIN_ROLES = frozenset({Role.AGENCY_ADMIN.value, Role.CENTRE_ADMIN.value})

# Their agency's processes (created from a template, drafts edited, published), the
# roles of their agency's staff, and what those forms look up (agencies, procedures,
# accounts).
ADMIN_PERMISSIONS = frozenset(
    {
        "workflow.view_process",
        "workflow.add_process",
        "workflow.view_processversion",
        "workflow.change_processversion",
        *(
            f"workflow.{action}_{model}"
            for action in ("view", "add", "change", "delete")
            for model in ("processstep", "processtransition")
        ),
        "staff.view_staffrole",
        "staff.add_staffrole",
        "staff.change_staffrole",
        "organisation.view_agency",
        "catalog.view_procedure",
        "auth.view_user",
    }
)


def admin_agencies(user: AnyUser) -> list[int] | None:
    """Return the agencies ``user`` administers; ``None`` for province-wide admins.

    Superusers and Django staff are province-wide (Django's permissions
    decide what they may do); anyone else administers the agencies where
    they hold an agency or centre administrator role (maybe none).
    """
    if not user.is_authenticated or not user.is_active:
        return []
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return None
    return sorted(a for a, held in user_agency_roles(user=user).items() if held & ADMIN_ROLES)


class AgencyAdminBackend(BaseBackend):
    """Give administrator roles their admin permissions (never authenticates anyone)."""

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        if getattr(user_obj, "is_staff", False):
            return False  # Django staff have Django's permissions (ModelBackend)
        return perm in ADMIN_PERMISSIONS and bool(admin_agencies(user_obj))

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(
            perm.startswith(f"{app_label}.") and self.has_perm(user_obj, perm)
            for perm in ADMIN_PERMISSIONS
        )


class AgencyScopedAdmin(Generic[M]):
    """Show an agency administrator only the rows of their agencies.

    ``agency_lookup`` is the path from the model to the agency, such as
    ``"agency"`` or ``"process__procedure__agency"``.
    """

    agency_lookup: str

    def get_queryset(self, request: HttpRequest) -> QuerySet[M]:
        queryset: QuerySet[M] = super().get_queryset(request)  # type: ignore[misc]
        return scoped(queryset, request, self.agency_lookup)


def scoped(queryset: QuerySet[M], request: HttpRequest, lookup: str) -> QuerySet[M]:
    """Return ``queryset`` limited to the agencies the request's user administers."""
    agencies = admin_agencies(request.user)
    if agencies is None:
        return queryset
    return queryset.filter(**{f"{lookup}__in": agencies})


# --- Statistics: who enters the figures and targets, who reopens a closed period (issue 13) ---

STATISTICS_ROLES = frozenset({Role.STATISTICIAN.value, Role.LEADER.value})


def _province_roles(user: AnyUser) -> set[str]:
    """Return the roles ``user`` holds in agencies of the provincial level (one query)."""
    from motcua.organisation.models import GovernmentLevel

    from .models import StaffRole

    if not user.is_authenticated or not user.is_active:
        return set()
    return set(
        StaffRole.objects.filter(
            user_id=user.pk, is_active=True, agency__level=GovernmentLevel.PROVINCE
        ).values_list("role", flat=True)
    )


def statistics_editor(user: AnyUser) -> bool:
    """Tell whether ``user`` enters the province's statistics: figures, periods, targets.

    A statistician or a leader of an agency at the provincial level, or a
    superuser.
    """
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return bool(_province_roles(user) & STATISTICS_ROLES)


def province_administrator(user: AnyUser) -> bool:
    """Tell whether ``user`` administers at the province: a centre administrator of an agency
    at the provincial level, or a superuser (who may reopen a closed reporting period)."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return True
    return Role.CENTRE_ADMIN.value in _province_roles(user)
