"""Writes on staff accounts: roles in agencies and TOTP devices."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from motcua.audit.services import audit_record
from motcua.core.errors import Forbidden
from motcua.organisation.models import Agency

from .models import Role, StaffRole
from .selectors import user_agency_roles_forget

NOT_TO_ONESELF = _(
    "You cannot grant a role to yourself: ask another administrator of the province."
)


def is_province_admin(actor: Any) -> bool:
    """Tell whether ``actor`` administers the whole province (Django staff or superuser)."""
    return bool(getattr(actor, "is_superuser", False) or getattr(actor, "is_staff", False))


@transaction.atomic
def staff_role_grant(
    *, user: AbstractBaseUser, role: Role | str, agency: Agency, actor: Any = None
) -> StaffRole:
    """Give ``user`` the ``role`` in ``agency``, reactivating a revoked grant.

    Records who granted it (``actor``; None: the system, as the demo loader)
    and writes an audit entry. An agency administrator cannot grant a role to
    themselves. Lock the existing row (``select_for_update``) so two grants
    at once make one row.
    """
    if actor is not None and actor.pk == user.pk and not is_province_admin(actor):
        raise Forbidden(NOT_TO_ONESELF)
    staff_role, created = StaffRole.objects.select_for_update().get_or_create(
        user_id=user.pk,
        role=str(role),
        agency=agency,
        defaults={
            "is_active": True,
            "granted_by_id": getattr(actor, "pk", None),
            "granted_at": timezone.now(),
        },
    )
    if created or not staff_role.is_active:
        if not created:
            staff_role.is_active = True
            staff_role.granted_by_id = getattr(actor, "pk", None)
            staff_role.granted_at = timezone.now()
            staff_role.save(update_fields=["is_active", "granted_by", "granted_at"])
        audit_record(
            action="staff_role.grant",
            target=staff_role,
            actor=actor,
            before=None if created else {"is_active": False},
            after=_grant(staff_role),
        )
    user_agency_roles_forget(user=user)
    return staff_role


def _grant(staff_role: StaffRole) -> dict[str, Any]:
    return {
        "user": staff_role.user_id,
        "role": staff_role.role,
        "agency": staff_role.agency_id,
        "is_active": staff_role.is_active,
    }


@transaction.atomic
def staff_role_revoke(
    *, user: AbstractBaseUser, role: Role | str, agency: Agency, actor: Any = None
) -> bool:
    """Deactivate ``user``'s ``role`` in ``agency``; return whether a grant was active.

    The row is kept (not deleted) so past timeline entries still name the
    role; an audit entry says who revoked it.
    """
    staff_role = (
        StaffRole.objects.select_for_update()
        .filter(user_id=user.pk, role=str(role), agency=agency, is_active=True)
        .first()
    )
    if staff_role is not None:
        staff_role.is_active = False
        staff_role.save(update_fields=["is_active"])
        audit_record(
            action="staff_role.revoke",
            target=staff_role,
            actor=actor,
            before={"is_active": True},
            after=_grant(staff_role),
        )
    user_agency_roles_forget(user=user)
    return staff_role is not None


@transaction.atomic
def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """Return ``user``'s pending (unconfirmed) TOTP device, creating it if needed.

    Lock the user's pending devices (``select_for_update``) so a double click makes one.
    """
    pending = (
        TOTPDevice.objects.select_for_update()
        .filter(user_id=user.pk, confirmed=False)
        .order_by("pk")
        .first()
    )
    if pending is not None:
        return pending
    return TOTPDevice.objects.create(user_id=user.pk, name="default", confirmed=False)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm ``device`` when ``token`` is its current code; return whether it was.

    Lock the device row (``select_for_update``) so a code is accepted once.
    """
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not locked.verify_token(token):
        return False
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    device.refresh_from_db()
    return True


def totp_token_verify(*, user: AbstractBaseUser, token: str) -> bool:
    """Tell whether ``token`` is the current code of one of ``user``'s confirmed devices.

    django-otp records the use (and throttles failures) on the device row.
    """
    return match_token(user, token) is not None


@transaction.atomic
def staff_token_issue(*, user: AbstractBaseUser) -> str:
    """Return ``user``'s API token, creating it on first use."""
    token, _created = Token.objects.get_or_create(user_id=user.pk)
    return str(token.key)


@transaction.atomic
def staff_account_ensure(
    *, username: str, full_name: str, password: str, email: str = "", is_staff: bool = False
) -> tuple[AbstractBaseUser, bool]:
    """Return the user ``username`` and whether it was created.

    The password and e-mail are set only on creation, so changes survive a rerun.
    ``is_staff`` opens /admin/ with every permission there.
    """
    last, _sep, first = full_name.rpartition(" ")
    user, created = get_user_model().objects.get_or_create(
        username=username,
        # An /admin/ account of the demo manages everything there.
        defaults={
            "first_name": first,
            "last_name": last,
            "email": email,
            "is_staff": is_staff,
            "is_superuser": is_staff,
        },
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    elif is_staff and not (user.is_staff and user.is_superuser):
        user.is_staff = user.is_superuser = True
        user.save(update_fields=["is_staff", "is_superuser"])
    return user, created
