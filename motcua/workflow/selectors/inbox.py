"""The inboxes: who works from which box, the dossiers of a box, due soon and overdue.

A page of a box is read as plain rows (``inbox_rows``), the same for the
back-office page and the staff API, in a constant number of queries: the
dossiers (one more than a page, so no ``COUNT`` runs on a large box), their
open steps, and the calendar for the working time left.

"Everything I may see", newest first, reads the ``DossierAccess`` rows of
each of the person's agencies (an index range per agency, with the
procedure and status filters in the index), merges them and reads the
page's dossiers by id; the other boxes and the filtered lists are queries on
the dossiers' own indexed columns.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.core.errors import NotFound
from motcua.core.text import fold
from motcua.dossiers.models import (
    STATE_STATUS,
    Channel,
    Dossier,
    DossierAccess,
    DossierState,
    Status,
)
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles

from ..models import DossierStep, StepKind, SupplementRequest
from .dossier import Named, StepLine, _named_fields, _person_fields, _step
from .scope import NOTHING, agencies_with, answerable_scope, dossier_scope
from .time import TimeLeft, time_left

# States whose clock runs; a dossier waiting for a supplement has its clock stopped.
RUNNING_STATES = (
    DossierState.SUBMITTED,
    DossierState.ACCEPTED,
    DossierState.IN_PROCESS,
    DossierState.WITHDRAWAL_REQUESTED,
)
# Filter on the national status these states alone map to, so the
# (competent_agency, status, due_at) index serves the lists.
RUNNING_STATUSES = sorted({STATE_STATUS[s] for s in RUNNING_STATES})

# What may be (the start of) a dossier code, ``000.00.01.H15-261116-0001``: an agency code
# of digits, dots and letters, the day and the number, with dashes. A text with a space or a
# letter with diacritics cannot be one, so it searches the applicants' names only.
_CODE_LIKE = re.compile(r"[0-9A-Za-z._-]+")

BOXES = ("mine", "unassigned", "agency", "intake", "supplement", "withdrawal", "return", "all")
# The boxes each role works from, most used first.
ROLE_BOXES: dict[str, tuple[str, ...]] = {
    Role.RECEIVING_OFFICER: ("intake", "supplement", "withdrawal", "return"),
    Role.LEADER: ("agency", "unassigned", "mine", "withdrawal"),
    Role.SPECIALIST: ("mine", "unassigned"),
}
SOON = dt.timedelta(days=2)  # "due soon": the filter and the counts above the boxes
NO_SUCH_BOX = _("No such inbox.")


def inbox_boxes(roles: dict[int, set[str]]) -> list[str]:
    """Return the boxes a person with ``roles`` works from, most used first; ``all`` last."""
    held = set().union(*roles.values()) if roles else set()
    boxes: list[str] = []
    for role, theirs in ROLE_BOXES.items():
        if role in held:
            boxes.extend(b for b in theirs if b not in boxes)
    return [*boxes, "all"]


@dataclass(frozen=True)
class InboxFilters:
    """Filters of an inbox: procedure code, national status, due soon/overdue, channel, text."""

    procedure: str = ""
    status: int | None = None
    due: str = ""  # "", "soon" or "overdue"
    channel: int | None = None
    q: str = ""


def _open_steps() -> QuerySet[DossierStep]:
    return DossierStep.objects.filter(finished_at__isnull=True)


def _pairs(roles: dict[int, set[str]], wanted: Iterable[str]) -> Q:
    """Return a filter on steps held in an agency where the user holds one of ``wanted``."""
    q = NOTHING
    for agency_id, held in roles.items():
        matching = held & set(wanted)
        if matching:
            q |= Q(agency_id=agency_id, role__in=sorted(matching))
    return q


def inbox(
    *,
    user: AnyUser,
    box: str,
    filters: InboxFilters | None = None,
    now: dt.datetime | None = None,
    soon: dt.timedelta = SOON,
) -> QuerySet[Dossier]:
    """Return the dossiers of one of ``user``'s inboxes, most urgent first.

    Boxes: ``mine`` (open steps assigned to the user), ``unassigned`` (open
    processing steps of the user's agencies and roles that nobody holds; a
    leader sees every role's), ``agency`` (every open step of the agencies
    the user leads), ``intake`` (dossiers waiting for intake at the user's
    one-stop units, by answer time), ``supplement`` (waiting for the
    applicant), ``withdrawal`` (withdrawal requests to answer), ``return``
    (results to hand back, earliest appointment first) and ``all``
    (everything the user may see, newest first; with a due filter, what the
    user's agencies answer for now, most urgent first).
    """
    now = now or timezone.now()
    filters = filters or InboxFilters()
    roles = user_agency_roles(user=user)
    dossiers = Dossier.objects.all()
    intake_units = agencies_with(roles, Role.RECEIVING_OFFICER)
    led = agencies_with(roles, Role.LEADER)
    open_steps = _open_steps()
    order = ["due_at", "id"]
    if box == "mine":
        dossiers = dossiers.filter(
            Exists(open_steps.filter(dossier=OuterRef("pk"), assignee_id=user.pk))
        )
    elif box == "unassigned":
        held = _pairs(roles, [Role.SPECIALIST, Role.LEADER]) | Q(agency_id__in=led)
        dossiers = dossiers.filter(
            Exists(
                open_steps.filter(held, dossier=OuterRef("pk"), assignee__isnull=True).filter(
                    step__kind=StepKind.PROCESS
                )
            )
        )
    elif box == "agency":
        # The agency holding the open step, kept on the dossier: one index, no join.
        dossiers = dossiers.filter(current_agency_id__in=led)
    elif box == "intake":
        dossiers = dossiers.filter(
            Q(receiving_unit_id__in=intake_units) | Q(competent_agency_id__in=intake_units),
            state=DossierState.SUBMITTED,
        )
        order = ["intake_due_at", "submitted_at", "id"]
    elif box == "supplement":
        dossiers = dossiers.filter(
            dossier_scope(user=user, roles=roles), state=DossierState.SUPPLEMENT_REQUESTED
        )
        order = ["paused_at", "id"]
    elif box == "withdrawal":
        dossiers = dossiers.filter(
            Q(competent_agency_id__in=led) | Q(receiving_unit_id__in=intake_units),
            state=DossierState.WITHDRAWAL_REQUESTED,
        )
    elif box == "return":
        dossiers = dossiers.filter(
            Exists(
                open_steps.filter(
                    dossier=OuterRef("pk"),
                    agency_id__in=intake_units,
                    step__kind=StepKind.RETURN,
                )
            ),
            state=DossierState.PROCESSED,
        )
    elif box == "all":
        if filters.due:
            dossiers = dossiers.filter(answerable_scope(user=user, roles=roles))
        else:
            dossiers = dossiers.filter(dossier_scope(user=user, roles=roles))
            order = ["-received_at", "-id"]
    else:
        raise NotFound(NO_SUCH_BOX)
    # Dossiers waiting for intake are due for an answer, not yet for a result.
    due_field = "intake_due_at" if box == "intake" else "due_at"
    dossiers = _filtered(dossiers, filters, now=now, soon=soon, due_field=due_field)
    return dossiers.order_by(*order)


def _filtered(
    dossiers: QuerySet[Dossier],
    filters: InboxFilters,
    *,
    now: dt.datetime,
    soon: dt.timedelta,
    due_field: str = "due_at",
) -> QuerySet[Dossier]:
    if filters.procedure:
        dossiers = dossiers.filter(procedure__code=filters.procedure)
    if filters.status is not None:
        dossiers = dossiers.filter(status=filters.status)
    if filters.channel is not None:
        dossiers = dossiers.filter(channel=filters.channel)
    if filters.due == "soon":
        dossiers = dossiers.filter(
            status__in=RUNNING_STATUSES,
            **{f"{due_field}__gte": now, f"{due_field}__lt": now + soon},
        )
    elif filters.due == "overdue":
        dossiers = dossiers.filter(status__in=RUNNING_STATUSES, **{f"{due_field}__lt": now})
    text = filters.q.strip()
    if text:
        # The trigram index on applicant_search finds the text anywhere in a name
        # (PostgreSQL); the second test keeps names where it starts a word.
        found = Q(applicant_search__contains=fold(text)) & Q(_name_starts_word(fold(text)))
        if _CODE_LIKE.fullmatch(text):
            # Codes are upper case: compared as they are stored, the code and its prefix
            # are read from an index (``dossier_code_prefix``).
            found = Q(code__startswith=text.upper()) | found
        dossiers = dossiers.filter(found)
    return dossiers


def _name_starts_word(folded: str) -> Contains:
    """The folded name holds ``folded`` from the start of one of its words.

    "nguyen thi ho" finds "Nguyễn Thị Hòa" and "hoa" finds "Nguyễn Thị Hòa",
    "uyen" does not: people search names by their words.
    """
    return Contains(Concat(Value(" "), "applicant_search"), Value(f" {folded}"))


def _name_terms_query(folded: str) -> str:
    """Return the ``tsquery`` text of ``motcua_name_terms`` for a folded name (PostgreSQL).

    One word is a prefix of a word ("hoa:*"); several are their consecutive
    pairs, the last a prefix ("nguyenthi & thiho:*"). It finds a superset of
    what ``_name_starts_word`` keeps (empty when the text has no letter or digit).
    """
    words = re.findall(r"[a-z0-9]+", folded)
    if len(words) < 2:
        return f"{words[0]}:*" if words else ""
    pairs = [a + b for a, b in itertools.pairwise(words)]
    return " & ".join([*pairs[:-1], f"{pairs[-1]}:*"])


def dossiers_due_soon(
    *, user: AnyUser, within: dt.timedelta = SOON, now: dt.datetime | None = None
) -> QuerySet[Dossier]:
    """Return the running dossiers ``user`` answers for that fall due in the next ``within``.

    The "all" box with the "due soon" filter: one query over the indexed due
    times (``answerable_scope``), earliest first.
    """
    return inbox(user=user, box="all", filters=InboxFilters(due="soon"), now=now, soon=within)


def dossiers_overdue(*, user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Dossier]:
    """Return the running dossiers ``user`` answers for whose due time has passed, oldest first."""
    return inbox(user=user, box="all", filters=InboxFilters(due="overdue"), now=now)


@dataclass(frozen=True)
class DueCounts:
    """How many running dossiers the user's agencies answer for are overdue, and due soon."""

    overdue: int
    soon: int


def due_counts(*, user: AnyUser, now: dt.datetime | None = None) -> DueCounts:
    """Count the "all" box with the overdue and the due-soon filters (two indexed counts).

    The very queries of those lists, so each count says how many rows its list holds.
    """
    now = now or timezone.now()
    return DueCounts(
        overdue=dossiers_overdue(user=user, now=now).count(),
        soon=dossiers_due_soon(user=user, now=now).count(),
    )


@dataclass(frozen=True)
class InboxRow:
    """A dossier as an inbox lists it."""

    id: int
    code: str
    revision: int
    state: str
    status: int
    channel: int
    procedure: Named
    applicant_name: str
    received_at: dt.datetime
    due_at: dt.datetime
    intake_due_at: dt.datetime | None
    open_step: StepLine | None
    left: TimeLeft
    # The last supplement request was answered by the applicant online (a badge on the row).
    supplement_online: bool = False

    @property
    def status_label(self) -> str:
        return str(Status(self.status).label)

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def overdue(self) -> bool:
        return self.left.overdue


@dataclass(frozen=True)
class InboxRows:
    """A page of an inbox: its rows, and whether more follow."""

    box: str
    rows: list[InboxRow]
    more: bool
    offset: int
    limit: int

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.more else None


_ROW_FIELDS = (
    "id",
    "code",
    "revision",
    "state",
    "status",
    "channel",
    *_named_fields("procedure", short=False),
    "applicant_name",
    "received_at",
    "due_at",
    "intake_due_at",
    "supplement_requests",
)


def inbox_rows(
    *,
    user: AnyUser,
    box: str,
    filters: InboxFilters | None = None,
    offset: int = 0,
    limit: int = 50,
    now: dt.datetime | None = None,
) -> InboxRows:
    """Return ``limit`` rows of one of ``user``'s boxes from ``offset``, most urgent first.

    The rows of ``inbox`` (same dossiers, same order) as plain rows: the
    dossiers (one more than a page), their open steps (none for an empty
    page), and the calendar for the time left: four queries whatever the
    page's length (one more to find a procedure by its code).
    """
    now = now or timezone.now()
    filters = filters or InboxFilters()
    if box == "all" and not (filters.due or filters.channel is not None):
        found = _everything_i_see(user, filters, offset, limit + 1)
    else:
        # The agencies' codes keep a join PostgreSQL uses to read "due soon" through the
        # (competent_agency, status, due_at) index (2 ms on 1,000,000 dossiers; 100 ms without).
        found = list(
            inbox(user=user, box=box, filters=filters, now=now).values(
                *_ROW_FIELDS, "competent_agency__code"
            )[offset : offset + limit + 1]
        )
    rows, more = found[:limit], len(found) > limit
    steps: dict[int, dict[str, Any]] = {}
    if rows:
        for step in (
            _open_steps()
            .filter(dossier_id__in=[r["id"] for r in rows])
            .order_by("dossier_id", "-started_at", "-id")
            .values(
                "id",
                "dossier_id",
                "step_id",
                "step__version_id",
                "step__name",
                "step__kind",
                *_named_fields("agency"),
                "role",
                *_person_fields("assignee"),
                "started_at",
                "due_at",
                "finished_at",
                "outcome",
                "note",
            )
        ):
            steps[step["dossier_id"]] = step
    online = _answered_online(rows)
    # In the intake box the clock that matters is the answer's (8 working hours online).
    due = "intake_due_at" if box == "intake" else "due_at"
    n = len(rows)
    lefts = time_left(
        [
            *(r[due] for r in rows),
            *(steps[r["id"]]["due_at"] if r["id"] in steps else None for r in rows),
        ],
        now=now,
    )
    out = [
        InboxRow(
            id=r["id"],
            code=r["code"],
            revision=r["revision"],
            state=r["state"],
            status=r["status"],
            channel=r["channel"],
            procedure=Named(r["procedure_id"], r["procedure__code"], r["procedure__name"]),
            applicant_name=r["applicant_name"],
            received_at=r["received_at"],
            due_at=r["due_at"],
            intake_due_at=r["intake_due_at"],
            open_step=_step(steps[r["id"]], full=False, left=lefts[n + i])
            if r["id"] in steps
            else None,
            left=lefts[i],
            supplement_online=r["id"] in online,
        )
        for i, r in enumerate(rows)
    ]
    return InboxRows(box, out, more, offset, limit)


def _answered_online(rows: list[dict[str, Any]]) -> set[int]:
    """Return the ids of the running dossiers among ``rows`` whose last supplement request the
    applicant answered online.

    One query, and only when a row had a supplement request: most pages ask nothing.
    """
    last = {
        r["id"]: r["supplement_requests"]
        for r in rows
        if r["supplement_requests"] and r["state"] in RUNNING_STATES
    }
    if not last:
        return set()
    answered = SupplementRequest.objects.filter(
        dossier_id__in=list(last), received_online=True
    ).values_list("dossier_id", "number")
    return {dossier_id for dossier_id, number in answered if last[dossier_id] == number}


def _everything_i_see(
    user: AnyUser, filters: InboxFilters, offset: int, count: int
) -> list[dict[str, Any]]:
    """Return ``count`` rows from ``offset`` of all the user may see, newest first.

    Each of the user's agencies is an index range of ``DossierAccess``
    (``agency, [procedure, [status,]] received_at desc``), or with a search
    text that agency's matching rows (``_agency_search``); the ranges are
    merged (a dossier seen through two agencies once) and the page's dossiers
    read by id.
    """
    agencies = sorted(user_agency_roles(user=user))
    if not agencies:
        return []
    access = DossierAccess.objects.all()
    if filters.procedure:
        procedure_id = (
            Procedure.objects.filter(code=filters.procedure).values_list("id", flat=True).first()
        )
        if procedure_id is None:
            return []
        access = access.filter(procedure_id=procedure_id)
    if filters.status is not None:
        access = access.filter(status=filters.status)
    wanted = offset + count
    text = filters.q.strip()
    ranges = [
        _agency_search(access.filter(agency_id=agency_id), text, wanted)
        if text
        else list(access.filter(agency_id=agency_id).order_by(*_NEWEST).values_list(*_KEY)[:wanted])
        for agency_id in agencies
    ]
    merged = heapq.merge(*ranges, reverse=True) if len(ranges) > 1 else iter(ranges[0])
    ids: list[int] = []
    seen: set[int] = set()
    for _received, dossier_id in merged:
        if dossier_id not in seen:
            seen.add(dossier_id)
            ids.append(dossier_id)
        if len(ids) == wanted:
            break
    ids = ids[offset:]
    if not ids:
        return []
    by_id = {r["id"]: r for r in Dossier.objects.filter(id__in=ids).values(*_ROW_FIELDS)}
    return [by_id[i] for i in ids if i in by_id]


_NEWEST = ("-received_at", "-dossier_id")
_KEY = ("received_at", "dossier_id")
# How many of an agency's newest rows a search reads before it turns to the indexes.
SEARCH_WINDOW = 5000


def _agency_search(
    rows: QuerySet[DossierAccess], text: str, wanted: int
) -> list[tuple[dt.datetime, int]]:
    """Return the newest ``wanted`` of one agency's ``rows`` whose code starts with ``text``
    or whose applicant's name has it from the start of a word, newest first.

    A common name or a recent code is among the agency's newest rows: the
    search reads at most ``SEARCH_WINDOW`` of them in order from the index
    that carries the code and the name, and stops at ``wanted``. Only when
    they hold fewer does it look among the older rows, through the indexes of
    codes and of names (``access_code_prefix``; ``access_name_terms`` on
    PostgreSQL), where a text that is rare enough to be missing from the
    window matches few rows. So a search costs a few milliseconds whether
    the text is in every tenth name or in one.
    """
    folded = fold(text)
    found = Q(_name_starts_word(folded))
    indexed = found
    terms = _name_terms_query(folded)
    if connection.vendor == "postgresql" and terms:
        indexed = (
            Q(
                RawSQL(
                    "motcua_name_terms(dossiers_dossieraccess.applicant_search) "
                    "@@ to_tsquery('simple', %s)",
                    [terms],
                    output_field=BooleanField(),
                )
            )
            & found
        )
    if _CODE_LIKE.fullmatch(text):
        code = Q(code__startswith=text.upper())
        if any(c.isdigit() for c in text):  # a code, not a name: names have no digits
            found = indexed = code
        else:
            found, indexed = code | found, code | indexed
    newest = rows.order_by(*_NEWEST).values_list("received_at", flat=True)
    edge = list(newest[SEARCH_WINDOW - 1 : SEARCH_WINDOW])
    if not edge:  # the agency has fewer rows than the window: read them all
        return list(rows.filter(found).order_by(*_NEWEST).values_list(*_KEY)[:wanted])
    # The window: the rows received since the window's last one (a range of the index).
    recent = rows.filter(found, received_at__gte=edge[0]).order_by(*_NEWEST)
    found_recent = list(recent.values_list(*_KEY)[:wanted])
    if len(found_recent) == wanted:
        return found_recent
    # Fewer than a page in the window: the matches are sparse among the older rows, so they
    # are found through the code or name index and sorted. "NULLS LAST" (received_at is
    # never null) keeps PostgreSQL from walking the newest-first index instead, hoping to
    # meet them early: codes of one month sit together, far down that index.
    older = rows.filter(indexed, received_at__lt=edge[0]).order_by(
        F("received_at").desc(nulls_last=True), F("dossier_id").desc()
    )
    return found_recent + list(older.values_list(*_KEY)[: wanted - len(found_recent)])
