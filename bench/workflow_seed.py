"""Fill the workflow benchmark database: a province's two years of dossiers, fast.

Used by ``bench/workflow.py``; run that, not this. On top of the demo
province (``manage.py load_demo``) it adds a People's Committee and a
one-stop centre for every commune of the city that the demo leaves out,
~1,250 staff accounts spread over every agency and unit, and then COPYs
dossiers with their control-slip lines (``DossierStep``: the closed history
and one open step per dossier still in the workflow), one timeline entry each
and the result documents the workflow needs. Rows are built in Python from a
seeded generator and written with ``COPY`` in batches of 50,000, each batch
in its own transaction, foreign-key triggers off for the load
(``session_replication_role = replica``; the rows are consistent by
construction); on a large load the secondary indexes are dropped first and
built again at the end. Idempotent: it adds what is missing to reach N.

Shortcuts, said plainly: times are spread in calendar days (a legal time of
n working days is n x 7/5 days), not through the working calendar; the
communes added here decide dossiers of the demo's commune procedures (which
belong to the demo's communes in the catalogue); dossiers carry no
components or files; a result document is recorded for each dossier that
reached its last processing step.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from motcua.catalog.models import Procedure, TimeUnit
from motcua.core.text import fold
from motcua.demo import data as demo
from motcua.dossiers.models import STATE_STATUS, Dossier, DossierState, EventKind
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.staff.models import Role, StaffRole
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.workflow.models import AgencySource, ProcessStep, StepKind

BATCH = 50_000
# Above this many missing dossiers, drop the secondary indexes and build them at the end.
REINDEX_ABOVE = 200_000
TABLES = (
    "dossiers_dossier",
    "workflow_dossierstep",
    "dossiers_dossierevent",
    "dossiers_dossierresult",
    "dossiers_dossieraccess",
)
# Who may see each new dossier: its receiving unit, its deciding agency, its steps' agencies
# (what the services write as they go).
ACCESS_FILL = """
INSERT INTO dossiers_dossieraccess
    (dossier_id, agency_id, procedure_id, status, received_at, code, applicant_search)
SELECT DISTINCT w.dossier_id, w.agency_id, d.procedure_id, d.status, d.received_at, d.code,
    d.applicant_search
