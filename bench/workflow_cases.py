"""What ``bench/workflow.py`` measures: transitions, due-soon / overdue lists, dashboard counts."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from motcua.backoffice.inbox import inbox_page
from motcua.demo import data as demo
from motcua.dossiers.models import Dossier
from motcua.organisation.models import Agency
from motcua.staff.models import Role, StaffRole
from motcua.workflow import selectors
from motcua.workflow import services as workflow
from motcua.workflow.selectors import RUNNING_STATUSES, InboxFilters

from .workflow_measure import measure, show
from .workflow_seed import sample

PAGE = 50
SOON = dt.timedelta(days=2)
WARMUP = 3
# Personas of the demo province: their agencies are among the busiest (see workflow_seed).
LEADER = "lanhdao.tuphap"  # leader, Department of Justice (9 % of all dossiers)
SPECIALIST = "chuyenvien.tuphap"  # one of its specialists
OFFICER = "tiepnhan.tt"  # receiving officer at the provincial service centre
COMMUNE_LEADER = "lanhdao.haichau"  # leader of a ward's People's Committee


def server_version() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        row = cursor.fetchone()
    return f"PostgreSQL {row[0]}" if row else "unknown"


def server_settings() -> dict[str, str]:
    names = ["shared_buffers", "work_mem", "effective_cache_size", "random_page_cost", "jit"]
    out = {}
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"SHOW {name}")
            row = cursor.fetchone()
            out[name] = row[0] if row else ""
    return out


@dataclass(frozen=True)
class Case:
    """An operation to time: ``make()`` prepares it and returns the call to repeat."""

    name: str
    make: Callable[[], Callable[[int], object]]
    runs: int
    note: str = ""


def run_all(
    *, runs: int, transitions: int, plans: bool, only: list[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Run every case (those whose name contains one of ``only``); print and return figures."""
    results: dict[str, dict[str, Any]] = {}
    sections = [
        ("transitions", transition_cases(transitions)),
        ("lists", list_cases(runs)),
        ("dashboard", dashboard_cases(runs)),
    ]
    for section, cases in sections:
        chosen = [c for c in cases if not only or any(o in c.name for o in only)]
        if not chosen:
            continue
        print(f"== {section}", flush=True)
        results[section] = {}
        for case in chosen:
            figure = measure(case.name, case.make(), runs=case.runs, warmup=WARMUP, note=case.note)
            show(figure, plans=plans)
            results[section][figure.name] = figure.as_dict()
    return results


# --- transitions ----------------------------------------------------------------------


class People:
    """The staff of each agency by role, to act as on a sampled dossier."""

    def __init__(self) -> None:
        self.by_role: dict[tuple[int, str], list[int]] = {}
        for user_id, agency_id, role in StaffRole.objects.filter(is_active=True).values_list(
            "user_id", "agency_id", "role"
        ):
            self.by_role.setdefault((agency_id, role), []).append(user_id)
        self.users = get_user_model().objects.in_bulk()
        self.rng = random.Random(5)

    def one(self, agency_id: int, role: str) -> Any:
        return self.users[self.rng.choice(self.by_role[(agency_id, role)])]


OPEN_STEP = """
    FROM dossiers_dossier d
    JOIN workflow_dossierstep s ON s.dossier_id = d.id AND s.finished_at IS NULL
    JOIN workflow_processstep ps ON ps.id = s.step_id
"""
# Whether the open step's forward moves lead to a processing step / to the return step.
LEADS_TO = """
    EXISTS (SELECT 1 FROM workflow_processtransition t
            JOIN workflow_processstep target ON target.id = t.target_id
            WHERE t.source_id = s.step_id AND t.kind = 'forward' AND target.kind = %s)
"""
TRANSITION_NOTE = "one service call = one transaction (autocommit), a new dossier each run"


