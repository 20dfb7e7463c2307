"""The statistics dashboard: what it shows of a subject over a period, composed from the figures.

Everything here is read from the rollups and the daily open counts
(``selectors``) and the names of the groups (``scopes.groups_of``), so a
dashboard costs a constant number of queries whatever the period or the
number of dossiers: the figures of the period with their breakdown (3), the
same period a year earlier (2), the months of the trend (1), the dossiers
open at the period's end (1), the groups' names (1).

The lines of the page (``SECTIONS``), the derived rates (``RATES``) and the
tables behind the charts (``tables``) are each written once: the page, its
CSV and XLSX downloads and the open-data API read them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.organisation.models import Agency

from . import periods
from .measures import BY_NAME, MEASURES
from .models import Scope
from .periods import Period
from .scopes import BREAKDOWNS, Subject, group_scope, groups_of, home_province, subject_of
from .selectors import Measures, Open, Where, figures, open_at, series

BAD_DATE = _("Enter a date as dd/mm/yyyy.")
BAD_YEAR = _("Enter a year between 2000 and 2100.")
BAD_NUMBER = _("Choose a month, quarter or half of the year.")
BAD_ID = _("Choose a subject from the list.")
BAD_BREAKDOWN = _("Unknown breakdown.")
BAD_SORT = _("Unknown column to sort by.")
FIRST_YEAR, LAST_YEAR = 2000, 2100

Text = str | Promise


# --- Asking for a period and a subject ------------------------------------------------------


def parse_date(value: str, name: str) -> dt.date | None:
    """Return the date in ``value`` (dd/mm/yyyy or ISO), None when empty; bad input raises."""
    value = value.strip()
    if not value:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(value, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
        if FIRST_YEAR <= day.year <= LAST_YEAR:
            return day
    raise ValidationFailed(BAD_DATE, field_errors={name: [BAD_DATE]})


def _number(value: str, name: str, message: Text, low: int, high: int) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 4 or not low <= int(value) <= high:
        raise ValidationFailed(message, field_errors={name: [message]})
    return int(value)


def named(start: dt.date, end: dt.date) -> Period:
    """Return the dates as a month, quarter, half or year when they are exactly one."""
    candidates = [periods.year(start.year)]
    candidates += [periods.half(start.year, h) for h in (1, 2)]
    candidates += [periods.quarter(start.year, q) for q in range(1, 5)]
    candidates.append(periods.month(start.year, start.month))
    for candidate in candidates:
        if (candidate.start, candidate.end) == (start, end):
            return candidate
    return Period(start, end)


def period_from(
    *, kind: str, year: str, number: str, start: str, end: str, today: dt.date
) -> Period:
    """Return the period asked (``ky``, ``nam``, ``so``, ``tu``, ``den``); this year by default.

    Dates alone (``tu`` and ``den``) are a period of dates; bad input raises ValidationFailed.
    """
    kind = kind.strip() or ("dates" if start.strip() or end.strip() else "year")
    first, last = parse_date(start, "tu"), parse_date(end, "den")
    year_ = _number(year, "nam", BAD_YEAR, FIRST_YEAR, LAST_YEAR) or today.year
    number_ = _number(number, "so", BAD_NUMBER, 1, 12)  # checked even where it is not used
    if kind == "dates":
        if first is None or last is None:
            raise ValidationFailed(BAD_DATE, field_errors={"tu": [BAD_DATE], "den": [BAD_DATE]})
        return named(first, last)  # raises when the start is after the end
    highest = {"month": 12, "quarter": 4, "half": 2}.get(kind, 0)
    if highest and number_ is not None and number_ > highest:
        raise ValidationFailed(BAD_NUMBER, field_errors={"so": [BAD_NUMBER]})
    current = {
        "month": today.month,
        "quarter": (today.month + 2) // 3,
        "half": 1 if today.month <= 6 else 2,
    }.get(kind, 0)
    return periods.period_of(kind, year_=year_, number=(number_ or current) if highest else 0)


def last_closed_quarter(today: dt.date) -> Period:
    """Return the last quarter that ended before ``today``."""
    q = (today.month + 2) // 3
    return periods.quarter(today.year, q - 1) if q > 1 else periods.quarter(today.year - 1, 4)


def subject_from(
    *, kind: str, pk: str, merged: str, default: Callable[[], tuple[str, int]]
) -> Subject:
    """Return the subject asked (``doi-tuong``, ``id``, ``gop``); ``default`` when none is."""
    kind, pk = kind.strip(), pk.strip()
    if not kind and not pk:
        kind, number = default()
    else:
        if not pk.isdigit() or len(pk) > 18:
            raise ValidationFailed(BAD_ID, field_errors={"id": [BAD_ID]})
        number = int(pk)
    return subject_of(kind or "province", number, merged=merged.strip() != "0")


def home_subject() -> tuple[str, int]:
    """Return the home province as (kind, id): the public page's and the open data's default."""
    return "province", home_province().pk


# --- Labels ------------------------------------------------------------------------------------

# Measures whose own label reads wrongly on a page of counts ("Received" is also a date's
# column, translated as such).
LABELS: dict[str, Text] = {
    "received": _("Received in the period"),
    "finished": _("Settled in the period"),
}


def label_of(name: str) -> Text:
    """Return the label a page or the open data shows for the measure ``name``."""
    return LABELS.get(name) or BY_NAME[name].label


# --- Derived rates: written once for the page and the API ------------------------------------


@dataclass(frozen=True)
class Rate:
    name: str
    label: Text
    of: Callable[[Measures], float | None]


RATES: tuple[Rate, ...] = (
    Rate("on_time_rate", _("Finished on time or early (%)"), lambda m: m.on_time_rate),
    Rate("online_rate", _("Received online (%)"), lambda m: m.online_rate),
    Rate(
        "fully_online_rate",
        _("Processed fully online, among results returned (%)"),
        lambda m: m.share(m["fully_online"], m["returned"]),
    ),
    Rate(
        "paid_online_rate",
        _("Paid online, among dossiers with fees (%)"),
        lambda m: m.share(m["paid_online"], m["fee_bearing"]),
    ),
    Rate(
        "digitised_rate",
        _("Components digitised (%)"),
        lambda m: m.share(m["digitised"], m["components"]),
    ),
    Rate(
        "reused_rate",
        _("Components reused from digitised data (%)"),
        lambda m: m.share(m["reused"], m["components"]),
    ),
    Rate(
        "satisfied_rate",
        _("Satisfied or very satisfied (%)"),
        lambda m: m.share(m["rate_4"] + m["rate_5"], m["rated"]),
    ),
    Rate("average_days", _("Average processing time (days)"), lambda m: m.average_days),
    Rate("median_days", _("Median processing time (days)"), lambda m: m.median_days),
)
RATE_BY_NAME = {r.name: r for r in RATES}


# --- The lines of the page -------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A figure of the page: its value now and a year earlier; ``measure``: what it links to."""

    label: Text
    value: int | float | None
    previous: int | float | None
    measure: str = ""  # the dossiers behind it (an unweighted measure), or none
    unit: str = ""  # "%" or "days"
    indent: bool = False

    @property
    def delta(self) -> int | float | None:
        if self.value is None or self.previous is None:
            return None
        delta = self.value - self.previous
        return round(delta, 1) if isinstance(delta, float) else delta