FROM (
    SELECT id AS dossier_id, receiving_unit_id AS agency_id FROM dossiers_dossier WHERE id >= %s
    UNION SELECT id, competent_agency_id FROM dossiers_dossier WHERE id >= %s
    UNION SELECT dossier_id, agency_id FROM workflow_dossierstep WHERE dossier_id >= %s
) w
JOIN dossiers_dossier d ON d.id = w.dossier_id
ON CONFLICT DO NOTHING
"""
# Analysed too: the planner needs their statistics (how many steps are processing steps).
SMALL_TABLES = (
    "auth_user",
    "staff_staffrole",
    "organisation_agency",
    "catalog_procedure",
    "workflow_processstep",
    "workflow_processtransition",
)
SAVED_INDEXES = "bench_workflow_dropped_index"
BENCH_USER = "bench."

# Share of all dossiers each department decides; the communes share the rest.
DEPARTMENT_SHARES = {
    demo.CONG_AN: 0.07,  # the city police: judicial records (since 1 March 2025)
    f"000.00.11.{demo.CITY}": 0.02,  # Justice: notaries
    f"000.00.06.{demo.CITY}": 0.08,  # Finance: business registration
    f"000.00.16.{demo.CITY}": 0.07,  # Agriculture and Environment: land
    f"000.00.09.{demo.CITY}": 0.04,  # Construction: permits
    f"000.00.13.{demo.CITY}": 0.03,  # Health
    f"000.00.05.{demo.CITY}": 0.02,  # Home Affairs: work permits
    f"000.00.14.{demo.CITY}": 0.015,  # Education
    f"000.00.12.{demo.CITY}": 0.005,  # Industry and Trade
}
COMMUNE_SHARE = 1 - sum(DEPARTMENT_SHARES.values())
# How often each procedure is asked for, by national code (others: 1).
PROCEDURE_WEIGHTS = {
    "2.000815": 30,  # certified copies
    "1.001193": 10,  # birth registration
    "1.004873": 8,  # marital status certificate
    "2.000884": 8,  # signature certification
    "2.000635": 6,  # civil-status extract
    "2.001418": 6,  # judicial record
    "2.001035": 5,  # contract certification
    "1.000894": 4,  # marriage
    "1.000656": 3,  # death
    "1.009975": 3,  # house building permit
    "1.001612": 3,  # business household
    "2.000720": 2,
    "1.001776": 2,  # social allowance
    "2.000575": 1,
    "1.001022": 0.5,
    "2.002191": 0.2,
}
# Internal states in proportions of a live system two years in: most dossiers are done,
# ~7.5 % still run (submitted, accepted, in process, withdrawal asked).
STATE_SHARES: list[tuple[str, float]] = [
    (DossierState.RESULT_RETURNED, 0.845),
    (DossierState.PROCESSED, 0.02),
    (DossierState.REFUSED, 0.03),
    (DossierState.STOPPED, 0.005),
    (DossierState.WITHDRAWN, 0.007),
    (DossierState.IN_PROCESS, 0.055),
    (DossierState.ACCEPTED, 0.012),
    (DossierState.SUBMITTED, 0.005),
    (DossierState.SUPPLEMENT_REQUESTED, 0.015),
    (DossierState.PAYMENT_REQUESTED, 0.003),
    (DossierState.WITHDRAWAL_REQUESTED, 0.003),
]
# Of the dossiers still open, the share past their due date (a backlog over two years).
OVERDUE_SHARE = 0.15
HISTORY = dt.timedelta(days=730)
DIGITS36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Minh", "Thanh", "Quốc", "Ngọc", "Hữu", "Thu", "Đức", "Xuân"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hạnh", "Lan", "Long", "Mai", "Nam", "Phúc"]
GIVEN += ["Quang", "Sơn", "Tâm", "Thảo", "Trung", "Tuấn", "Vy", "Yến", "Khoa", "Linh", "Hòa"]
STREETS = ["Bạch Đằng", "Trần Phú", "Hùng Vương", "Lê Duẩn", "Nguyễn Văn Linh", "Phan Chu Trinh"]

DOSSIER_COLUMNS = [
    "id",
    "code",
    "procedure_id",
    "procedure_version_id",
    "receiving_unit_id",
    "competent_agency_id",
    "channel",
    "delivery",
    "delivery_address",
    "status",
    "state",
    "supplement_requests",
    "paused_at",
    "original_due_at",
    "result_returned_to",
    "intake_due_at",
    "finished_at",
    "outcome",
    "revision",
    "applicant_kind",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "applicant_search",
    "form_data",
    "submitted_at",
    "received_at",
    "due_at",
    "request_fingerprint",
    "receipt_pdf",
    "created_at",
    "updated_at",
    "processing_case",
]
STEP_COLUMNS = [
    "dossier_id",
    "step_id",
    "agency_id",
    "role",
    "assignee_id",
    "assigned_at",
    "handed_by_id",
    "started_at",
    "due_at",
    "finished_at",
    "finished_by_id",
    "outcome",
    "note",
]
EVENT_COLUMNS = [
    "dossier_id",
    "at",
    "kind",
    "actor_id",
    "actor_label",
    "from_status",
    "to_status",
    "from_state",
    "to_state",
    "note",
    "is_public",
]
RESULT_COLUMNS = [
    "dossier_id",
    "number",
    "code",
    "name",
    "file",
    "original_name",
    "content_type",
    "size",
    "sha256",
    "is_electronic",
    "recorded_by_id",
    "recorded_at",
]


@dataclass(frozen=True)
class Step:
    id: int
    kind: str
    role: str
    source: str
    agency_id: int | None
    share: float


@dataclass(frozen=True)
class Proc:
    id: int
    version_id: int
    legal: dt.timedelta  # in calendar time
    online: bool
    intake: Step
    middle: tuple[Step, ...]
    back: Step  # the return step


@dataclass
class Weighted:
    """Items with cumulative weights, picked by bisection."""

    items: list[Any] = field(default_factory=list)
    cum: list[float] = field(default_factory=list)

    def add(self, item: Any, weight: float) -> None:
        self.items.append(item)
        self.cum.append((self.cum[-1] if self.cum else 0.0) + weight)

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


@dataclass
class Province:
    deciding: Weighted  # competent agencies (ids)
    procedures: dict[int, Weighted]  # agency id -> Proc
    own_centre: dict[int, int]  # commune committee -> its one-stop centre
    centre: int
    branches: list[int]
    commune_centres: list[int]
    unit_codes: dict[int, str]
    staff: dict[tuple[int, str], list[int]]  # (agency, role) -> user ids


def seed(target: int, *, out: Any = print) -> dict[str, Any]:
    """Make the database hold ``target`` dossiers; return what was done and how long it took."""
    started = time.monotonic()
    _restore_indexes()
    _ensure_communes()
    _ensure_staff()
    province = _province()
    have = Dossier.objects.count()
    missing = max(0, target - have)
    report: dict[str, Any] = {"had": have, "added": missing}
    if missing:
        reindex = missing > REINDEX_ABOVE
        if reindex:
            _drop_indexes()
        rng_seed = 20260000 + have
        loader = Loader(province, now=timezone.now(), seed=rng_seed)
        first = int(sample("SELECT coalesce(max(id), 0) FROM dossiers_dossier")[0][0]) + 1
        done = 0
        while done < missing:
            size = min(BATCH, missing - done)
            loader.batch(first + done, size)
            done += size
            rate = done / (time.monotonic() - started)
            out(f"   {done:>9,} dossiers written ({rate:,.0f}/s)")
        with connection.cursor() as cursor:
            # What the workflow's open_step keeps: the agency holding each open step.
            cursor.execute(
                "UPDATE dossiers_dossier d SET current_agency_id = s.agency_id "
                "FROM workflow_dossierstep s WHERE s.dossier_id = d.id "
                "AND s.finished_at IS NULL AND d.id >= %s",
                [first],
            )
            t = time.monotonic()
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(ACCESS_FILL, [first, first, first])
            out(f"   access rows written in {time.monotonic() - t:.0f} s")
        _reset_sequences()
        if reindex:
            t = time.monotonic()
            _restore_indexes()
            out(f"   indexes built in {time.monotonic() - t:.0f} s")
    t = time.monotonic()
    with connection.cursor() as cursor:
        for table in (*TABLES, *SMALL_TABLES):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    out(f"   VACUUM ANALYZE in {time.monotonic() - t:.0f} s")
    report["seconds"] = round(time.monotonic() - started, 1)
    return report


# --- the province: agencies, staff ------------------------------------------------------


def _ensure_communes() -> None:
    """Give every current commune of the demo province a committee and a one-stop centre."""
    province = AdministrativeUnit.objects.get(
        level=UnitLevel.PROVINCE, era=UnitEra.CURRENT, code=demo.PROVINCE_CODE
    )
    ubnd = Agency.objects.get(code=demo.UBND)
    covered = set(
        Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE).values_list(
            "administrative_unit_id", flat=True
        )
    )
    communes = AdministrativeUnit.objects.filter(
        level=UnitLevel.COMMUNE, era=UnitEra.CURRENT, parent=province
    ).order_by("code")
    for number, commune in enumerate(communes):
        if commune.pk in covered:
            continue
        # Level-2 units of the city (communes have been since 1 July 2025), numbered with a
        # letter first so as not to meet the demo's numeric codes: A0, A1, ..., AZ, B0, ...
        unit = "ABCDEFGH"[number // 36] + DIGITS36[number % 36]
        committee, _ = Agency.objects.get_or_create(
            code=f"000.00.{unit}.{demo.CITY}",
            defaults={
                "name": f"Ủy ban nhân dân {commune.name}",
                "short_name": f"UBND {commune.name}",
                "kind": AgencyKind.COMMUNE_COMMITTEE,
                "level": GovernmentLevel.COMMUNE,
                "parent": ubnd,
                "administrative_unit": commune,
            },
        )
        Agency.objects.get_or_create(
            code=f"000.01.{unit}.{demo.CITY}",
            defaults={
                "name": f"Trung tâm Phục vụ hành chính công {commune.name}",
                "short_name": f"TTPVHCC {commune.name}",
                "kind": AgencyKind.COMMUNE_CENTRE,
                "level": GovernmentLevel.COMMUNE,
                "parent": committee,
                "administrative_unit": commune,
                "is_one_stop_unit": True,
            },
        )


def _commune_weights() -> dict[int, float]:
    """Return each commune committee's share of all dossiers (fixed, skewed: wards are busier)."""
    committees = list(
        Agency.objects.filter(kind=AgencyKind.COMMUNE_COMMITTEE)
        .order_by("code")
        .values_list("id", flat=True)
    )
    rng = random.Random(7)
    raw = {c: math.exp(rng.gauss(0, 0.6)) for c in committees}
    total = sum(raw.values())
    return {c: COMMUNE_SHARE * w / total for c, w in raw.items()}