def transition_cases(n: int) -> list[Case]:
    """Each transition through its service, on ``n`` (+ warm-up) random dossiers in its state."""
    want = n + WARMUP
    people: list[People] = []

    def staff() -> People:
        if not people:
            people.append(People())
        return people[0]

    def on(
        sql: str, params: list[Any], act: Callable[[People, tuple[Any, ...]], object]
    ) -> Callable[[], Callable[[int], object]]:
        def make() -> Callable[[int], object]:
            rows = sample(sql + " ORDER BY random() LIMIT %s", [*params, want])
            if len(rows) < want:
                raise SystemExit(f"only {len(rows)} dossiers in the right state: {sql}")
            who = staff()
            return lambda i: act(who, rows[i])

        return make

    unassigned = (
        f"SELECT d.id, s.agency_id {OPEN_STEP} WHERE d.state = 'accepted' "
        "AND s.assignee_id IS NULL AND ps.kind = 'process' AND s.role = 'specialist'"
    )
    cases = [
        (
            "dossier_accept (submitted -> accepted, opens the first step)",
            on(
                "SELECT id, receiving_unit_id FROM dossiers_dossier WHERE state = 'submitted'",
                [],
                lambda p, row: workflow.dossier_accept(
                    dossier=row[0], actor=p.one(row[1], Role.RECEIVING_OFFICER)
                ),
            ),
        ),
        (
            "dossier_claim (a specialist takes the open step)",
            on(
                unassigned + " AND d.id %% 2 = 0",
                [],
                lambda p, row: workflow.dossier_claim(
                    dossier=row[0], actor=p.one(row[1], Role.SPECIALIST)
                ),
            ),
        ),
        (
            "dossier_assign (a leader gives the open step to a specialist)",
            on(
                unassigned + " AND d.id %% 2 = 1",
                [],
                lambda p, row: workflow.dossier_assign(
                    dossier=row[0],
                    actor=p.one(row[1], Role.LEADER),
                    assignee=p.one(row[1], Role.SPECIALIST),
                ),
            ),
        ),
        (
            "dossier_forward (to the next step, maybe another agency)",
            on(
                f"SELECT d.id, s.assignee_id {OPEN_STEP} WHERE d.state = 'in_process' "
                f"AND s.assignee_id IS NOT NULL AND ps.kind = 'process' AND {LEADS_TO}",
                ["process"],
                lambda p, row: workflow.dossier_forward(dossier=row[0], actor=p.users[row[1]]),
            ),
        ),
        (
            "dossier_mark_processed (leader approves: status 9)",
            on(
                f"SELECT d.id, s.agency_id, s.assignee_id {OPEN_STEP} "  # noqa: S608 - constants
                f"WHERE d.state = 'in_process' AND ps.kind = 'process' AND {LEADS_TO} "
                "AND EXISTS (SELECT 1 FROM dossiers_dossierresult r WHERE r.dossier_id = d.id)",
                ["return"],
                lambda p, row: workflow.dossier_mark_processed(
                    dossier=row[0],
                    actor=p.users[row[2]] if row[2] else p.one(row[1], Role.LEADER),
                ),
            ),
        ),
        (
            "dossier_return_result (result returned: status 10)",
            on(
                "SELECT id, receiving_unit_id FROM dossiers_dossier WHERE state = 'processed'",
                [],
                lambda p, row: workflow.dossier_return_result(
                    dossier=row[0],
                    actor=p.one(row[1], Role.RECEIVING_OFFICER),
                    to_whom="Người nộp hồ sơ",
                ),
            ),
        ),
    ]
    return [Case(name, make, n, TRANSITION_NOTE) for name, make in cases]


# --- lists ----------------------------------------------------------------------------