@dataclass(frozen=True)
class Section:
    title: Text
    lines: tuple[Line, ...]
    note: Text = ""


def _count(name: str, now: Measures, before: Measures, *, indent: bool = True) -> Line:
    spec = BY_NAME[name]
    link = "" if spec.weight is not None else name
    return Line(label_of(name), now[name], before[name], link, indent=indent)


def _rate(name: str, now: Measures, before: Measures) -> Line:
    rate = RATE_BY_NAME[name]
    unit = "days" if name.endswith("_days") else "%"
    return Line(rate.label, rate.of(now), rate.of(before), unit=unit, indent=True)


def _open_line(label: Text, now: Open | None, before: Open | None, name: str) -> Line:
    def value(o: Open | None) -> int | None:
        return None if o is None else int(getattr(o, name))

    return Line(label, value(now), value(before), indent=True)


NO_OPEN_COUNTS = _("No figures yet (the daily counts of open dossiers are not kept for this day).")
NO_PETITIONS = _(
    "Petitions and feedback (phản ánh, kiến nghị) are not recorded by this system: "
    "their figures come from the petitions system."
)


def sections(d: Dashboard) -> list[Section]:
    """Return the page's figures, section by section, with the same period a year earlier."""
    now, before = d.totals, d.previous_totals
    levels = ["recv_full", "recv_partial", "recv_none"]
    levels += [n for n in ("recv_lv3", "recv_lv4") if now[n] or before[n]]
    c = _count
    received = (
        Line(_("Carried over from before the period"), d.carried_over, d.previous_carried),
        c("received", now, before, indent=False),
        Line(
            _("Total to settle (carried over and new)"),
            d.carried_over + now["received"],
            d.previous_carried + before["received"],
        ),
        *(c(n, now, before) for n in ("recv_counter", "recv_online", "recv_post")),
        _rate("online_rate", now, before),
        *(c(n, now, before) for n in levels),
    )
    finished = (
        c("finished", now, before, indent=False),
        *(c(n, now, before) for n in ("fin_early", "fin_on_time", "fin_late")),
        _rate("on_time_rate", now, before),
        *(
            c(n, now, before)
            for n in (
                "processed",
                "refused",
                "stopped",
                "withdrawn",
                "extended_late",
                "supplemented",
            )
        ),
    )
    o, p = d.open, d.previous_open
    still_open = (
        _open_line(_("Open at the end of the period"), o, p, "open"),
        _open_line(_("Within their due date"), o, p, "within"),
        _open_line(_("Past their due date"), o, p, "past"),
        _open_line(_("Paused for a supplement"), o, p, "paused_supplement"),
        _open_line(_("Paused for a payment"), o, p, "paused_payment"),
        _open_line(_("Withdrawal requested"), o, p, "withdrawal_requested"),
    )
    returned = (
        c("returned", now, before, indent=False),
        *(c(n, now, before) for n in ("ret_counter", "ret_post", "ret_online")),
        c("fully_online", now, before),
        _rate("fully_online_rate", now, before),
        c("e_results", now, before),
    )
    time = (_rate("average_days", now, before), _rate("median_days", now, before))
    fees = (
        c("fee_bearing", now, before, indent=False),
        c("paid_online", now, before),
        c("paid_counter", now, before),
        _rate("paid_online_rate", now, before),
    )
    digitisation = (
        c("components", now, before, indent=False),
        c("digitised", now, before),
        _rate("digitised_rate", now, before),
        c("reused", now, before),
        _rate("reused_rate", now, before),
    )
    ratings = (
        c("rated", now, before, indent=False),
        _rate("satisfied_rate", now, before),
        *(c(f"rate_{level}", now, before) for level in (5, 4, 3, 2, 1)),
    )
    return [
        Section(_("Dossiers received"), received),
        Section(_("Dossiers settled"), finished),
        Section(
            _("Still open at the end of the period"),
            still_open,
            note="" if o is not None else NO_OPEN_COUNTS,
        ),
        Section(_("Results returned"), returned),
        Section(_("Processing time"), time),
        Section(_("Fees"), fees),
        Section(_("Digitisation"), digitisation),
        Section(_("Satisfaction"), ratings, note=NO_PETITIONS),
    ]