def _staff_plan() -> dict[tuple[int, str], int]:
    """Return how many people hold each role in each agency, from its share of the work."""
    shares = {Agency.objects.get(code=code).pk: share for code, share in DEPARTMENT_SHARES.items()}
    shares.update(_commune_weights())
    plan: dict[tuple[int, str], int] = {}
    for agency_id, share in shares.items():
        plan[(agency_id, Role.SPECIALIST)] = max(4, round(share * 400))
        plan[(agency_id, Role.LEADER)] = 2 + round(share * 25)
    for code, specialists, leaders in (
        (demo.CONG_AN, 15, 3),
        (demo.BHXH, 10, 2),
        (demo.CONG_AN_HAI_CHAU, 6, 2),
    ):
        agency_id = Agency.objects.get(code=code).pk
        plan[(agency_id, Role.SPECIALIST)] = specialists
        plan[(agency_id, Role.LEADER)] = leaders
    committee_of = dict(
        Agency.objects.filter(kind=AgencyKind.COMMUNE_CENTRE).values_list("id", "parent_id")
    )
    for unit in Agency.objects.filter(is_one_stop_unit=True):
        if unit.code == demo.CENTRE:
            officers = 30
        elif unit.kind == AgencyKind.CENTRE_BRANCH:
            officers = 8
        else:
            officers = 3 + round(shares.get(committee_of.get(unit.pk, 0), 0) * 200)
        plan[(unit.pk, Role.RECEIVING_OFFICER)] = officers
    return plan


