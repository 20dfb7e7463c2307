"""Who may change the indicator sets: Django staff, superusers, and province-wide statisticians.

Reading a scorecard follows the statistics' rules
(``motcua.statistics.permissions.subject_check``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Forbidden
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles
from motcua.statistics.permissions import readable_agencies

NOT_AN_EDITOR = _("Only a provincial statistician or an administrator may change indicator sets.")


def may_edit_sets(user: AnyUser) -> bool:
    """Return whether ``user`` may copy, edit and publish indicator sets."""
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return True
    held = {role for roles in user_agency_roles(user=user).values() for role in roles}
    return Role.STATISTICIAN.value in held and readable_agencies(user) is None


def edit_check(user: AnyUser) -> None:
    """Raise Forbidden unless ``user`` may change indicator sets."""
    if not may_edit_sets(user):
        raise Forbidden(NOT_AN_EDITOR)
