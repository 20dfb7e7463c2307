"""Who may see and do what: reads over staff roles."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Role, StaffRole

AnyUser = AbstractBaseUser | AnonymousUser


ROLES_CACHE = "_motcua_agency_roles"


def user_agency_roles(*, user: AnyUser) -> dict[int, set[str]]:
    """Return ``{agency id: {roles}}`` of the active roles ``user`` holds.

    One query, then remembered on the user object, as Django remembers
    permissions (``_perm_cache``): a request's user is loaded afresh for each
    request, so its pages, selectors and services ask the database once.
    ``staff_role_grant`` / ``staff_role_revoke`` forget it on the user they change.
    """
    if not user.is_authenticated:
        return {}
    cached: dict[int, frozenset[str]] | None = getattr(user, ROLES_CACHE, None)
    if cached is None:
        found: dict[int, set[str]] = {}
        for agency_id, role in StaffRole.objects.filter(
            user_id=user.pk, is_active=True
        ).values_list("agency_id", "role"):
            found.setdefault(agency_id, set()).add(role)
        cached = {agency_id: frozenset(roles) for agency_id, roles in found.items()}
        setattr(user, ROLES_CACHE, cached)
    return {agency_id: set(roles) for agency_id, roles in cached.items()}


def user_agency_roles_forget(*, user: AnyUser) -> None:
    """Make the next ``user_agency_roles`` of this user object ask the database again."""
    user.__dict__.pop(ROLES_CACHE, None)


def user_has_role(*, user: AnyUser, roles: Iterable[Role | str], agency_id: int) -> bool:
    """Tell whether ``user`` holds one of ``roles`` in the agency ``agency_id``."""
    if not user.is_authenticated:
        return False
    return StaffRole.objects.filter(
        user_id=user.pk, is_active=True, agency_id=agency_id, role__in=[str(r) for r in roles]
    ).exists()


def user_has_confirmed_device(*, user: AnyUser) -> bool:
    """Tell whether ``user`` enrolled a TOTP device, so every login needs a code."""
    if not user.is_authenticated:
        return False
    return bool(TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists())


def user_needs_otp(*, request: HttpRequest) -> bool:
    """Tell whether the signed-in user has a device but did not verify it this session."""
    is_verified = getattr(request.user, "is_verified", None)
    return bool(
        request.user.is_authenticated
        and not (is_verified and is_verified())
        and user_has_confirmed_device(user=request.user)
    )