def _ensure_staff() -> None:
    """Create the bench's staff accounts (no usable password) until each role is staffed."""
    user_model = get_user_model()
    held: dict[tuple[int, str], int] = {}
    for agency_id, role in StaffRole.objects.filter(is_active=True).values_list(
        "agency_id", "role"
    ):
        held[(agency_id, role)] = held.get((agency_id, role), 0) + 1
    rng = random.Random(11)
    grants: list[tuple[str, int, str]] = []
    users = []
    for (agency_id, role), wanted in sorted(_staff_plan().items()):
        for n in range(held.get((agency_id, role), 0), wanted):
            username = f"{BENCH_USER}{agency_id}.{role}.{n}"
            users.append(
                user_model(
                    username=username,
                    first_name=f"{rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                    last_name=rng.choice(FAMILY),
                    password="!bench",  # noqa: S106 - an unusable password hash
                    is_active=True,
                )
            )
            grants.append((username, agency_id, role))
    if not users:
        return
    with transaction.atomic():
        user_model.objects.bulk_create(users, batch_size=1000)
        ids = dict(
            user_model.objects.filter(username__startswith=BENCH_USER).values_list("username", "id")
        )
        StaffRole.objects.bulk_create(
            [StaffRole(user_id=ids[u], agency_id=a, role=r) for u, a, r in grants],
            batch_size=1000,
            ignore_conflicts=True,
        )


def _legal(value: float, unit: str) -> dt.timedelta:
    """Return a legal time in calendar time: n working days are about n x 7/5 days."""
    if unit == TimeUnit.WORKING_HOURS:
        return dt.timedelta(hours=value / 8 * 24 * 1.4)
    if value <= 0:
        return dt.timedelta(hours=8)  # same day
    return dt.timedelta(days=value * 1.4)


def _procs() -> dict[int, Proc]:
    out: dict[int, Proc] = {}
    procedures = Procedure.objects.filter(
        is_published=True, current_version__isnull=False, process__current_version__isnull=False
    ).select_related("current_version", "process")
    for p in procedures:
        version = p.current_version
        assert version is not None and p.process.current_version_id is not None
        steps = [
            Step(s.pk, s.kind, s.role, s.agency_source, s.agency_id, float(s.share))
            for s in ProcessStep.objects.filter(version_id=p.process.current_version_id).order_by(
                "order"
            )
        ]
        assert steps[0].kind == StepKind.INTAKE and steps[-1].kind == StepKind.RETURN
        out[p.pk] = Proc(
            id=p.pk,
            version_id=version.pk,
            legal=_legal(float(version.processing_time_value), version.processing_time_unit),
            online=p.accepts_online,
            intake=steps[0],
            middle=tuple(steps[1:-1]),
            back=steps[-1],
        )
    return out


