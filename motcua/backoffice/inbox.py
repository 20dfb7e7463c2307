"""What an inbox page shows: the user's boxes, the filters read from the query, the rows.

A page costs a fixed number of queries whatever the size of the box: the
rows of ``selectors.inbox_rows`` (the staff API's too) and the calendar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from motcua.calendar.selectors import working_day_length
from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Channel, Status
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles
from motcua.workflow import selectors
from motcua.workflow.selectors import InboxFilters, InboxRow

BOX_LABELS: dict[str, Promise] = {
    "mine": _("Assigned to me"),
    "unassigned": _("Not assigned yet"),
    "agency": _("My agency's dossiers"),
    "intake": _("Waiting for intake"),
    "supplement": _("Waiting for a supplement"),
    "withdrawal": _("Withdrawal requests"),
    "return": _("Results to return"),
    "all": _("All I can see"),
}
MAX_PAGE = 2000  # 100,000 rows of 50: past it, narrow the search
DUE_CHOICES = (("soon", _("Due within 2 days")), ("overdue", _("Overdue")))
BAD_FILTER = _("This filter value is not valid.")
UNKNOWN_BOX = _("No such inbox.")


@dataclass(frozen=True)
class InboxPage:
    box: str
    boxes: list[tuple[str, str]]
    filters: InboxFilters
    rows: list[InboxRow]
    number: int
    next_url: str
    previous_url: str
    can_assign: bool
    assignees: list[Any]
    statuses: list[tuple[int, str]]
    channels: list[tuple[int, str]]
    day: dt.timedelta
    due_choices: tuple[tuple[str, Promise], ...] = DUE_CHOICES

    @property
    def query(self) -> str:
        """Return the current box and filters as a query string (for links and ``next``)."""
        return _query(self.box, self.filters, self.number)


def _int(value: str, allowed: list[int]) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number not in allowed:
        raise ValidationFailed(BAD_FILTER)
    return number


def filters_from(params: Mapping[str, str]) -> InboxFilters:
    """Read the inbox filters from the query string; raise ValidationFailed for bad values."""
    due = params.get("due", "")
    if due not in ("", "soon", "overdue"):
        raise ValidationFailed(BAD_FILTER, field_errors={"due": [BAD_FILTER]})
    return InboxFilters(
        procedure=params.get("procedure", "").strip(),
        status=_int(params.get("status", ""), list(Status.values)),
        due=due,
        channel=_int(params.get("channel", ""), list(Channel.values)),
        q=params.get("q", "").strip()[:100],
    )


def _query(box: str, filters: InboxFilters, number: int) -> str:
    params: dict[str, Any] = {"box": box}
    for name in ("procedure", "status", "due", "channel", "q"):
        value = getattr(filters, name)
        if value not in ("", None):
            params[name] = value
    if number > 1:
        params["page"] = number
    return urlencode(params)


def _page_url(box: str, filters: InboxFilters, number: int) -> str:
    return "?" + _query(box, filters, number)


def inbox_page(user: AnyUser, params: Mapping[str, str], *, per_page: int) -> InboxPage:
    """Return one page of one of ``user``'s boxes (``box``, filters and ``page`` in ``params``).

    The rows are ``selectors.inbox_rows``, the staff API's too.
    """
    roles = user_agency_roles(user=user)
    boxes = selectors.inbox_boxes(roles)
    box = params.get("box") or boxes[0]
    if box not in boxes:
        raise ValidationFailed(UNKNOWN_BOX)
    filters = filters_from(params)
    try:
        number = min(MAX_PAGE, max(1, int(params.get("page", "1"))))
    except ValueError:
        number = 1
    page = selectors.inbox_rows(
        user=user, box=box, filters=filters, offset=(number - 1) * per_page, limit=per_page
    )
    led = sorted(a for a, held in roles.items() if Role.LEADER in held)
    return InboxPage(
        box=box,
        boxes=[(b, str(BOX_LABELS[b])) for b in boxes],
        filters=filters,
        rows=page.rows,
        number=number,
        next_url=_page_url(box, filters, number + 1) if page.more else "",
        previous_url=_page_url(box, filters, number - 1) if number > 1 else "",
        can_assign=bool(led) and box in ("unassigned", "agency"),
        assignees=list(_bulk_assignees(led)) if led and box in ("unassigned", "agency") else [],
        statuses=[(int(v), str(label)) for v, label in Status.choices],
        channels=[(int(v), str(label)) for v, label in Channel.choices],
        day=working_day_length(),
    )


def _bulk_assignees(led: list[int]) -> Any:
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_roles__agency_id__in=led,
            staff_roles__role=Role.SPECIALIST,
            staff_roles__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def bulk_assignee(user: AnyUser, value: str) -> Any:
    """Return the specialist chosen for a bulk assignment, if one of the user's agencies has them.

    Whether each dossier's step may go to them is the service's check.
    """
    led = sorted(a for a, held in user_agency_roles(user=user).items() if Role.LEADER in held)
    try:
        pk = int(value)
    except ValueError:
        return None
    return _bulk_assignees(led).filter(pk=pk).first()