# --- Groups (the breakdown) and the trend ----------------------------------------------------

GROUP_COLUMNS: tuple[tuple[str, Text], ...] = (
    ("name", _("Group name")),
    ("received", LABELS["received"]),
    ("recv_online", _("Received online")),
    ("finished", LABELS["finished"]),
    ("fin_late", _("Finished late")),
    ("on_time_rate", _("On time (%)")),
    ("online_rate", _("Online (%)")),
    ("returned", _("Results returned")),
    ("average_days", _("Average days")),
    ("median_days", _("Median days")),
)
GROUP_KINDS = {"agency": "agency", "unit": "unit", "commune": "commune", "procedure": "procedure"}
BREAKDOWN_LABELS: dict[str, Text] = {
    "agency": _("By agency"),
    "unit": _("By one-stop unit"),
    "commune": _("By commune"),
    "procedure": _("By procedure"),
}


@dataclass(frozen=True)
class Group:
    key: int
    name: str
    measures: Measures

    def value(self, column: str) -> int | float | str | None:
        if column == "name":
            return self.name
        if column in BY_NAME:
            return self.measures[column]
        return RATE_BY_NAME[column].of(self.measures)


def _sorted(groups: list[Group], sort: str) -> list[Group]:
    column = sort.lstrip("-")
    if column not in dict(GROUP_COLUMNS):
        raise ValidationFailed(BAD_SORT, field_errors={"sap": [BAD_SORT]})
    known = [g for g in groups if g.value(column) is not None]
    unknown = [g for g in groups if g.value(column) is None]
    known.sort(key=lambda g: (g.value(column), g.name), reverse=sort.startswith("-"))
    return known + unknown


@dataclass(frozen=True)
class Month:
    first: dt.date
    measures: Measures

    @property
    def label(self) -> str:
        return self.first.strftime("%m/%Y")


TREND_NAMES = (
    "received",
    "recv_counter",
    "recv_online",
    "recv_post",
    "fin_early",
    "fin_on_time",
    "fin_late",
)