def _province() -> Province:
    procs = _procs()
    procedures = list(Procedure.objects.filter(pk__in=procs).select_related("agency"))
    deciding = Weighted()
    by_agency: dict[int, Weighted] = {}
    for code, share in DEPARTMENT_SHARES.items():
        agency = Agency.objects.get(code=code)
        deciding.add(agency.pk, share)
        by_agency[agency.pk] = Weighted()
    # Communes decide the demo's commune procedures; inter-agency ones only in the demo's
    # commune, whose partner agencies exist; one procedure per national code.
    demo_commune = Agency.objects.get(code=demo.HAI_CHAU_UBND).pk
    commune_pool: dict[str, Procedure] = {}
    for p in sorted(procedures, key=lambda p: p.code):
        if p.agency_id in by_agency:
            by_agency[p.agency_id].add(procs[p.pk], PROCEDURE_WEIGHTS.get(p.national_code, 1))
        elif p.level == GovernmentLevel.COMMUNE and p.code not in demo.PROCESSING_STEPS:
            commune_pool.setdefault(p.national_code, p)
    for committee, share in _commune_weights().items():
        deciding.add(committee, share)
        pool = Weighted()
        chosen = list(commune_pool.values())
        if committee == demo_commune:
            chosen = [p for p in procedures if p.agency_id == demo_commune]
        for p in chosen:
            pool.add(procs[p.pk], PROCEDURE_WEIGHTS.get(p.national_code, 1))
        by_agency[committee] = pool
    units = list(Agency.objects.filter(is_one_stop_unit=True))
    staff: dict[tuple[int, str], list[int]] = {}
    for user_id, agency_id, role in (
        StaffRole.objects.filter(is_active=True, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", "agency_id", "role")
    ):
        staff.setdefault((agency_id, role), []).append(user_id)
    return Province(
        deciding=deciding,
        procedures=by_agency,
        own_centre=dict(
            Agency.objects.filter(kind=AgencyKind.COMMUNE_CENTRE).values_list("parent_id", "id")
        ),
        centre=Agency.objects.get(code=demo.CENTRE).pk,
        branches=[u.pk for u in units if u.kind == AgencyKind.CENTRE_BRANCH],
        commune_centres=[u.pk for u in units if u.kind == AgencyKind.COMMUNE_CENTRE],
        unit_codes={u.pk: u.code for u in units},
        staff=staff,
    )


# --- the dossiers ----------------------------------------------------------------------

# The timeline entry each seeded dossier gets: the change that put it in its state.
EVENT_KIND: dict[str, str] = {
    DossierState.SUBMITTED: EventKind.SUBMITTED,
    DossierState.REFUSED: EventKind.REFUSED,
    DossierState.ACCEPTED: EventKind.ACCEPTED,
    DossierState.IN_PROCESS: EventKind.FORWARDED,
    DossierState.SUPPLEMENT_REQUESTED: EventKind.SUPPLEMENT_REQUESTED,
    DossierState.PAYMENT_REQUESTED: EventKind.STATUS_CHANGED,
    DossierState.WITHDRAWAL_REQUESTED: EventKind.WITHDRAWAL_REQUESTED,
    DossierState.RESULT_RETURNED: EventKind.RESULT_RETURNED,
    DossierState.STOPPED: EventKind.STOPPED,
    DossierState.WITHDRAWN: EventKind.WITHDRAWN,
    DossierState.PROCESSED: EventKind.PROCESSED,
}
OPEN_STATES = (
    DossierState.ACCEPTED,
    DossierState.IN_PROCESS,
    DossierState.SUPPLEMENT_REQUESTED,
    DossierState.PAYMENT_REQUESTED,
    DossierState.WITHDRAWAL_REQUESTED,
)


class Loader:
    """Build and COPY batches of dossiers with their steps, timeline entries and results."""

    def __init__(self, province: Province, *, now: dt.datetime, seed: int) -> None:
        self.p = province
        self.now = now
        self.rng = random.Random(seed)
        self.states = Weighted()
        for state, share in STATE_SHARES:
            self.states.add(state, share)
        self.names = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
        self.folded = {n: fold(n) for n in self.names}
        self.dossiers: list[tuple[Any, ...]] = []
        self.steps: list[tuple[Any, ...]] = []
        self.events: list[tuple[Any, ...]] = []
        self.results: list[tuple[Any, ...]] = []

    def batch(self, first: int, size: int) -> None:
        for pk in range(first, first + size):
            self.dossier(pk)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL synchronous_commit = off")
            raw = cursor.cursor
            for table, columns, rows in (
                ("dossiers_dossier", DOSSIER_COLUMNS, self.dossiers),
                ("workflow_dossierstep", STEP_COLUMNS, self.steps),
                ("dossiers_dossierevent", EVENT_COLUMNS, self.events),
                ("dossiers_dossierresult", RESULT_COLUMNS, self.results),
            ):
                with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                rows.clear()

    # Pickers ---------------------------------------------------------------------------

    def person(self, agency_id: int, role: str) -> int | None:
        people = self.p.staff.get((agency_id, role))
        return self.rng.choice(people) if people else None

    def unit_for(self, agency_id: int) -> int:
        r = self.rng.random()
        own = self.p.own_centre.get(agency_id)
        if own is not None:  # a commune's dossier: mostly at its own centre
            return own if r < 0.85 else self.rng.choice(self.p.commune_centres)
        if r < 0.6:
            return self.p.centre
        if r < 0.9:
            return self.rng.choice(self.p.branches)
        return self.rng.choice(self.p.commune_centres)

    def moment(self, at: dt.datetime) -> dt.datetime:
        """Return a working moment (weekday, 07:30-16:30 local) on the day of ``at``."""
        day = at.replace(hour=0, minute=0, second=0, microsecond=0)
        if day.weekday() >= 5:
            day -= (day.weekday() - 4) * DAY
        return day + dt.timedelta(hours=0.5 + 9 * self.rng.random())  # UTC+7

    # One dossier --------------------------------------------------------------------------

    def dossier(self, pk: int) -> None:
        rng, now = self.rng, self.now
        agency = self.p.deciding.pick(rng)
        proc: Proc = self.p.procedures[agency].pick(rng)
        unit = self.unit_for(agency)
        state = self.states.pick(rng)
        legal = proc.legal
        r = rng.random()
        channel = 2 if proc.online and r < 0.45 else (3 if r > 0.95 else 1)
        if state == DossierState.SUBMITTED:
            channel = 2
        finished: dt.datetime | None = None
        returned: dt.datetime | None = None
        paused: dt.datetime | None = None
        if state == DossierState.SUBMITTED:
            received = now - 1.5 * DAY * rng.random()
        elif state in OPEN_STATES:
            if rng.random() < OVERDUE_SHARE:
                due = now - HISTORY * rng.random() ** 2 - HOUR
            else:
                due = now + legal * (0.02 + 0.98 * rng.random())
            received = min(due - legal, now - HOUR)
        elif state == DossierState.PROCESSED:
            finished = now - 20 * DAY * rng.random() ** 2
            received = self.moment(finished - legal * (0.2 + 0.9 * rng.random()))
            finished = max(finished, received + HOUR)
        else:
            received = self.moment(now - legal - (HISTORY - legal) * rng.random())
            if state == DossierState.REFUSED:
                finished = received + 4 * HOUR * rng.random()
            else:
                finished = received + legal * (0.1 + 1.02 * rng.random())
                if state == DossierState.RESULT_RETURNED:
                    returned = min(finished + 5 * DAY * rng.random() ** 3, now)
            finished = min(finished, now)
        due_at = received + legal
        submitted = received - (DAY * rng.random() if channel == 2 else dt.timedelta(0))
        if state == DossierState.SUBMITTED:
            submitted = received
        intake_due = submitted + DAY if channel == 2 else None
        supplements = 0
        if state == DossierState.SUPPLEMENT_REQUESTED:
            supplements = 2 if rng.random() < 0.1 else 1
            paused = now - 20 * DAY * rng.random()
        elif rng.random() < 0.05 and state != DossierState.SUBMITTED:
            supplements = 1
        outcome = ""
        if finished is not None and state != DossierState.WITHDRAWN:
            outcome = _outcome(finished, due_at, supplements)

        last_actor, steps_done, event_from = self.history(
            pk, state, proc, agency, unit, submitted, received, due_at, intake_due, finished,
            returned,
        )  # fmt: skip
        code = f"{self.p.unit_codes[unit]}-{received:%y%m%d}-{pk:07d}"
        name = self.rng.choice(self.names)
        status = STATE_STATUS[state]
        last = returned or finished or paused or (received if steps_done else submitted)
        self.dossiers.append(
            (
                pk, code, proc.id, proc.version_id, unit, agency, channel,
                "counter" if r < 0.7 else ("post" if r < 0.8 else "online"), "", status, state,
                supplements, paused, None, "Người nộp hồ sơ" if returned else "", intake_due,
                finished, outcome, 1 + steps_done, "person", name,
                f"048{rng.randrange(10**9):09d}", f"09{rng.randrange(10**8):08d}", "",
                f"{rng.randrange(1, 300)} {rng.choice(STREETS)}, Đà Nẵng", self.folded[name],
                "{}", submitted, received, due_at, "", "", submitted, last, "",
            )
        )  # fmt: skip
        from_state, from_status = event_from
        self.events.append(
            (
                pk, last, EVENT_KIND[state], last_actor, "",
                from_status, status, from_state, state, "", True,
            )
        )  # fmt: skip

    def history(
        self,
        pk: int,
        state: str,
        proc: Proc,
        agency: int,
        unit: int,
        submitted: dt.datetime,
        received: dt.datetime,
        due_at: dt.datetime,
        intake_due: dt.datetime | None,
        finished: dt.datetime | None,
        returned: dt.datetime | None,
    ) -> tuple[int | None, int, tuple[str, int | None]]:
        """Write the dossier's control-slip lines; return the last actor, lines and prior state."""
        rng = self.rng
        if state == DossierState.SUBMITTED:
            return None, 0, ("", None)
        if state == DossierState.REFUSED:
            return self.person(unit, Role.RECEIVING_OFFICER), 0, (DossierState.SUBMITTED, 1)
        if (
            state in (DossierState.SUPPLEMENT_REQUESTED, DossierState.WITHDRAWN)
            and rng.random() < 0.4
        ):
            # Asked for a supplement, or withdrawn, before it was accepted: no steps.
            return None, 0, (DossierState.SUBMITTED, 1)
        officer = self.person(unit, Role.RECEIVING_OFFICER)
        self.steps.append(
            (
                pk, proc.intake.id, unit, proc.intake.role, officer, None, None, submitted,
                intake_due or received, received, officer,
                _outcome(received, intake_due or received, 0), "",
            )
        )  # fmt: skip
        middle = proc.middle
        if state == DossierState.ACCEPTED:
            at, is_open = 0, True
        elif state in (DossierState.PROCESSED, DossierState.RESULT_RETURNED):
            at, is_open = len(middle), False
        elif state in (DossierState.STOPPED, DossierState.WITHDRAWN):
            at, is_open = rng.randrange(len(middle)) + 1, False
        else:
            at = 0 if rng.random() < 0.55 or len(middle) == 1 else rng.randrange(1, len(middle))
            is_open = True
        end = finished or self.now
        # An open step began somewhere between receipt and now.
        span = (end - received) * (0.2 + 0.75 * rng.random()) if is_open else end - received
        done_share = sum(s.share for s in middle[:at]) or 100.0
        start = received
        by = officer
        for j, step in enumerate(middle[: at + 1] if is_open else middle[:at]):
            where = self.agency_of(step, unit, agency)
            duration = span * (step.share / done_share)
            due = min(start + proc.legal * (step.share / 100), due_at)
            if is_open and j == at:
                assignee = None
                if state != DossierState.ACCEPTED:
                    chance = 0.88 if step.role == Role.SPECIALIST else 0.4
                    assignee = self.person(where, step.role) if rng.random() < chance else None
                self.steps.append(
                    (
                        pk, step.id, where, step.role, assignee,
                        start if assignee else None, by, start, due, None, None, "", "",
                    )
                )  # fmt: skip
                if j == len(middle) - 1:
                    self.result(pk, by or officer, start)
                if state == DossierState.ACCEPTED:
                    return officer, 2, (DossierState.SUBMITTED, 1)
                return by, j + 2, (DossierState.IN_PROCESS, 4)
            stop = start + duration
            who = self.person(where, step.role)
            judged = _outcome(stop, due, 0)
            if (
                not is_open
                and j == at - 1
                and state in (DossierState.STOPPED, DossierState.WITHDRAWN)
            ):
                judged = ""
            self.steps.append(
                (
                    pk, step.id, where, step.role, who, start, by, start, due, stop, who,
                    judged, "",
                )
            )  # fmt: skip
            by, start = who, stop
        if state in (DossierState.STOPPED, DossierState.WITHDRAWN):
            return by, at + 1, (DossierState.IN_PROCESS, 4)
        # Processed: at the return step of the unit that received it; returned: done.
        assert finished is not None
        self.result(pk, by or officer, finished)
        back_officer = self.person(unit, Role.RECEIVING_OFFICER) if returned else None
        self.steps.append(
            (
                pk, proc.back.id, unit, proc.back.role, None, None, by, finished, None,
                returned, back_officer, "", "Người nộp hồ sơ" if returned else "",
            )
        )  # fmt: skip
        if returned:
            return back_officer, len(middle) + 2, (DossierState.PROCESSED, 9)
        return by, len(middle) + 2, (DossierState.IN_PROCESS, 4)

    def agency_of(self, step: Step, unit: int, agency: int) -> int:
        if step.source == AgencySource.RECEIVING_UNIT:
            return unit
        if step.source == AgencySource.COMPETENT_AGENCY:
            return agency
        assert step.agency_id is not None
        return step.agency_id

    def result(self, pk: int, by: int | None, at: dt.datetime) -> None:
        if by is None:
            return
        self.results.append(
            (
                pk, 1, f"BENCH-{pk}-KQ1", "Kết quả giải quyết", "results/bench/ket-qua.pdf",
                "ket-qua.pdf", "application/pdf", 1024, "0" * 64, True, by, at,
            )
        )  # fmt: skip


def _outcome(finished: dt.datetime, due: dt.datetime, supplements: int) -> str:
    if supplements > 1 or finished > due:
        return "late"
    return "early" if finished.date() < due.date() else "on_time"


# --- indexes and sequences -------------------------------------------------------------


def _drop_indexes() -> None:
    """Save and drop the secondary indexes of the loaded tables (built again at the end)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {SAVED_INDEXES} (name text PRIMARY KEY, definition text)"
        )
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            """,
            [list(TABLES)],
        )
        found = cursor.fetchall()
        for name, definition in found:
            cursor.execute(
                f"INSERT INTO {SAVED_INDEXES} VALUES (%s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
                [name, definition],
            )
            cursor.execute(f'DROP INDEX "{name}"')


