"""One dossier as staff see it: the one read of the back-office page and the staff API.

``dossier_for_staff`` returns a ``StaffDossier``: plain typed rows of only
what is shown (no model instances), read in a constant number of queries
whatever the dossier's size. The page renders it; the API's body is
``serializers.StaffDossierSerializer`` of it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, QuerySet

from motcua.catalog.cases import CaseDef
from motcua.catalog.eforms import Answer, eform_answers
from motcua.catalog.fees import FeeQuote
from motcua.catalog.selectors import version_cases
from motcua.core.errors import Forbidden, NotFound
from motcua.core.names import person_name
from motcua.dossiers.fees import dossier_fee_lines
from motcua.dossiers.models import (
    ApplicantKind,
    Channel,
    Delivery,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierResult,
    DossierState,
    EventKind,
    Outcome,
    Status,
)
from motcua.esign.selectors import RESULT_SIGNED_VALUES, SignedFacts, signed_facts
from motcua.staff.models import Role
from motcua.staff.selectors import AnyUser, user_agency_roles

from ..models import (
    DossierStep,
    StepKind,
    SupplementPhase,
    SupplementRequest,
    TransitionKind,
)
from ..rules import Action, allowed_actions
from ..situation import OpenStep, situation
from ..structure import version_structure
from .scope import DOSSIER_NOT_FOUND, check_may_see, role_holders
from .time import TimeLeft, time_left


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


@dataclass(frozen=True)
class Named:
    """An agency or procedure as rows show it."""

    id: int
    code: str
    name: str
    short_name: str = ""

    @property
    def short(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True)
class Person:
    """A staff member as rows show them: username and name, family name first."""

    id: int
    username: str
    name: str

    def __str__(self) -> str:
        return self.name


def _person(row: Mapping[str, Any], prefix: str) -> Person | None:
    pk = row.get(f"{prefix}_id")
    if pk is None:
        return None
    username = row[f"{prefix}__username"]
    name = " ".join(p for p in (row[f"{prefix}__last_name"], row[f"{prefix}__first_name"]) if p)
    return Person(pk, username, name or username)


def _person_fields(prefix: str) -> tuple[str, ...]:
    return (f"{prefix}_id", f"{prefix}__username", f"{prefix}__first_name", f"{prefix}__last_name")


def _named(row: Mapping[str, Any], prefix: str, *, short: bool = True) -> Named:
    return Named(
        row[f"{prefix}_id"],
        row[f"{prefix}__code"],
        row[f"{prefix}__name"],
        row.get(f"{prefix}__short_name", "") if short else "",
    )


def _named_fields(prefix: str, *, short: bool = True) -> tuple[str, ...]:
    return (
        f"{prefix}_id",
        f"{prefix}__code",
        f"{prefix}__name",
        *((f"{prefix}__short_name",) if short else ()),
    )


@dataclass(frozen=True)
class Move:
    """Where the open step may hand the dossier: a process step, forward or back."""

    kind: str
    step_id: int
    step_kind: str
    name: str
    order: int


@dataclass(frozen=True)
class StepLine:
    """A line of the control slip (form 06): one hand-over of the dossier."""

    id: int
    step_id: int
    version_id: int
    name: str
    kind: str
    agency: Named
    role: str
    assignee: Person | None
    handed_by: Person | None
    finished_by: Person | None
    started_at: dt.datetime
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str
    note: str
    left: TimeLeft | None = None

    @property
    def is_open(self) -> bool:
        return self.finished_at is None

    @property
    def role_label(self) -> str:
        return _label(Role, self.role)

    @property
    def outcome_label(self) -> str:
        return _label(Outcome, self.outcome) if self.outcome else ""

    @property
    def handler(self) -> Person | None:
        """Who holds or held the step."""
        return self.assignee or self.finished_by

    def as_open_step(self) -> OpenStep:
        return OpenStep(
            self.step_id, self.version_id, self.kind, self.role, self.agency.id, self.assignee_id
        )

    @property
    def assignee_id(self) -> int | None:
        return self.assignee.id if self.assignee else None


_STEP_FIELDS = (
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


def _step(row: Mapping[str, Any], *, full: bool = True, left: TimeLeft | None = None) -> StepLine:
    return StepLine(
        id=row["id"],
        step_id=row["step_id"],
        version_id=row["step__version_id"],
        name=row["step__name"],
        kind=row["step__kind"],
        agency=_named(row, "agency"),
        role=row["role"],
        assignee=_person(row, "assignee"),
        handed_by=_person(row, "handed_by") if full else None,
        finished_by=_person(row, "finished_by") if full else None,
        started_at=row["started_at"],
        due_at=row["due_at"],
        finished_at=row["finished_at"],
        outcome=row["outcome"],
        note=row["note"],
        left=left,
    )


@dataclass(frozen=True)
class FileRow:
    id: int
    name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ComponentRow:
    id: int
    name: str
    originals: int
    copies: int
    is_digitised: bool
    files: tuple[FileRow, ...]


@dataclass(frozen=True)
class ResultRow:
    id: int
    code: str
    name: str
    is_electronic: bool
    recorded_at: dt.datetime
    signed: SignedFacts | None = None


@dataclass(frozen=True)
class EventRow:
    """An entry of the timeline."""

    id: int
    at: dt.datetime
    kind: str
    from_status: int | None
    to_status: int
    from_state: str
    to_state: str
    actor: Person | None
    actor_label: str
    note: str
    is_public: bool

    @property
    def kind_label(self) -> str:
        return _label(EventKind, self.kind)

    @property
    def who(self) -> str:
        """The person who acted, or the role the public timeline names."""
        return self.actor.name if self.actor else self.actor_label

    @property
    def actor_text(self) -> str:
        """The username of the staff member who acted, or the role the public timeline names."""
        return self.actor.username if self.actor else self.actor_label


@dataclass(frozen=True)
class SupplementItemRow:
    name: str
    reason: str


@dataclass(frozen=True)
class SupplementRow:
    """A supplement request (form 02) and whether it was answered."""

    number: int
    phase: str
    agency: Named
    reason: str
    requested_at: dt.datetime
    requested_by: Person | None
    received_at: dt.datetime | None
    note: str
    items: tuple[SupplementItemRow, ...]
    received_online: bool = False  # answered by the applicant online, not at the counter

    @property
    def phase_label(self) -> str:
        return _label(SupplementPhase, self.phase)


@dataclass(frozen=True)
class Applicant:
    kind: str
    name: str
    id_number: str
    phone: str
    email: str
    address: str

    @property
    def is_organisation(self) -> bool:
        return self.kind == ApplicantKind.ORGANISATION


@dataclass(frozen=True)
class StaffDossier:
    """A dossier with everything its page and its API body show, and what the viewer may do."""

    id: int
    code: str
    revision: int
    state: str
    status: int
    channel: int
    delivery: str
    delivery_address: str
    procedure: Named
    procedure_version_id: int
    procedure_version_name: str
    competent_agency: Named
    receiving_unit: Named
    submitted_at: dt.datetime
    received_at: dt.datetime
    due_at: dt.datetime
    original_due_at: dt.datetime | None
    intake_due_at: dt.datetime | None
    finished_at: dt.datetime | None
    outcome: str
    paused_at: dt.datetime | None
    supplement_requests: int
    processing_case: str
    cases: tuple[CaseDef, ...]
    result_returned_to: str
    applicant: Applicant
    answers: tuple[Answer, ...]
    components: tuple[ComponentRow, ...]
    results: tuple[ResultRow, ...]
    steps: tuple[StepLine, ...]
    timeline: tuple[EventRow, ...]
    supplements: tuple[SupplementRow, ...]
    moves: tuple[Move, ...]
    fees: FeeQuote
    left: TimeLeft
    actions: tuple[Action, ...]
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def case(self) -> CaseDef:
        """The processing-time case whose legal time applies (the ordinary one by default)."""
        return next((c for c in self.cases if c.code == self.processing_case), self.cases[0])

    @property
    def legal_time(self) -> str:
        """The legal time that applies, and its case when the procedure has several."""
        case = self.case
        return case.text if len(self.cases) == 1 else f"{case.text} ({case.label})"

    @property
    def applicant_name(self) -> str:
        return self.applicant.name

    @property
    def is_waiting_for_intake(self) -> bool:
        return self.state == DossierState.SUBMITTED

    @property
    def open_step(self) -> StepLine | None:
        return next((s for s in self.steps if s.is_open), None)

    @property
    def status_label(self) -> str:
        return _label(Status, self.status)

    @property
    def state_label(self) -> str:
        return _label(DossierState, self.state)

    @property
    def channel_label(self) -> str:
        return _label(Channel, self.channel)

    @property
    def delivery_label(self) -> str:
        return _label(Delivery, self.delivery)

    @property
    def outcome_label(self) -> str:
        return _label(Outcome, self.outcome) if self.outcome else ""

    @property
    def forward_moves(self) -> list[Move]:
        """The steps the open step may forward to (the return step is reached by approval)."""
        return [
            m
            for m in self.moves
            if m.kind == TransitionKind.FORWARD and m.step_kind != StepKind.RETURN
        ]

    @property
    def back_moves(self) -> list[Move]:
        return [m for m in self.moves if m.kind == TransitionKind.BACK]

    @property
    def pending_supplement(self) -> SupplementRow | None:
        """The request the applicant has not answered yet, if any."""
        return next((s for s in reversed(self.supplements) if s.received_at is None), None)

    def events_of(self, kind: str) -> list[EventRow]:
        return [e for e in self.timeline if e.kind == kind]


_DOSSIER_FIELDS = (
    "id",
    "code",
    "revision",
    "state",
    "status",
    "channel",
    "delivery",
    "delivery_address",
    *_named_fields("procedure", short=False),
    "procedure_version_id",
    "procedure_version__name",
    "procedure_version__eform",
    *_named_fields("competent_agency"),
    *_named_fields("receiving_unit"),
    "current_agency_id",
    "submitted_at",
    "received_at",
    "due_at",
    "original_due_at",
    "intake_due_at",
    "finished_at",
    "outcome",
    "paused_at",
    "supplement_requests",
    "processing_case",
    "result_returned_to",
    "applicant_kind",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "form_data",
)
_FILE_FIELDS = ("id", "original_name", "content_type", "size", "sha256")


def dossier_for_staff(*, user: AnyUser, code: str) -> StaffDossier:
    """Return the dossier ``code`` as staff see it, if ``user`` may see it.

    Raises NotFound for an unknown code and Forbidden for a dossier of other
    agencies. A constant number of queries whatever the dossier's size: the
    dossier, its steps, components with their files, timeline, fee lines,
    results (once it has some), supplement requests (once it has some), and
    the calendar for the working time left; the open step's moves come from
    its published process (kept), the viewer's roles are read once per request.
    """
    roles = user_agency_roles(user=user)
    found = list(Dossier.objects.filter(code=code.strip()).order_by().values(*_DOSSIER_FIELDS)[:1])
    if not found:
        raise NotFound(DOSSIER_NOT_FOUND)
    row = found[0]
    pk = row["id"]
    steps = list(
        DossierStep.objects.filter(dossier_id=pk)
        .order_by("started_at", "id")
        .values(*_STEP_FIELDS, *_person_fields("handed_by"), *_person_fields("finished_by"))
    )
    check_may_see(
        roles,
        receiving_unit_id=row["receiving_unit_id"],
        competent_agency_id=row["competent_agency_id"],
        step_agency_ids=[s["agency_id"] for s in steps],
    )
    components = _components(pk)
    timeline = tuple(
        EventRow(
            id=e["id"],
            at=e["at"],
            kind=e["kind"],
            from_status=e["from_status"],
            to_status=e["to_status"],
            from_state=e["from_state"],
            to_state=e["to_state"],
            actor=_person(e, "actor"),
            actor_label=e["actor_label"],
            note=e["note"],
            is_public=e["is_public"],
        )
        for e in DossierEvent.objects.filter(dossier_id=pk)
        .order_by("at", "id")
        .values(
            "id",
            "at",
            "kind",
            "from_status",
            "to_status",
            "from_state",
            "to_state",
            *_person_fields("actor"),
            "actor_label",
            "note",
            "is_public",
        )
    )
    results: tuple[ResultRow, ...] = ()
    if any(e.kind == EventKind.RESULT_RECORDED for e in timeline):  # else none: no query
        rows = (
            DossierResult.objects.filter(dossier_id=pk)
            .order_by("number", "id")
            .values("id", "code", "name", "is_electronic", "recorded_at", *RESULT_SIGNED_VALUES)
        )
        results = tuple(
            ResultRow(
                id=r["id"],
                code=r["code"],
                name=r["name"],
                is_electronic=r["is_electronic"],
                recorded_at=r["recorded_at"],
                signed=signed_facts(r["code"], r),
            )
            for r in rows
        )
    supplements = _supplements(pk) if row["supplement_requests"] else ()
    open_row = next((s for s in steps if s["finished_at"] is None), None)
    moves: tuple[Move, ...] = ()
    if open_row is not None:
        structure = version_structure(open_row["step__version_id"])
        moves = tuple(
            Move(kind, t.id, t.kind, t.name, t.order)
            for kind, t in structure.moves_of(open_row["step_id"])
        )
    waiting = row["state"] == DossierState.SUBMITTED
    due = row["intake_due_at"] if waiting else row["due_at"]
    lefts = time_left([due, *(s["due_at"] if s["finished_at"] is None else None for s in steps)])
    step_lines = tuple(
        _step(s, left=lefts[i + 1] if s["finished_at"] is None else None)
        for i, s in enumerate(steps)
    )
    open_line = next((s for s in step_lines if s.is_open), None)
    rules_view = situation(
        dossier_id=pk,
        state=row["state"],
        receiving_unit_id=row["receiving_unit_id"],
        competent_agency_id=row["competent_agency_id"],
        step=open_line.as_open_step() if open_line else None,
        moves=[(m.kind, m.step_kind) for m in moves],
        events=[(e.from_state, e.to_state) for e in timeline],
        supplements=[(s.phase, s.agency.id) for s in supplements],
        version_id=row["procedure_version_id"],
        extended=row["original_due_at"] is not None,
    )
    return StaffDossier(
        id=pk,
        code=row["code"],
        revision=row["revision"],
        state=row["state"],
        status=row["status"],
        channel=row["channel"],
        delivery=row["delivery"],
        delivery_address=row["delivery_address"],
        procedure=_named(row, "procedure", short=False),
        procedure_version_id=row["procedure_version_id"],
        procedure_version_name=row["procedure_version__name"],
        competent_agency=_named(row, "competent_agency"),
        receiving_unit=_named(row, "receiving_unit"),
        submitted_at=row["submitted_at"],
        received_at=row["received_at"],
        due_at=row["due_at"],
        original_due_at=row["original_due_at"],
        intake_due_at=row["intake_due_at"],
        finished_at=row["finished_at"],
        outcome=row["outcome"],
        paused_at=row["paused_at"],
        supplement_requests=row["supplement_requests"],
        processing_case=row["processing_case"],
        cases=version_cases(row["procedure_version_id"]),
        result_returned_to=row["result_returned_to"],
        applicant=Applicant(
            kind=row["applicant_kind"],
            name=row["applicant_name"],
            id_number=row["applicant_id_number"],
            phone=row["applicant_phone"],
            email=row["applicant_email"],
            address=row["applicant_address"],
        ),
        answers=tuple(eform_answers(row["procedure_version__eform"] or [], row["form_data"] or {})),
        components=components,
        results=results,
        steps=step_lines,
        timeline=timeline,
        supplements=supplements,
        moves=moves,
        fees=dossier_fee_lines(dossier=pk),
        left=lefts[0],
        actions=tuple(allowed_actions(rules_view, roles=roles, actor_id=user.pk)),
    )


def _components(dossier_id: int) -> tuple[ComponentRow, ...]:
    rows: list[tuple[dict[str, Any], list[FileRow]]] = []
    for c in (
        DossierComponent.objects.filter(dossier_id=dossier_id)
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
        if not rows or rows[-1][0]["id"] != c["id"]:
            rows.append((c, []))
        if c["files__id"] is not None:
            rows[-1][1].append(FileRow(*(c[f"files__{f}"] for f in _FILE_FIELDS)))
    return tuple(
        ComponentRow(
            c["id"], c["name"], c["originals"], c["copies"], c["is_digitised"], tuple(files)
        )
        for c, files in rows
    )


def _supplements(dossier_id: int) -> tuple[SupplementRow, ...]:
    found: list[tuple[dict[str, Any], list[SupplementItemRow]]] = []
    for r in (
        SupplementRequest.objects.filter(dossier_id=dossier_id)
        .order_by("number", "items__order")
        .values(
            "id",
            "number",
            "phase",
            *_named_fields("agency"),
            "reason",
            "requested_at",
            *_person_fields("requested_by"),
            "received_at",
            "note",
            "received_online",
            "items__name",
            "items__reason",
        )
    ):
        if not found or found[-1][0]["id"] != r["id"]:
            found.append((r, []))
        if r["items__name"] is not None:
            found[-1][1].append(SupplementItemRow(r["items__name"], r["items__reason"]))
    return tuple(
        SupplementRow(
            number=r["number"],
            phase=r["phase"],
            agency=_named(r, "agency"),
            reason=r["reason"],
            requested_at=r["requested_at"],
            requested_by=_person(r, "requested_by"),
            received_at=r["received_at"],
            note=r["note"],
            items=tuple(items),
            received_online=r["received_online"],
        )
        for r, items in found
    )


def dossier_visible(*, user: AnyUser, code: str) -> Dossier:
    """Return the dossier ``code`` (the row only) if ``user`` may see it.

    For the views that serve one of its files or forms: NotFound for an
    unknown code, Forbidden for a dossier of other agencies. Two queries
    (one more for a dossier seen only through a step of its own agencies).
    """
    roles = user_agency_roles(user=user)
    dossier = Dossier.objects.filter(code=code.strip()).order_by().first()
    if dossier is None:
        raise NotFound(DOSSIER_NOT_FOUND)
    mine = set(roles)
    if not mine & {dossier.receiving_unit_id, dossier.competent_agency_id}:
        steps = DossierStep.objects.filter(dossier=dossier).values_list("agency_id", flat=True)
        check_may_see(
            roles,
            receiving_unit_id=dossier.receiving_unit_id,
            competent_agency_id=dossier.competent_agency_id,
            step_agency_ids=list(steps),
        )
    return dossier


def dossier_for_print(*, user: AnyUser, code: str) -> Dossier:
    """Return the dossier ``code`` as a model with its steps and timeline, for its printed forms.

    Raises NotFound and Forbidden as ``dossier_visible``. The steps come with
    their agencies and people (``all_steps``), the timeline with its actors
    (``timeline``), in a fixed number of queries.
    """
    visible = dossier_visible(user=user, code=code)
    return (
        Dossier.objects.select_related(
            "procedure", "procedure_version", "competent_agency", "receiving_unit"
        )
        .prefetch_related(
            "components__files",
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
        .get(pk=visible.pk)
    )


def assignable_users(*, agency_id: int, role: str) -> QuerySet[Any]:
    """Return the people who may be given a step: active holders of its role in its agency."""
    return role_holders(role=role, agency_id=agency_id)


def dossier_actions(*, user: AnyUser, dossier: Dossier | str) -> list[Action]:
    """Return the actions ``user`` may do on ``dossier`` (or the code) now: the buttons to show."""
    code = dossier if isinstance(dossier, str) else dossier.code
    try:
        return list(dossier_for_staff(user=user, code=code).actions)
    except Forbidden:
        return []


def person_of(user: Any) -> Person:
    """Return a user as rows show people."""
    return Person(user.pk, user.get_username(), person_name(user))
