"""Writes on staff accounts: roles in agencies and TOTP devices."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from motcua.organisation.models import Agency

from .models import Role, StaffRole
from .selectors import user_agency_roles_forget


@transaction.atomic
def staff_role_grant(*, user: AbstractBaseUser, role: Role | str, agency: Agency) -> StaffRole:
    """Give ``user`` the ``role`` in ``agency``, reactivating a revoked grant.

    Lock the existing row (``select_for_update``) so two grants at once make one row.
    """
    staff_role, created = StaffRole.objects.select_for_update().get_or_create(
        user_id=user.pk, role=str(role), agency=agency, defaults={"is_active": True}
    )
    if not created and not staff_role.is_active:
        staff_role.is_active = True
        staff_role.save(update_fields=["is_active"])
    user_agency_roles_forget(user=user)
    return staff_role


@transaction.atomic
def staff_role_revoke(*, user: AbstractBaseUser, role: Role | str, agency: Agency) -> bool:
    """Deactivate ``user``'s ``role`` in ``agency``; return whether a grant was active.

    The row is kept (not deleted) so past timeline entries still name the role.
    """
    revoked = StaffRole.objects.filter(
        user_id=user.pk, role=str(role), agency=agency, is_active=True
    ).update(is_active=False)
    user_agency_roles_forget(user=user)
    return revoked == 1


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
