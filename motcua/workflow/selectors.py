"""Reads of the workflow: inboxes, due soon and overdue, one dossier for staff, time left.

Every list is scoped to what the user may see and costs a constant number of
queries: the dossiers, their open steps (one prefetch), and the calendar's
exceptions for the time left on each row (``with_time_left``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.calendar import selectors as calendar
from motcua.core.errors import Forbidden, NotFound
from motcua.core.text import fold
from motcua.dossiers.models import (
    STATE_STATUS,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    DossierState,
)
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles

from .models import DossierStep, ProcessStep, ProcessTransition, StepKind, TransitionKind
from .rules import Action, Situation, allowed_actions
from .situation import OpenStep, situation

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

# What may be (the start of) a dossier code, ``000.00.01.H17-261116-0001``: an agency code
# of digits, dots and letters, the day and the number, with dashes. A text with a space or a
# letter with diacritics cannot be one, so it searches the applicants' names only.
_CODE_LIKE = re.compile(r"[0-9A-Za-z._-]+")

NOT_YOURS = _("This dossier belongs to agencies you do not work for.")
DOSSIER_NOT_FOUND = _("No dossier has this code.")

BOXES = ("mine", "unassigned", "agency", "intake", "supplement", "withdrawal", "return", "all")
# The boxes each role works from, most used first.
ROLE_BOXES: dict[str, tuple[str, ...]] = {
    Role.RECEIVING_OFFICER: ("intake", "supplement", "withdrawal", "return"),
    Role.LEADER: ("agency", "unassigned", "mine", "withdrawal"),
    Role.SPECIALIST: ("mine", "unassigned"),
}


def inbox_boxes(roles: dict[int, set[str]]) -> list[str]:
    """Return the boxes a person with ``roles`` works from, most used first; ``all`` last."""
    held = set().union(*roles.values()) if roles else set()
    boxes: list[str] = []
    for role, theirs in ROLE_BOXES.items():
        if role in held:
            boxes.extend(b for b in theirs if b not in boxes)
    return [*boxes, "all"]


def _open_steps() -> QuerySet[DossierStep]:
    return DossierStep.objects.filter(finished_at__isnull=True)


NOTHING = Q(pk__in=[])  # the scope of someone without an agency


def dossier_scope(*, user: AnyUser, roles: dict[int, set[str]] | None = None) -> Q:
    """Return a filter on Dossier for the dossiers ``user`` may see.

    Staff see the dossiers their one-stop units received, those their
    agencies decide, and those that went through a step of their agencies
    (inter-agency procedures); nobody else sees any.
    """
    agencies = list(roles if roles is not None else user_agency_roles(user=user))
    if not agencies:
        return NOTHING
    return _received_or_decided(agencies) | Q(
        Exists(DossierStep.objects.filter(dossier=OuterRef("pk"), agency_id__in=agencies))
    )


def answerable_scope(*, user: AnyUser, roles: dict[int, set[str]] | None = None) -> Q:
    """Return a filter on Dossier for the running dossiers ``user``'s agencies answer for now.

    Those their one-stop units received, those their agencies decide, and
    those whose open step is in one of their agencies (a partner agency of an
    inter-agency procedure, while the dossier is with it). Three plain column
    tests, each led by an index with ``status`` and the due time, so
    PostgreSQL combines three index scans and reads only matching rows.
    """
    agencies = list(roles if roles is not None else user_agency_roles(user=user))
    if not agencies:
        return NOTHING
    return _received_or_decided(agencies) | Q(current_agency_id__in=agencies)


def _received_or_decided(agencies: list[int]) -> Q:
    return Q(receiving_unit_id__in=agencies) | Q(competent_agency_id__in=agencies)


def _pairs(roles: dict[int, set[str]], wanted: Iterable[str]) -> Q:
    """Return a filter on steps held in an agency where the user holds one of ``wanted``."""
    q = NOTHING
    for agency_id, held in roles.items():
        matching = held & set(wanted)
        if matching:
            q |= Q(agency_id=agency_id, role__in=sorted(matching))
    return q


def _agencies_with(roles: dict[int, set[str]], role: Role) -> list[int]:
    return sorted(a for a, held in roles.items() if role in held)


@dataclass(frozen=True)
class InboxFilters:
    """Filters of an inbox: procedure code, national status, due soon/overdue, channel, text."""

    procedure: str = ""
    status: int | None = None
    due: str = ""  # "", "soon" or "overdue"
    channel: int | None = None
    q: str = ""


def inbox(
    *,
    user: AnyUser,
    box: str,
    filters: InboxFilters | None = None,
    now: dt.datetime | None = None,
    soon: dt.timedelta = dt.timedelta(days=2),
) -> QuerySet[Dossier]:
    """Return the dossiers of one of ``user``'s inboxes, most urgent first.

    Boxes: ``mine`` (open steps assigned to the user), ``unassigned`` (open
    processing steps of the user's agencies and roles that nobody holds; a
    leader sees every role's), ``agency`` (every open step of the agencies
    the user leads), ``intake`` (dossiers waiting for intake at the user's
    one-stop units, by answer time), ``supplement`` (waiting for the
    applicant), ``withdrawal`` (withdrawal requests to answer), ``return``
    (results to hand back) and ``all`` (everything the user may see; with a
    due filter, what the user's agencies answer for now). Each row carries
    ``open_steps`` (a list of zero or one step).
    """
    now = now or timezone.now()
    filters = filters or InboxFilters()
    roles = user_agency_roles(user=user)
    dossiers = Dossier.objects.all()
    intake_units = _agencies_with(roles, Role.RECEIVING_OFFICER)
    led = _agencies_with(roles, Role.LEADER)
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
        order = ["finished_at", "id"]
    elif box == "all":
        # Due soon / overdue: the running dossiers the user's agencies answer for now, most
        # urgent first, as dossiers_due_soon / dossiers_overdue; else all they see, newest first.
        if filters.due:
            dossiers = dossiers.filter(answerable_scope(user=user, roles=roles))
        else:
            dossiers = dossiers.filter(dossier_scope(user=user, roles=roles))
            order = ["-received_at", "-id"]
    else:
        raise NotFound(_("No such inbox."))
    # Dossiers waiting for intake are due for an answer, not yet for a result.
    due_field = "intake_due_at" if box == "intake" else "due_at"
    dossiers = _filtered(dossiers, filters, now=now, soon=soon, due_field=due_field)
    return (
        dossiers.select_related("procedure", "competent_agency", "receiving_unit")
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=_open_steps().select_related("step", "assignee", "agency"),
                to_attr="open_steps",
            )
        )
        .order_by(*order)
    )


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
        names = Q(applicant_search__contains=fold(text))
        if _CODE_LIKE.fullmatch(text):
            # Codes are upper case: compared as they are stored, the code and its prefix
            # are read from indexes (``dossier_code_prefix``), as the names are (trigrams).
            code = text.upper()
            names = Q(code=code) | Q(code__startswith=code) | names
        # Else names alone: PostgreSQL may then use the trigram index on applicant_search.
        dossiers = dossiers.filter(names)
    return dossiers


def dossiers_due_soon(
    *, user: AnyUser, within: dt.timedelta, now: dt.datetime | None = None
) -> QuerySet[Dossier]:
    """Return the running dossiers ``user`` answers for that fall due in the next ``within``.

    One query over the indexed due times (``answerable_scope``), earliest first.
    """
    now = now or timezone.now()
    return (
        Dossier.objects.filter(answerable_scope(user=user))
        .filter(status__in=RUNNING_STATUSES, due_at__gte=now, due_at__lt=now + within)
        .order_by("due_at", "id")
    )


def dossiers_overdue(*, user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Dossier]:
    """Return the running dossiers ``user`` answers for whose due time has passed, oldest first."""
    now = now or timezone.now()
    return (
        Dossier.objects.filter(answerable_scope(user=user))
        .filter(status__in=RUNNING_STATUSES, due_at__lt=now)
        .order_by("due_at", "id")
    )


@dataclass(frozen=True)
class TimeLeft:
    """Working time left before a due moment (negative: overdue by that much)."""

    due_at: dt.datetime | None
    left: dt.timedelta | None

    @property
    def overdue(self) -> bool:
        return self.left is not None and self.left < dt.timedelta(0)

    @property
    def hours(self) -> float | None:
        return None if self.left is None else self.left.total_seconds() / 3600


def time_left(
    dues: Sequence[dt.datetime | None], *, now: dt.datetime | None = None
) -> list[TimeLeft]:
    """Return the working time left before each of ``dues`` (two queries in all)."""
    now = now or timezone.now()
    known = [d for d in dues if d is not None]
    lefts = iter(calendar.working_times_from(start=now, ends=known))
    return [TimeLeft(d, next(lefts) if d is not None else None) for d in dues]


def check_may_see(
    roles: Mapping[int, set[str]],
    *,
    receiving_unit_id: int,
    competent_agency_id: int,
    step_agency_ids: Iterable[int],
) -> None:
    """Raise Forbidden unless one of ``roles``' agencies may see the dossier: ``dossier_scope``
    for one dossier already loaded (its receiving unit, deciding agency and steps' agencies).
    """
    agencies = set(roles)
    if not (
        receiving_unit_id in agencies
        or competent_agency_id in agencies
        or any(agency_id in agencies for agency_id in step_agency_ids)
    ):
        raise Forbidden(NOT_YOURS)


def dossier_for_staff(*, user: AnyUser, code: str) -> Dossier:
    """Return the dossier ``code`` with everything its page shows, if ``user`` may see it.

    Raises NotFound for an unknown code and Forbidden for a dossier of other
    agencies. Components, files, results, steps and the whole timeline come
    in a fixed number of queries.
    """
    roles = user_agency_roles(user=user)
    dossier = (
        Dossier.objects.select_related(
            "procedure", "procedure_version", "competent_agency", "receiving_unit"
        )
        .prefetch_related(
            "components__files",
            "results",
            Prefetch(
                "steps",
                queryset=DossierStep.objects.select_related(
                    "step", "agency", "assignee", "handed_by", "finished_by"
                ).order_by("started_at", "id"),
                to_attr="all_steps",
            ),
            Prefetch(
                "events",
                queryset=DossierEvent.objects.select_related("actor").order_by("at", "id"),
                to_attr="timeline",
            ),
        )
        .filter(code=code.strip())
        .first()
    )
    if dossier is None:
        raise NotFound(DOSSIER_NOT_FOUND)
    steps: list[DossierStep] = dossier.all_steps
    check_may_see(
        roles,
        receiving_unit_id=dossier.receiving_unit_id,
        competent_agency_id=dossier.competent_agency_id,
        step_agency_ids=[step.agency_id for step in steps],
    )
    # The viewer's roles, for dossier_actions on the same request.
    dossier._viewer_roles = (user.pk, roles)  # type: ignore[attr-defined]
    return dossier


@dataclass(frozen=True)
class InboxRows:
    """A page of an inbox as the staff API lists it: plain rows, and whether more follow.

    Each row holds ``_API_ROW_FIELDS`` and ``open_step``: the dossier's open
    step (``_API_STEP_FIELDS`` and ``assignee_username``), or None.
    """

    rows: list[dict[str, Any]]
    more: bool


def inbox_rows(
    *, user: AnyUser, box: str, filters: InboxFilters, offset: int, limit: int
) -> InboxRows:
    """Return ``limit`` rows of ``inbox`` from ``offset``, with only the columns a row shows.

    The same dossiers in the same order as ``inbox``, in two queries whatever
    the page's length (none for the steps of an empty page): no model
    instances, no joins but the procedure's (and the steps' own).
    """
    # The agencies' codes keep the joins of ``inbox``'s select_related, unused by a row but
    # not by PostgreSQL: "due soon" loops over the agencies into the (competent_agency,
    # status, due_at) index (2 ms on 1,000,000 dossiers; without the join, 100 ms).
    found = list(
        inbox(user=user, box=box, filters=filters)
        .select_related(None)
        .prefetch_related(None)
        .values(*_API_ROW_FIELDS, "competent_agency__code", "receiving_unit__code")[
            offset : offset + limit + 1
        ]
    )
    rows, more = found[:limit], len(found) > limit
    steps: dict[int, dict[str, Any]] = {}
    if rows:
        username = get_user_model().USERNAME_FIELD
        for step in (
            _open_steps()
            .filter(dossier_id__in=[r["id"] for r in rows])
            .order_by("dossier_id", "-started_at", "-id")
            .values(*_API_STEP_FIELDS, assignee_username=F(f"assignee__{username}"))
        ):
            steps[step["dossier_id"]] = step  # the first started is the last kept, as open_step_of
    for row in rows:
        row["open_step"] = steps.get(row["id"])
    return InboxRows(rows, more)


@dataclass(frozen=True)
class StaffDossier:
    """A dossier as the staff API shows it: plain rows, no model instances.

    ``row`` holds the dossier's columns and its procedure's and agencies'
    codes and names (``procedure__code`` ...); ``components`` each carry their
    ``files``; ``open_step`` is the step of ``steps`` still open, if any.
    """

    row: dict[str, Any]
    components: list[dict[str, Any]]
    results: Sequence[Mapping[str, Any]]
    steps: Sequence[Mapping[str, Any]]
    timeline: Sequence[Mapping[str, Any]]
    open_step: Mapping[str, Any] | None
    actions: list[Action]


# What a row of the staff API shows of a dossier; a whole dossier shows more.
_API_ROW_FIELDS = (
    "id",
    "code",
    "revision",
    "state",
    "status",
    "channel",
    "procedure__code",
    "procedure__name",
    "applicant_name",
    "received_at",
    "due_at",
    "intake_due_at",
)
_API_DOSSIER_FIELDS = (
    *_API_ROW_FIELDS,
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "delivery",
    "finished_at",
    "outcome",
    "supplement_requests",
    "receiving_unit_id",
    "competent_agency_id",
    "competent_agency__code",
    "competent_agency__name",
    "receiving_unit__code",
    "receiving_unit__name",
)
# What the staff API shows of a step (the open one, or a line of the control slip).
_API_STEP_FIELDS = (
    "id",
    "dossier_id",
    "step_id",
    "step__name",
    "step__kind",
    "agency_id",
    "agency__code",
    "agency__name",
    "role",
    "assignee_id",
    "started_at",
    "due_at",
    "finished_at",
    "outcome",
    "note",
)
_FILE_FIELDS = ("id", "original_name", "content_type", "size", "sha256")


def dossier_for_api(*, user: AnyUser, code: str) -> StaffDossier:
    """Return the dossier ``code`` as the staff API shows it, if ``user`` may see it.

    What ``dossier_for_staff`` gives the dossier page, in plain rows of only
    the columns the API returns (a hot path): no model instances to build, no
    e-form data, no users but their usernames. Raises NotFound and Forbidden
    as ``dossier_for_staff``. Six queries whatever the dossier's size: the
    dossier, its components with their files, results, steps, events, and the
    open step's moves if it has one (for ``actions``).
    """
    roles = user_agency_roles(user=user)
    username = get_user_model().USERNAME_FIELD
    found = list(
        Dossier.objects.filter(code=code.strip()).order_by().values(*_API_DOSSIER_FIELDS)[:1]
    )
    if not found:
        raise NotFound(DOSSIER_NOT_FOUND)
    row = found[0]
    steps = list(
        DossierStep.objects.filter(dossier_id=row["id"])
        .order_by("started_at", "id")
        .values(*_API_STEP_FIELDS, assignee_username=F(f"assignee__{username}"))
    )
    check_may_see(
        roles,
        receiving_unit_id=row["receiving_unit_id"],
        competent_agency_id=row["competent_agency_id"],
        step_agency_ids=[s["agency_id"] for s in steps],
    )
    components: list[dict[str, Any]] = []
    for c in (
        DossierComponent.objects.filter(dossier_id=row["id"])
        .order_by("id", "files__id")
        .values(
            "id",
            "name",
            "originals",
            "copies",
            "is_digitised",
            *(f"files__{f}" for f in _FILE_FIELDS),
        )
    ):
        if not components or components[-1]["id"] != c["id"]:
            components.append(
                {
                    **{k: c[k] for k in ("id", "name", "originals", "copies", "is_digitised")},
                    "files": [],
                }
            )
        if c["files__id"] is not None:
            components[-1]["files"].append({f: c[f"files__{f}"] for f in _FILE_FIELDS})
    results = list(
        DossierResult.objects.filter(dossier_id=row["id"])
        .order_by("number", "id")
        .values("code", "name", "is_electronic", "recorded_at")
    )
    timeline = list(
        DossierEvent.objects.filter(dossier_id=row["id"])
        .order_by("at", "id")
        .values(
            "at",
            "kind",
            "from_status",
            "to_status",
            "actor_id",
            "actor_label",
            "note",
            "from_state",
            "to_state",
            actor_username=F(f"actor__{username}"),
        )
    )
    open_step = next((s for s in steps if s["finished_at"] is None), None)
    return StaffDossier(
        row=row,
        components=components,
        results=results,
        steps=steps,
        timeline=timeline,
        open_step=open_step,
        actions=_api_actions(user, roles, row, open_step, timeline),
    )


def _api_actions(
    user: AnyUser,
    roles: dict[int, set[str]],
    row: Mapping[str, Any],
    open_step: Mapping[str, Any] | None,
    timeline: Sequence[Mapping[str, Any]],
) -> list[Action]:
    """Return ``dossier_actions`` for the rows of ``dossier_for_api``, via ``dossier_situation``."""
    dossier = Dossier(
        id=row["id"],
        state=row["state"],
        receiving_unit_id=row["receiving_unit_id"],
        competent_agency_id=row["competent_agency_id"],
    )
    if row["state"] == DossierState.WITHDRAWAL_REQUESTED:
        dossier.timeline = [  # type: ignore[attr-defined]
            DossierEvent(from_state=e["from_state"], to_state=e["to_state"]) for e in timeline
        ]
    step = None
    if open_step is not None:
        step = DossierStep(
            id=open_step["id"],
            step=ProcessStep(id=open_step["step_id"], kind=open_step["step__kind"]),
            agency_id=open_step["agency_id"],
            role=open_step["role"],
            assignee_id=open_step["assignee_id"],
        )
    return allowed_actions(dossier_situation(dossier, step=step), roles=roles, actor_id=user.pk)


def open_step_of(dossier: Dossier) -> DossierStep | None:
    """Return the dossier's open step, from a prefetch (``open_steps``, ``all_steps``) if any."""
    steps: list[DossierStep] | None = getattr(dossier, "open_steps", None)
    if steps is None and hasattr(dossier, "all_steps"):
        steps = [s for s in dossier.all_steps if s.finished_at is None]
    if steps is None:
        return _open_steps().select_related("step").filter(dossier_id=dossier.pk).first()
    return steps[0] if steps else None


def role_holders(*, role: str, agency_id: int) -> QuerySet[Any]:
    """Return the active users holding ``role`` in the agency ``agency_id``, by name."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            staff_roles__role=role,
            staff_roles__agency_id=agency_id,
            staff_roles__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def assignable_users(*, step: DossierStep) -> QuerySet[Any]:
    """Return the people who may be given ``step``: active holders of its role in its agency."""
    return role_holders(role=step.role, agency_id=step.agency_id)


def dossier_situation(dossier: Dossier, *, step: DossierStep | bool | None = True) -> Situation:
    """Return what ``rules`` needs to know of ``dossier``, for its action buttons.

    ``step`` is the dossier's open step if the caller holds it (``None``: it
    has none); by default it comes from the prefetch of ``dossier_for_staff``
    or of an inbox row. The timeline is read (prefetched or one query) only
    for a withdrawal request; one query for the open step's moves.
    """
    if step is True or step is False:
        step = open_step_of(dossier)
    events = None
    if hasattr(dossier, "timeline"):
        events = [(e.from_state, e.to_state) for e in dossier.timeline]
    return situation(
        dossier_id=dossier.pk,
        state=dossier.state,
        receiving_unit_id=dossier.receiving_unit_id,
        competent_agency_id=dossier.competent_agency_id,
        step=OpenStep(step.step_id, step.step.kind, step.role, step.agency_id, step.assignee_id)
        if step is not None
        else None,
        events=events,
    )


def dossier_actions(*, user: AnyUser, dossier: Dossier) -> list[Action]:
    """Return the actions ``user`` may do on ``dossier`` now (the buttons to show)."""
    viewer, roles = getattr(dossier, "_viewer_roles", (None, None))
    if viewer != user.pk or roles is None:
        roles = user_agency_roles(user=user)
    return allowed_actions(dossier_situation(dossier), roles=roles, actor_id=user.pk)


@dataclass(frozen=True)
class StepMoves:
    """Where the open step may hand the dossier: forward (not the return) and back."""

    forward: list[ProcessStep]
    back: list[ProcessStep]


def step_moves(step: DossierStep | None) -> StepMoves:
    """Return the steps ``step`` may forward to (the return step excluded) and go back to."""
    if step is None:
        return StepMoves([], [])
    moves = ProcessTransition.objects.filter(source_id=step.step_id).select_related("target")
    forward: list[ProcessStep] = []
    back: list[ProcessStep] = []
    for move in sorted(moves, key=lambda m: m.target.order):
        if move.kind == TransitionKind.BACK:
            back.append(move.target)
        elif move.target.kind != StepKind.RETURN:
            forward.append(move.target)
    return StepMoves(forward, back)
