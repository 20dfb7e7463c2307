"""Who may read which statistics.

Province-wide: superusers and Django staff, and anyone holding a statistician,
leader or administrator role at the provincial People's Committee or the
provincial service centre. Otherwise a statistician, leader or administrator
of an agency reads that agency, the agencies under it (the agency tree),
their procedures, and a one-stop unit among them. Other staff roles read
nothing here; the public reads the open data (``api``, the public page).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.core.errors import Forbidden
from motcua.organisation.models import Agency, AgencyKind
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles

from .scopes import Subject

READER_ROLES = frozenset(
    {Role.STATISTICIAN.value, Role.LEADER.value, Role.AGENCY_ADMIN.value, Role.CENTRE_ADMIN.value}
)
PROVINCE_KINDS = (AgencyKind.PEOPLES_COMMITTEE, AgencyKind.SERVICE_CENTRE)
NOT_ALLOWED = _("You may not read the statistics of this unit.")


def readable_agencies(user: AnyUser) -> list[int] | None:
    """Return the agencies ``user`` may read; None: the whole province. Two queries at most."""
    if not user.is_authenticated or not user.is_active:
        return []
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        return None
    held = [a for a, roles in user_agency_roles(user=user).items() if roles & READER_ROLES]
    if not held:
        return []
    rows = list(Agency.objects.values_list("pk", "parent_id", "kind"))
    if any(kind in PROVINCE_KINDS for pk, _parent, kind in rows if pk in held):
        return None
    children: dict[int, list[int]] = {}
    for pk, parent, _kind in rows:
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    out: set[int] = set()
    frontier = list(held)
    while frontier:
        pk = frontier.pop()
        if pk not in out:
            out.add(pk)
            frontier.extend(children.get(pk, ()))
    return sorted(out)


def may_read(user: AnyUser, subject: Subject) -> bool:
    """Return whether ``user`` may read the statistics of ``subject``."""
    allowed = readable_agencies(user)
    if allowed is None:
        return True
    if subject.kind in ("agency", "unit"):
        return subject.id in allowed
    if subject.kind == "procedure":
        return Procedure.objects.filter(pk=subject.id, agency_id__in=allowed).exists()
    return False


def subject_check(user: AnyUser, subject: Subject) -> None:
    """Raise Forbidden unless ``user`` may read ``subject``."""
    if not may_read(user, subject):
        raise Forbidden(NOT_ALLOWED)


def default_subject(user: AnyUser) -> tuple[str, int]:
    """Return what ``user`` reads when they ask for nothing: the province if province-wide,
    else the top of their agency subtree (the agency they hold a role in). Forbidden: none."""
    from .scopes import home_province

    allowed = readable_agencies(user)
    if allowed is None:
        return "province", home_province().pk
    if not allowed:
        raise Forbidden(NOT_ALLOWED)
    parents = dict(Agency.objects.filter(pk__in=allowed).values_list("pk", "parent_id"))
    tops = sorted(pk for pk, parent in parents.items() if parent not in parents)
    return "agency", (tops or sorted(parents))[0]
