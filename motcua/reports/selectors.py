"""The periodic report: a form's columns computed for a subject's groups over a period.

``report_build`` reads the form (with its columns and schedules), moves the
period to the days its schedule counts (``span_of``: Quarter I/2026 is
15/12/2025-14/03/2026 under the previous-month rule), and reads every
number from the statistics rollups in a constant number of queries: the
figures of the subject and of its groups (``statistics.selectors.figures``),
the dossiers carried over and still open per group, the names of the groups.
Rows by field are read by procedure and summed into their fields here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.core.errors import NotFound
from motcua.organisation.models import Agency
from motcua.statistics.models import OpenCount, Rollup, Scope
from motcua.statistics.periods import Period, month_end
from motcua.statistics.scopes import Subject, groups_of
from motcua.statistics.selectors import Measures, _before_filter, figures, open_at
from motcua.territory.models import AdministrativeUnit

from .expressions import CARRIED_OVER, OPEN_TERMS, terms_of
from .models import CutOff, Grouping, ReportColumn, ReportForm, ReportSchedule

NO_SUCH_FORM = _("No report form has this code for the period.")
NO_DOSSIERS = _("No dossiers in the reporting period.")
ROW_HEADERS: dict[str, str] = {
    Grouping.FIELD: "Lĩnh vực giải quyết",
    Grouping.AGENCY: "Cơ quan, đơn vị",
    Grouping.PROCEDURE: "Thủ tục hành chính",
    Grouping.UNIT: "Bộ phận một cửa",
}
Value = int | None  # None: not counted (no daily count of open dossiers for that day)


@dataclass(frozen=True)
class HeaderCell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass
class ReportRow:
    """A row of the report: its number (STT; None for the total), label and one value a column."""

    number: int | None
    key: int | None
    label: str
    values: list[Value]


@dataclass
class Report:
    """A form filled in for a subject and a period (see the module's docstring)."""

    form: ReportForm
    columns: list[ReportColumn]
    subject: Subject
    period: Period  # as asked for (its label names the report)
    span: Period  # the days counted, after the schedule's cut-off
    schedule: ReportSchedule | None
    rows: list[ReportRow]
    total: ReportRow
    open_counted: bool
    made_on: dt.date = field(default_factory=timezone.localdate)

    @property
    def empty(self) -> bool:
        """Return whether no dossier counts in the period (received, finished, carried or open)."""
        return not any(self.total.values)

    @property
    def row_header(self) -> str:
        return ROW_HEADERS.get(self.form.grouping, "")

    @property
    def due_on(self) -> dt.date | None:
        """Return the day the report is due, from the schedule (its period's last month)."""
        if self.schedule is None or self.schedule.deadline_day is None:
            return None
        last = self.period.end.replace(day=1)
        return min(last.replace(day=self.schedule.deadline_day), month_end(last))

    @property
    def header_rows(self) -> list[list[HeaderCell]]:
        return header_rows(self.columns)

    def named(self, row: ReportRow) -> dict[str, Value]:
        """Return ``row``'s values by column code."""
        return {c.code: v for c, v in zip(self.columns, row.values, strict=True)}


def header_rows(columns: Sequence[ReportColumn]) -> list[list[HeaderCell]]:
    """Return the header's rows: the group levels merged across columns, each leaf down to the end.

    The leading STT and row-label cells are not included (they span every row).
    """
    paths = [c.path for c in columns]
    depth = max((len(p) for p in paths), default=1)
    rows: list[list[HeaderCell]] = [[] for _ in range(depth)]
    for level in range(depth):
        index = 0
        while index < len(paths):
            path = paths[index]
            if level >= len(path):  # covered by a leaf above
                index += 1
                continue
            if level == len(path) - 1:
                rows[level].append(HeaderCell(path[level], 1, depth - level))
                index += 1
                continue
            span = 1
            while (
                index + span < len(paths)
                and len(paths[index + span]) - 1 > level
                and paths[index + span][: level + 1] == path[: level + 1]
            ):
                span += 1
            rows[level].append(HeaderCell(path[level], span, 1))
            index += span
    return rows


def forms_offered() -> list[ReportForm]:
    """Return the newest version of each active form; one query."""
    seen: dict[str, ReportForm] = {}
    for form in ReportForm.objects.filter(active=True).order_by("code", "-valid_from"):
        seen.setdefault(form.code, form)
    return list(seen.values())


def form_for(code: str, day: dt.date) -> ReportForm:
    """Return the version of form ``code`` in force on ``day`` (else its oldest), with its columns
    and schedules; three queries. NotFound for an unknown code."""
    versions = list(
        ReportForm.objects.filter(code=code, active=True)
        .order_by("-valid_from")
        .prefetch_related(
            Prefetch("columns", queryset=ReportColumn.objects.order_by("order")), "schedules"
        )
    )
    if not versions:
        raise NotFound(NO_SUCH_FORM)
    for form in versions:
        if form.valid_from <= day:
            return form
    return versions[-1]


def schedule_of(form: ReportForm, kind: str) -> ReportSchedule | None:
    """Return ``form``'s schedule of periods of ``kind`` (prefetched), None when it has none."""
    return next((s for s in form.schedules.all() if s.kind == kind), None)


def span_of(period: Period, schedule: ReportSchedule | None) -> Period:
    """Return the days ``period`` covers under ``schedule``'s cut-off rule.

    Previous-month rule with day D: from day D of the month before the
    period's first month to day D-1 of its last month.
    """
    if schedule is None or schedule.cut_off != CutOff.PREVIOUS_MONTH or period.kind == "dates":
        return period
    day = schedule.cut_off_day
    start = (period.start.replace(day=1) - dt.timedelta(days=1)).replace(day=day)
    return Period(start, period.end.replace(day=day - 1), "dates")


def _procedures_of(subject: Subject) -> list[int]:
    """Return the procedures decided by ``subject``'s agencies (a province: its agencies')."""
    if subject.kind == "procedure":
        return [subject.id]
    if subject.kind == "province":
        keys = subject.where.keys
        where = Q(agency__administrative_unit_id__in=keys) | Q(
            agency__administrative_unit__parent_id__in=keys
        )
    else:
        where = Q(agency_id__in=subject.where.keys)
    return list(Procedure.objects.filter(where).values_list("pk", flat=True))


def _layout(grouping: str, subject: Subject) -> tuple[str, list[int]]:
    """Return the rollup scope of the rows' groups and the keys read (a unit's: the unit).

    A grouping a subject cannot be broken down by gives one row per key of
    the subject itself (a merged province: one per former province).
    """
    by_procedure = grouping in (Grouping.FIELD, Grouping.PROCEDURE)
    if by_procedure and subject.kind == "unit":
        return Scope.UNIT_PROCEDURE, [subject.id]
    if by_procedure and subject.kind in ("province", "agency", "procedure"):
        return Scope.PROCEDURE, _procedures_of(subject)
    if subject.kind == "province" and grouping in (Grouping.AGENCY, Grouping.UNIT):
        by = "agency" if grouping == Grouping.AGENCY else "unit"
        scope = Scope.AGENCY if grouping == Grouping.AGENCY else Scope.UNIT
        return scope, [key for key, _name in groups_of(subject, by)]
    return subject.where.scope, list(subject.where.keys)


def _rows_of(scope: str, grouping: str, keys: Iterable[int]) -> dict[int, tuple[int, str]]:
    """Return the row (key, label) of each group key; one query."""
    keys = list(keys)
    if scope in (Scope.PROCEDURE, Scope.UNIT_PROCEDURE):
        rows = Procedure.objects.filter(pk__in=keys).values_list(
            "pk", "name", "field_id", "field__name"
        )
        if grouping == Grouping.FIELD:
            return {pk: (field_id, field_name) for pk, _n, field_id, field_name in rows}
        return {pk: (pk, name) for pk, name, _f, _fn in rows}
    if scope in (Scope.AGENCY, Scope.UNIT):
        return dict(
            (pk, (pk, name))
            for pk, name in Agency.objects.filter(pk__in=keys).values_list("pk", "name")
        )
    units = AdministrativeUnit.objects.filter(pk__in=keys).values_list("pk", "name")
    return {pk: (pk, name) for pk, name in units}


def _group_column(scope: str) -> str:
    return "key2" if scope == Scope.UNIT_PROCEDURE else "key"


def _carried_by_group(scope: str, keys: list[int], start: dt.date) -> dict[int, int]:
    column = _group_column(scope)
    rows = (
        Rollup.objects.filter(scope=scope, key__in=keys)
        .filter(_before_filter(start))
        .values(column)
        .annotate(received=Sum("received"), finished=Sum("finished"))
        .order_by()
    )
    return {r[column]: int(r["received"] or 0) - int(r["finished"] or 0) for r in rows}


def _open_by_group(scope: str, keys: list[int], day: dt.date) -> dict[int, dict[str, int]]:
    column = _group_column(scope)
    names = sorted(set(OPEN_TERMS.values()))
    rows = (
        OpenCount.objects.filter(scope=scope, key__in=keys, day=day)
        .values(column)
        .annotate(**{n: Sum(n) for n in names})
        .order_by()
    )
    return {r[column]: {n: int(r[n] or 0) for n in names} for r in rows}


def _terms(
    measures: Measures, carried: int, open_counts: dict[str, int] | None, wanted: Iterable[str]
) -> dict[str, Value]:
    """Return the value of each term wanted for one group (see ``expressions``)."""
    out: dict[str, Value] = {}
    for term in wanted:
        if term == CARRIED_OVER:
            out[term] = carried
        elif term in OPEN_TERMS:
            if open_counts is not None:
                out[term] = open_counts[OPEN_TERMS[term]]
            elif term == "open":  # no daily count: what was received and not finished
                out[term] = carried + measures["received"] - measures["finished"]
            else:
                out[term] = None
        else:
            out[term] = measures[term]
    return out


def _evaluate(columns: Sequence[ReportColumn], terms: dict[str, Value]) -> list[Value]:
    values: list[Value] = []
    for column in columns:
        parts = [terms[t] for t in terms_of(column.expression)]
        values.append(None if any(p is None for p in parts) else sum(p or 0 for p in parts))
    return values


def _add(into: dict[str, Value], terms: dict[str, Value]) -> None:
    for name, value in terms.items():
        old = into.get(name, 0)
        into[name] = None if value is None or old is None else old + value


def report_build(*, form: ReportForm, subject: Subject, period: Period) -> Report:
    """Return ``form`` filled in for ``subject`` over ``period``; constant queries (about 8).

    ``form`` comes from ``form_for`` (columns and schedules prefetched). Rows
    are the groups with something to count, sorted by name; the total row is
    the subject's own figures.
    """
    columns = list(form.columns.all())
    schedule = schedule_of(form, period.kind)
    span = span_of(period, schedule)
    wanted = sorted({t for c in columns for t in terms_of(c.expression)})
    scope, keys = _layout(form.grouping, subject)
    got = figures(where=subject.where, period=span, by=scope, keys=keys)
    carried = _carried_by_group(scope, keys, span.start)
    opened = _open_by_group(scope, keys, span.end)
    overall = open_at(subject.where, span.end)
    counted = overall is not None

    group_keys = set(got.groups) | {k for k, n in carried.items() if n}
    names = _rows_of(scope, form.grouping, group_keys)
    summed: dict[int, dict[str, Value]] = defaultdict(dict)
    labels: dict[int, str] = {}
    for key in group_keys:
        if key not in names:
            continue
        row_key, label = names[key]
        labels[row_key] = label
        open_counts = opened.get(key, dict.fromkeys(set(OPEN_TERMS.values()), 0))
        terms = _terms(
            got.groups.get(key, Measures()),
            carried.get(key, 0),
            open_counts if counted else None,
            wanted,
        )
        _add(summed[row_key], terms)
    rows: list[ReportRow] = []
    for row_key in sorted(labels, key=lambda k: (labels[k], k)):
        values = _evaluate(columns, summed[row_key])
        if any(values):
            rows.append(ReportRow(len(rows) + 1, row_key, labels[row_key], values))
    total_open = None
    if overall is not None:
        total_open = {n: getattr(overall, n) for n in set(OPEN_TERMS.values())}
    total = ReportRow(
        None,
        None,
        "Tổng cộng",
        _evaluate(columns, _terms(got.totals, got.carried_over, total_open, wanted)),
    )
    return Report(form, columns, subject, period, span, schedule, rows, total, counted)