def _user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def list_cases(runs: int) -> list[Case]:
    """The first page (50 rows, with prefetch) of each due-soon / overdue list, and the boxes."""

    def page(qs: Any) -> list[Any]:
        return list(qs[:PAGE])

    def inbox(username: str, box: str, due: str) -> Callable[[], Callable[[int], object]]:
        def make() -> Callable[[int], object]:
            user, filters = _user(username), InboxFilters(due=due)
            return lambda _i: page(selectors.inbox(user=user, box=box, filters=filters))

        return make

    def soon(username: str) -> Callable[[], Callable[[int], object]]:
        def make() -> Callable[[int], object]:
            user = _user(username)
            return lambda _i: page(selectors.dossiers_due_soon(user=user, within=SOON))

        return make

    def overdue(username: str) -> Callable[[], Callable[[int], object]]:
        def make() -> Callable[[int], object]:
            user = _user(username)
            return lambda _i: page(selectors.dossiers_overdue(user=user))

        return make

    def back_office(username: str, box: str, due: str) -> Callable[[], Callable[[int], object]]:
        def make() -> Callable[[int], object]:
            user = _user(username)
            return lambda _i: inbox_page(user, {"box": box, "due": due}, per_page=PAGE)

        return make

    cases: list[tuple[str, Callable[[], Callable[[int], object]]]] = [
        ("leader, big agency: inbox 'agency', due soon", inbox(LEADER, "agency", "soon")),
        ("leader, big agency: inbox 'agency', overdue", inbox(LEADER, "agency", "overdue")),
        ("leader, big agency: inbox 'agency', no filter", inbox(LEADER, "agency", "")),
        ("leader, big agency: inbox 'unassigned', no filter", inbox(LEADER, "unassigned", "")),
        ("leader, big agency: inbox 'all', overdue", inbox(LEADER, "all", "overdue")),
        ("leader, big agency: dossiers_due_soon", soon(LEADER)),
        ("leader, big agency: dossiers_overdue", overdue(LEADER)),
        ("specialist: inbox 'mine', due soon", inbox(SPECIALIST, "mine", "soon")),
        ("specialist: inbox 'mine', overdue", inbox(SPECIALIST, "mine", "overdue")),
        ("specialist: inbox 'mine', no filter", inbox(SPECIALIST, "mine", "")),
        ("specialist: inbox 'unassigned', no filter", inbox(SPECIALIST, "unassigned", "")),
        ("specialist: dossiers_due_soon", soon(SPECIALIST)),
        ("specialist: dossiers_overdue", overdue(SPECIALIST)),
        ("centre receiving officer: dossiers_due_soon", soon(OFFICER)),
        ("centre receiving officer: dossiers_overdue", overdue(OFFICER)),
        ("centre receiving officer: inbox 'all', overdue", inbox(OFFICER, "all", "overdue")),
        ("commune leader: inbox 'agency', overdue", inbox(COMMUNE_LEADER, "agency", "overdue")),
        ("commune leader: dossiers_overdue", overdue(COMMUNE_LEADER)),
        (
            "leader: back-office page data, 'agency' overdue (+time left)",
            back_office(LEADER, "agency", "overdue"),
        ),
        (
            "specialist: back-office page data, 'mine' overdue (+time left)",
            back_office(SPECIALIST, "mine", "overdue"),
        ),
    ]
    return [Case(name, make, runs) for name, make in cases]


# --- dashboard ------------------------------------------------------------------------


def dashboard_cases(runs: int) -> list[Case]:
    """The counts a director's dashboard shows, for one agency and province-wide."""

    def justice() -> int:
        return Agency.objects.get(code=demo.TU_PHAP).pk

    def agency_now() -> Callable[[int], object]:
        agency = justice()

        def call(_i: int) -> object:
            now = timezone.now()
            return Dossier.objects.filter(
                competent_agency_id=agency, status__in=RUNNING_STATUSES
            ).aggregate(
                # Counting a column of the index lets PostgreSQL answer from the index alone.
                running=Count("due_at"),
                overdue=Count("due_at", filter=Q(due_at__lt=now)),
                soon=Count("due_at", filter=Q(due_at__gte=now, due_at__lt=now + SOON)),
            )

        return call

    def province_now() -> Callable[[int], object]:
        def call(_i: int) -> object:
            now = timezone.now()
            return list(
                Dossier.objects.filter(status__in=RUNNING_STATUSES)
                .values("competent_agency_id")
                .annotate(
                    running=Count("due_at"), overdue=Count("due_at", filter=Q(due_at__lt=now))
                )
                .order_by()
            )

        return call

    def agency_year() -> Callable[[int], object]:
        agency = justice()

        def call(_i: int) -> object:
            since = timezone.now() - dt.timedelta(days=365)
            return list(
                Dossier.objects.filter(competent_agency_id=agency, finished_at__gte=since)
                .values("outcome")
                .annotate(n=Count("*"))
                .order_by()
            )

        return call

    return [
        Case("big agency: running / overdue / due soon counts", agency_now, runs),
        Case("province: running and overdue per agency", province_now, runs),
        Case(
            "big agency: finished in the last 12 months by outcome (on-time rate)",
            agency_year,
            max(10, runs // 5),
        ),
    ]