def _restore_indexes() -> None:
    """Build again the indexes a load dropped (also after an interrupted load)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [SAVED_INDEXES])
        if cursor.fetchone()[0] is None:
            return
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(f"SELECT name, definition FROM {SAVED_INDEXES} ORDER BY name")  # noqa: S608
        for name, definition in cursor.fetchall():
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                cursor.execute(definition)
            cursor.execute(f"DELETE FROM {SAVED_INDEXES} WHERE name = %s", [name])  # noqa: S608
        cursor.execute(f"DROP TABLE {SAVED_INDEXES}")
        cursor.execute("RESET maintenance_work_mem")


def _reset_sequences() -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            top = f"SELECT coalesce(max(id), 1) FROM {table}"  # noqa: S608 - our table names
            cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), ({top}))", [table])


def counts(now: dt.datetime | None = None) -> dict[str, Any]:
    """Return the shape of the seeded data: dossiers by state, open steps, running, overdue."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT state, count(*) FROM dossiers_dossier GROUP BY 1 ORDER BY 2 DESC")
        states = dict(cursor.fetchall())
        cursor.execute(
            """
            SELECT count(*) FILTER (WHERE true),
                   count(*) FILTER (WHERE due_at < %s),
                   count(*) FILTER (WHERE due_at >= %s AND due_at < %s)
            FROM dossiers_dossier WHERE status IN (1, 2, 4, 7)
            """,
            [now, now, now + 2 * DAY],
        )
        running, overdue, soon = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE finished_at IS NULL) FROM workflow_dossierstep"
        )
        steps, open_steps = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM dossiers_dossierevent")
        events = cursor.fetchone()[0]
        cursor.execute("SELECT count(DISTINCT competent_agency_id) FROM dossiers_dossier")
        agencies = cursor.fetchone()[0]
        cursor.execute("SELECT count(DISTINCT receiving_unit_id) FROM dossiers_dossier")
        units = cursor.fetchone()[0]
        cursor.execute("SELECT count(DISTINCT user_id) FROM staff_staffrole WHERE is_active")
        staff = cursor.fetchone()[0]
    return {
        "dossiers": sum(states.values()),
        "by_state": states,
        "running": running,
        "running_overdue": overdue,
        "running_due_within_2_days": soon,
        "steps": steps,
        "open_steps": open_steps,
        "events": events,
        "deciding_agencies": agencies,
        "receiving_units": units,
        "staff": staff,
    }


def sample(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Return the rows of a raw query (for picking benchmark targets)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())
