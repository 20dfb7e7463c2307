"""Who may read and edit the annual review: province-wide statistics readers only.

The review covers the whole province, so only those who read the whole
province's statistics (``readable_agencies(user) is None``) may produce it;
of them, superusers, Django staff and statisticians may edit its templates.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Forbidden
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles
from motcua.statistics.permissions import readable_agencies

NOT_A_READER = _("The annual review is for those who read the whole province's statistics.")
NOT_AN_EDITOR = _("Only a statistician of the province may change the annual review's templates.")


def reader_check(user: AnyUser) -> None:
    """Raise Forbidden unless ``user`` reads the statistics of the whole province."""
    if readable_agencies(user) is not None:
        raise Forbidden(NOT_A_READER)


def editor_check(user: AnyUser) -> None:
    """Raise Forbidden unless ``user`` reads the whole province and is a statistician (or staff)."""
    reader_check(user)
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return
    if not any(Role.STATISTICIAN.value in roles for roles in user_agency_roles(user=user).values()):
        raise Forbidden(NOT_AN_EDITOR)
