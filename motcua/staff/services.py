"""Writes on staff roles: granting and revoking a role in an agency."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from motcua.organisation.models import Agency

from .models import Role, StaffRole


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
    return staff_role


@transaction.atomic
def staff_role_revoke(*, user: AbstractBaseUser, role: Role | str, agency: Agency) -> bool:
    """Deactivate ``user``'s ``role`` in ``agency``; return whether a grant was active.

    The row is kept (not deleted) so past timeline entries still name the role.
    """
    return (
        StaffRole.objects.filter(
            user_id=user.pk, role=str(role), agency=agency, is_active=True
        ).update(is_active=False)
        == 1
    )