def trend_period(period: Period) -> Period:
    """Return the months a trend shows: the period's, or the 12 months up to its end."""
    if len(period.months()) >= 3:
        return period
    months = period.end.year * 12 + period.end.month - 1 - 11
    return Period(dt.date(months // 12, months % 12 + 1, 1), period.end)


# --- The dashboard ---------------------------------------------------------------------------


@dataclass
class Dashboard:
    subject: Subject
    period: Period
    previous: Period
    totals: Measures
    previous_totals: Measures
    carried_over: int
    previous_carried: int
    open: Open | None
    previous_open: Open | None
    open_day: dt.date
    trend: list[Month]
    breakdown: str
    breakdowns: tuple[str, ...]
    sort: str
    groups: list[Group] = field(default_factory=list)
    targets: list[TargetCard] = field(default_factory=list)

    @property
    def sections(self) -> list[Section]:
        return sections(self)

    @property
    def returned(self) -> list[tuple[Text, int, str]]:
        return [(label_of(n), self.totals[n], n) for n in ("ret_counter", "ret_post", "ret_online")]


@dataclass(frozen=True)
class TargetCard:
    """A target of the year beside what the period achieved."""

    code: str
    label: str
    value: float | int | None
    unit: str
    text: str  # "Đạt (vượt 3,2 điểm %)", "Chưa đạt (còn thiếu ...)"
    achieved: bool | None


# What each target indicator of ``motcua.targets`` reads from the period's measures.
TARGET_VALUES: dict[str, Callable[[Measures], float | int | None]] = {
    "online_dossier_rate": lambda m: m.share(m["recv_online"], m["received"]),
    "full_online_rate": lambda m: m.share(m["fully_online"], m["returned"]),
    "online_payment_rate": lambda m: m.share(
        m["paid_online"], m["paid_online"] + m["paid_counter"]
    ),
    "digitisation_rate": lambda m: m.share(m["digitised"], m["components"]),
    # Reuse of digitised data is not recorded yet (no source of reused data): no value.
    "reuse_rate": lambda m: None,
    "e_result_rate": lambda m: m.share(m["e_results"], m["processed"]),
    "on_time_rate": lambda m: m.on_time_rate,
    "post_received": lambda m: m["recv_post"],
    "post_returned": lambda m: m["ret_post"],
}


def dashboard_targets(subject: Subject, period: Period, measures: Measures) -> list[TargetCard]:
    """Return the targets of ``subject`` for the period's year, assessed on ``measures``.

    The targets of ``motcua.targets`` that the period's measures can tell (shares of
    dossiers, counts by post): an agency's own, else its province's; a procedure or a
    commune reads its province's. One query.
    """
    from motcua.targets.selectors import assessment_of, targets_for

    if subject.kind in ("agency", "unit"):
        found = targets_for(year=period.year, agency_id=subject.id)
    elif subject.province_id is not None:
        found = targets_for(year=period.year, province_id=subject.province_id)
    else:
        return []
    cards = []
    for code, target in found.items():
        reader = TARGET_VALUES.get(code)
        if reader is None:
            continue
        value = reader(measures)
        assessed = assessment_of(target, None if value is None else Decimal(str(value)))
        cards.append(
            TargetCard(
                code,
                target.indicator.name,
                value,
                target.indicator.unit_label,
                assessed.text,
                assessed.achieved,
            )
        )
    return cards


def dashboard(
    *,
    subject: Subject,
    period: Period,
    today: dt.date,
    breakdown: str = "",
    sort: str = "-received",
) -> Dashboard:
    """Return the dashboard of ``subject`` over ``period``; a constant number of queries (8).

    ``breakdown``: which groups to list (``scopes.BREAKDOWNS``; the first by
    default, none for a procedure or a commune); ``sort``: a ``GROUP_COLUMNS``
    name, ``-`` first for descending.
    """
    offered = tuple(name for name, _scope in BREAKDOWNS.get(subject.kind, ()))
    if breakdown and breakdown not in offered:
        raise ValidationFailed(BAD_BREAKDOWN, field_errors={"nhom": [BAD_BREAKDOWN]})
    breakdown = breakdown or (offered[0] if offered else "")
    where = subject.where
    names: list[tuple[int, str]] = []
    if breakdown:
        names = groups_of(subject, breakdown)
        scope = group_scope(subject, breakdown)
        keys = [subject.id] if scope == Scope.UNIT_PROCEDURE else [k for k, _n in names]
        now = figures(where=where, period=period, by=scope, keys=keys)
    else:
        now = figures(where=where, period=period)
    previous = period.previous_year()
    before = figures(where=where, period=previous)
    open_day = min(period.end, today)
    opens = _open_both(where, open_day)
    groups = [Group(k, n, now.groups.get(k, Measures())) for k, n in names]
    if breakdown == "procedure":  # of a catalogue's hundreds, those with figures
        groups = [g for g in groups if g.key in now.groups]
    shown = trend_period(period)
    trend = [Month(first, m) for first, m in series(where=where, period=shown, names=TREND_NAMES)]
    return Dashboard(
        subject=subject,
        period=period,
        previous=previous,
        totals=now.totals,
        previous_totals=before.totals,
        carried_over=now.carried_over,
        previous_carried=before.carried_over,
        open=opens[0],
        previous_open=opens[1],
        open_day=open_day,
        trend=trend,
        breakdown=breakdown,
        breakdowns=offered,
        sort=sort,
        groups=_sorted(groups, sort),
        targets=dashboard_targets(subject, period, now.totals),
    )


def _open_both(where: Where, day: dt.date) -> tuple[Open | None, Open | None]:
    """Return the open counts at ``day`` and a year earlier (one query each)."""
    earlier = Period(day, day).previous_year().start
    return open_at(where, day), open_at(where, earlier)


def subject_default(readable: list[int] | None) -> Callable[[], tuple[str, int]]:
    """Return a reader's default subject: the province if province-wide, else their first agency."""

    def default() -> tuple[str, int]:
        if readable is None:
            return home_subject()
        if not readable:
            raise ValidationFailed(BAD_ID)
        # The top of the reader's subtree: the agency they hold their role in.
        parents = dict(Agency.objects.filter(pk__in=readable).values_list("pk", "parent_id"))
        tops = sorted(pk for pk, parent in parents.items() if parent not in parents)
        return "agency", (tops or readable)[0]

    return default


# --- Tables (the charts' data, the downloads) ------------------------------------------------


@dataclass(frozen=True)
class Table:
    title: Text
    header: tuple[Text, ...]
    rows: list[tuple[Any, ...]]


def tables(d: Dashboard) -> dict[str, Table]:
    """Return the dashboard's tables by name: summary, trend, groups, returned."""
    summary = Table(
        _("Figures"),
        (_("Section"), _("Figure"), d.period.label, d.previous.label, _("Change")),
        [
            (s.title, line.label, line.value, line.previous, line.delta)
            for s in d.sections
            for line in s.lines
        ],
    )
    trend = Table(
        _("Received by channel and on-time rate, by month"),
        (
            _("Month"),
            label_of("recv_counter"),
            label_of("recv_online"),
            label_of("recv_post"),
            label_of("received"),
            _("On time (%)"),
        ),
        [
            (
                m.label,
                m.measures["recv_counter"],
                m.measures["recv_online"],
                m.measures["recv_post"],
                m.measures["received"],
                m.measures.on_time_rate,
            )
            for m in d.trend
        ],
    )
    groups = Table(
        BREAKDOWN_LABELS.get(d.breakdown, _("Groups")),
        tuple(label for _name, label in GROUP_COLUMNS),
        [tuple(g.value(name) for name, _label in GROUP_COLUMNS) for g in d.groups],
    )
    returned = Table(
        _("Results returned by way"),
        (_("Way"), _("Results returned")),
        [(label, value) for label, value, _name in d.returned],
    )
    return {"summary": summary, "trend": trend, "groups": groups, "returned": returned}


def chart_data(d: Dashboard) -> dict[str, Any]:
    """Return what the charts draw (read by static/statistics/dashboard.js from a JSON block)."""
    return {
        "trend": {
            "labels": [m.label for m in d.trend],
            "series": [
                {"label": str(label_of(n)), "data": [m.measures[n] for m in d.trend]}
                for n in ("recv_counter", "recv_online", "recv_post")
            ],
            "rate": {
                "label": str(_("On time (%)")),
                "data": [m.measures.on_time_rate for m in d.trend],
            },
        },
        "groups": {
            "labels": [g.name for g in d.groups],
            "received": {
                "label": str(LABELS["received"]),
                "data": [g.measures["received"] for g in d.groups],
            },
            "rate": {
                "label": str(_("On time (%)")),
                "data": [g.measures.on_time_rate for g in d.groups],
            },
        },
        "returned": {
            "labels": [str(label) for label, _v, _n in d.returned],
            "data": [value for _label, value, _n in d.returned],
        },
    }


# --- Open data -------------------------------------------------------------------------------

PUBLIC_MEASURES: tuple[str, ...] = tuple(m.name for m in MEASURES)


def agency_rows(period: Period) -> list[Group]:
    """Return the home province's agencies with their figures over ``period``; 4 queries."""
    province = subject_of("province", home_province().pk)
    names = groups_of(province, "agency")
    found = figures(
        where=province.where, period=period, by=Scope.AGENCY, keys=[k for k, _n in names]
    )
    return [Group(k, n, found.groups.get(k, Measures())) for k, n in names]
