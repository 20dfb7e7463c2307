"""Where the annual review's numbers come from: a registry of named figure providers.

A provider takes what the review is about (``ReviewInput``: the year and
the province) and returns ``Figure``s: a code the templates name
(``f.<code>``), a label, the value of the year and of the previous year, its
unit, the indicator it comes from (``source_indicator``) with how that is
computed, a link to the indicator's page or the dossiers behind it, and,
when the year has a target, the assessment against it.

Providers run in the order registered; a later code replaces an earlier one.
``statistics`` reads the rollups (``motcua.statistics.selectors.figures``),
``catalogue`` the catalogue's history (procedures by online level as of
the end of the year), ``sector`` the sector's figures (``motcua.sector``);
every figure is assessed against the year's target of its code
(``motcua.targets``); ``targets`` lists the year's targets with what was achieved (made by
``figures_of`` from the others' figures). Adding a provider: write
a function taking a ``ReviewInput`` and decorate it with ``@provider(name)``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone, translation

from motcua.catalog.history import SCHEME_LEGACY, Tally, online_provision
from motcua.statistics import periods
from motcua.statistics.scopes import Subject
from motcua.statistics.selectors import Figures, Measures, figures

if TYPE_CHECKING:
    from motcua.targets.models import Target

Number = int | float


@dataclass(frozen=True)
class Figure:
    """One number of the review, with where it comes from."""

    code: str
    label: str
    value: Number | None
    unit: str
    previous_value: Number | None
    source_indicator: str
    target_assessment: str | None = None
    how: str = ""  # how the indicator is computed, in Vietnamese (the annex prints it)
    url: str = ""  # the indicator's page, or the list of the dossiers behind the number


@dataclass(frozen=True)
class ReviewInput:
    """What a review is about: a year and a province (with the provinces merged into it)."""

    year: int
    province: Subject

    @property
    def period(self) -> periods.Period:
        return periods.year(self.year)


@dataclass
class FigureSet:
    """The figures of a review by code, and the names of the providers that gave each list."""

    by_code: dict[str, Figure] = field(default_factory=dict)
    by_provider: dict[str, list[Figure]] = field(default_factory=dict)


Provider = Callable[[ReviewInput], list[Figure]]
PROVIDERS: dict[str, Provider] = {}


def provider(name: str) -> Callable[[Provider], Provider]:
    """Register ``name``'s provider (a function of a ``ReviewInput``)."""

    def register(function: Provider) -> Provider:
        PROVIDERS[name] = function
        return function

    return register


def target_assessment(code: str, year: int, value: Number | None, province_id: int) -> str | None:
    """Return how ``value`` stands against the year's target for ``code``; None without one.

    The text of ``motcua.targets`` (``assess``): "Đạt (vượt 3,2 điểm %)", "Chưa đạt (còn
    thiếu 1.250 thuê bao)", "Chưa có số liệu" when there is no value.
    """
    from motcua.targets.selectors import assess

    number = None if value is None else Decimal(str(value))
    found = assess(code=code, year=year, value=number, province_id=province_id)
    return found.text if found is not None else None


# The review's codes of the figures the province sets yearly targets for, and the targets'
# codes (``motcua.targets``); the post's counts and the sector's figures share their codes.
TARGET_CODES: dict[str, str] = {
    "online_share": "online_dossier_rate",
    "fully_online_share": "full_online_rate",
    "paid_online_share": "online_payment_rate",
    "digitised_share": "digitisation_rate",
    "reused_share": "reuse_rate",
    "e_results_share": "e_result_rate",
    "on_time_share": "on_time_rate",
    "procedures_online_share": "procedures_full_online_share",
}


def figures_of(review: ReviewInput) -> FigureSet:
    """Run every provider for ``review``; assess each figure against its target, if any.

    The ``targets`` list is made here, from the others: one figure per target
    of the year, with the value achieved (none when nothing measures it yet).
    """
    with translation.override("vi"):  # the review is written in Vietnamese
        return _figures_of(review)


def _figures_of(review: ReviewInput) -> FigureSet:
    from motcua.targets.selectors import assessment_of, targets_for

    targets = targets_for(year=review.year, province_id=review.province.id)  # one read
    out = FigureSet()
    achieved: dict[str, Figure] = {}
    for name, function in PROVIDERS.items():
        rows = []
        for figure in function(review):
            code = TARGET_CODES.get(figure.code, figure.code)
            target = targets.get(code)
            if figure.target_assessment is None and target is not None:
                value = None if figure.value is None else Decimal(str(figure.value))
                assessed = assessment_of(target, value).text
                figure = dataclasses.replace(figure, target_assessment=assessed)
            if target is not None:
                achieved[code] = figure
            rows.append(figure)
            out.by_code[figure.code] = figure
        out.by_provider[name] = rows
    out.by_provider["targets"] = [
        _target_figure(target, achieved.get(code)) for code, target in targets.items()
    ]
    return out


def _target_figure(target: Target, figure: Figure | None) -> Figure:
    """Return the figure of ``target``: its indicator, the value achieved and the assessment."""
    from motcua.targets.selectors import assessment_of

    indicator = target.indicator
    value = figure.value if figure is not None else None
    number = None if value is None else Decimal(str(value))
    return Figure(
        code=f"target_{indicator.code}",
        label=indicator.name,
        value=value,
        unit=figure.unit if figure is not None else indicator.unit_label,
        previous_value=figure.previous_value if figure is not None else None,
        source_indicator=f"targets.{indicator.code}",
        target_assessment=assessment_of(target, number).text,
        how=figure.how if figure is not None else "Chưa có số liệu đo chỉ tiêu này",
        url=figure.url if figure is not None else "",
    )


# Where a number is explained: the statistics dashboard of the province's year, or the list
# of the dossiers a measure counts (the statistics pages under /can-bo/thong-ke/).
def dashboard_url(review: ReviewInput) -> str:
    query = {"doi-tuong": "province", "id": review.province.id, "ky": "year", "nam": review.year}
    return f"/can-bo/thong-ke/?{urlencode(query)}"


def catalogue_url(as_of: dt.date) -> str:
    """The staff page of the procedures offered online as of a date (catalog.history)."""
    return (
        f"{reverse('catalog_statistics:online-provision')}?{urlencode({'ngay': as_of.isoformat()})}"
    )


def facts_url(review: ReviewInput, measure: str) -> str:
    period = review.period
    query = {
        "doi-tuong": "province",
        "id": review.province.id,
        "chi-so": measure,
        "tu": period.start.isoformat(),
        "den": period.end.isoformat(),
    }
    return f"/can-bo/thong-ke/ho-so/?{urlencode(query)}"


@dataclass(frozen=True)
class _Stat:
    """A statistics figure: its code, label, unit, indicator, how, and its value from figures."""

    code: str
    label: str
    unit: str
    indicator: str
    how: str
    value: Callable[[Figures], Number | None]
    measure: str = ""  # a plain measure: link to the dossiers it counts


def _m(name: str) -> Callable[[Figures], Number | None]:
    return lambda f: f.totals[name]


def _sum(*names: str) -> Callable[[Figures], Number | None]:
    return lambda f: sum(f.totals[n] for n in names)


def _share(parts: tuple[str, ...], whole: tuple[str, ...]) -> Callable[[Figures], Number | None]:
    return lambda f: Measures.share(
        sum(f.totals[n] for n in parts), sum(f.totals[n] for n in whole)
    )


_HS = "hồ sơ"
STATISTICS: tuple[_Stat, ...] = (
    _Stat("received", "Hồ sơ tiếp nhận mới", _HS, "received",
          "Số hồ sơ tiếp nhận trong năm (theo ngày tiếp nhận)", _m("received"), "received"),
    _Stat("carried_over", "Hồ sơ từ năm trước chuyển sang", _HS, "carried_over",
          "Hồ sơ tiếp nhận trước ngày 01/01 trừ hồ sơ đã kết thúc xử lý trước ngày đó",
          lambda f: f.carried_over),
    _Stat("recv_counter", "Hồ sơ tiếp nhận trực tiếp", _HS, "recv_counter",
          "Hồ sơ tiếp nhận trong năm qua kênh trực tiếp (kênh 1)", _m("recv_counter"),
          "recv_counter"),
    _Stat("recv_online", "Hồ sơ tiếp nhận trực tuyến", _HS, "recv_online",
          "Hồ sơ tiếp nhận trong năm qua kênh trực tuyến (kênh 2)", _m("recv_online"),
          "recv_online"),
    _Stat("post_received", "Hồ sơ tiếp nhận qua dịch vụ bưu chính công ích", _HS, "recv_post",
          "Hồ sơ tiếp nhận trong năm qua kênh bưu chính công ích (kênh 3)", _m("recv_post"),
          "recv_post"),
    _Stat("online_share", "Tỷ lệ hồ sơ tiếp nhận trực tuyến", "%", "online_rate",
          "recv_online / received × 100", _share(("recv_online",), ("received",))),
    _Stat("finished", "Hồ sơ đã giải quyết xong", _HS, "finished",
          "Hồ sơ kết thúc xử lý trong năm (giải quyết, từ chối, dừng, rút)", _m("finished"),
          "finished"),
    _Stat("fin_early", "Hồ sơ giải quyết trước hạn", _HS, "fin_early",
          "Hồ sơ kết thúc xử lý trong năm trước hạn", _m("fin_early"), "fin_early"),
    _Stat("fin_on_time", "Hồ sơ giải quyết đúng hạn", _HS, "fin_on_time",
          "Hồ sơ kết thúc xử lý trong năm đúng hạn", _m("fin_on_time"), "fin_on_time"),
    _Stat("fin_late", "Hồ sơ giải quyết quá hạn", _HS, "fin_late",
          "Hồ sơ kết thúc xử lý trong năm quá hạn (kể cả quá hạn sau gia hạn)", _m("fin_late"),
          "fin_late"),
    _Stat("on_time_share", "Tỷ lệ hồ sơ giải quyết đúng hạn", "%", "on_time_rate",
          "(fin_early + fin_on_time) / (fin_early + fin_on_time + fin_late) × 100",
          lambda f: f.totals.on_time_rate),
    _Stat("average_days", "Thời gian giải quyết trung bình", "ngày", "average_days",
          "proc_seconds / proc_count / 86.400 (ngày lịch, từ tiếp nhận đến kết thúc xử lý)",
          lambda f: f.totals.average_days),
    _Stat("median_days", "Thời gian giải quyết trung vị", "ngày", "median_days",
          "Trung vị của phân bố dur_00…dur_23 (nội suy trong khoảng)",
          lambda f: f.totals.median_days),
    _Stat("returned", "Kết quả đã trả", _HS, "returned",
          "Hồ sơ được trả kết quả trong năm", _m("returned"), "returned"),
    _Stat("ret_counter", "Kết quả trả trực tiếp", _HS, "ret_counter",
          "Hồ sơ được trả kết quả tại bộ phận một cửa trong năm", _m("ret_counter"),
          "ret_counter"),
    _Stat("ret_online", "Kết quả trả trực tuyến", _HS, "ret_online",
          "Hồ sơ được trả kết quả trực tuyến trong năm", _m("ret_online"), "ret_online"),
    _Stat("post_returned", "Hồ sơ trả kết quả qua dịch vụ bưu chính công ích", _HS, "ret_post",
          "Hồ sơ được trả kết quả qua bưu chính công ích trong năm", _m("ret_post"), "ret_post"),
    _Stat("fully_online", "Hồ sơ xử lý toàn trình trực tuyến", _HS, "fully_online",
          "Hồ sơ trả kết quả trong năm, nộp trực tuyến, nộp phí trực tuyến hoặc miễn phí, "
          "nhận kết quả trực tuyến hoặc qua bưu chính", _m("fully_online"), "fully_online"),
    _Stat("fully_online_share", "Tỷ lệ hồ sơ xử lý toàn trình trực tuyến", "%",
          "fully_online_rate", "fully_online / returned × 100",
          _share(("fully_online",), ("returned",))),
    _Stat("paid_online", "Hồ sơ thanh toán phí, lệ phí trực tuyến", _HS, "paid_online",
          "Hồ sơ nộp phí, lệ phí trực tuyến trong năm", _m("paid_online"), "paid_online"),
    _Stat("paid_counter", "Hồ sơ nộp phí, lệ phí trực tiếp", _HS, "paid_counter",
          "Hồ sơ nộp phí, lệ phí tại bộ phận một cửa trong năm", _m("paid_counter"),
          "paid_counter"),
    _Stat("paid_online_share", "Tỷ lệ hồ sơ thanh toán trực tuyến", "%", "paid_online_rate",
          "paid_online / (paid_online + paid_counter) × 100",
          _share(("paid_online",), ("paid_online", "paid_counter"))),
    _Stat("e_results", "Kết quả giải quyết điện tử", _HS, "e_results",
          "Kết quả điện tử (ký số) cấp trong năm", _m("e_results"), "e_results"),
    _Stat("e_results_share", "Tỷ lệ hồ sơ có kết quả điện tử", "%", "e_result_rate",
          "e_results / processed × 100", _share(("e_results",), ("processed",))),
    _Stat("digitised_share", "Tỷ lệ thành phần hồ sơ được số hóa", "%", "digitised_rate",
          "digitised / components × 100", _share(("digitised",), ("components",))),
    _Stat("reused_share", "Tỷ lệ khai thác, sử dụng lại dữ liệu số hóa", "%", "reused_rate",
          "Chưa ghi nhận: hệ thống chưa có nguồn dữ liệu số hóa được tái sử dụng",
          lambda f: None),
    _Stat("rated", "Lượt đánh giá", "lượt", "rated",
          "Lượt đánh giá mức độ hài lòng trong năm", _m("rated"), "rated"),
    _Stat("satisfied", "Lượt đánh giá hài lòng, rất hài lòng", "lượt", "rate_4+rate_5",
          "rate_4 + rate_5", _sum("rate_4", "rate_5")),
    _Stat("dissatisfied", "Lượt đánh giá không hài lòng", "lượt", "rate_1+rate_2",
          "rate_1 + rate_2", _sum("rate_1", "rate_2")),
    _Stat("satisfied_share", "Tỷ lệ hài lòng", "%", "satisfaction_rate",
          "(rate_4 + rate_5) / rated × 100", _share(("rate_4", "rate_5"), ("rated",))),
)  # fmt: skip


@provider("statistics")
def statistics_figures(review: ReviewInput) -> list[Figure]:
    """The year's and the previous year's figures of the province, from the rollups; 4 queries."""
    where = review.province.where
    now = figures(where=where, period=review.period)
    before = figures(where=where, period=review.period.previous_year())
    dashboard = dashboard_url(review)
    return [
        Figure(
            code=s.code,
            label=s.label,
            value=s.value(now),
            unit=s.unit,
            previous_value=s.value(before),
            source_indicator=f"statistics.{s.indicator}",
            how=s.how,
            url=facts_url(review, s.measure) if s.measure else dashboard,
        )
        for s in STATISTICS
    ]


def _as_of(year: int) -> dt.date:
    """The day a year's catalogue is counted on: its last day, or today for this year."""
    return min(dt.date(year, 12, 31), timezone.localdate())


def _tally_rows(tally: Tally, legacy: bool) -> list[tuple[str, str, Number | None, str, str]]:
    """Return (code, label, value, unit, how) of a tally in the scheme in force."""
    how = "Thủ tục đang công bố vào ngày tính, theo lịch sử danh mục (catalog.history)"
    rows: list[tuple[str, str, Number | None, str, str]] = [
        ("procedures_total", "Thủ tục hành chính đang công bố", tally.published, "thủ tục", how),
    ]
    if legacy:
        rows += [
            ("procedures_online", "Thủ tục cung cấp trực tuyến mức độ 3, 4", tally.level_3_4,
             "thủ tục", f"{how}: mức độ 3 + mức độ 4 (Nghị định 43/2011)"),
            ("procedures_level3", "Thủ tục trực tuyến mức độ 3", tally.level_3, "thủ tục", how),
            ("procedures_level4", "Thủ tục trực tuyến mức độ 4", tally.level_4, "thủ tục", how),
            ("procedures_online_share", "Tỷ lệ thủ tục cung cấp trực tuyến mức độ 3, 4",
             _number(tally.share_level_3_4), "%",
             "(mức độ 3 + mức độ 4) / thủ tục đang công bố × 100"),
        ]  # fmt: skip
    else:
        rows += [
            ("procedures_online", "Thủ tục cung cấp trực tuyến", tally.online, "thủ tục",
             f"{how}: toàn trình + một phần (Nghị định 42/2022)"),
            ("procedures_full", "Thủ tục trực tuyến toàn trình", tally.full, "thủ tục", how),
            ("procedures_partial", "Thủ tục trực tuyến một phần", tally.partial, "thủ tục", how),
            ("procedures_none", "Thủ tục chưa cung cấp trực tuyến",
             tally.published - tally.online, "thủ tục", how),
            ("procedures_online_share", "Tỷ lệ thủ tục cung cấp trực tuyến",
             _number(tally.share_online), "%",
             "(toàn trình + một phần) / thủ tục đang công bố × 100"),
        ]  # fmt: skip
    return rows


def _number(value: Decimal | None) -> Number | None:
    return None if value is None else float(value)


@provider("catalogue")
def catalogue_figures(review: ReviewInput) -> list[Figure]:
    """The procedures published at the end of the year and of the previous year, by online level.

    From the catalogue's history (``catalog.history.online_provision``): the levels of Decree
    42/2022 (toàn trình, một phần) from the switch, levels 3 and 4 before it; the province's
    agencies and its communes' (a former province merged into it included). 4 queries.
    """
    now_day, before_day = _as_of(review.year), _as_of(review.year - 1)
    now = online_provision(as_of=now_day, province_id=review.province.id)
    before = online_provision(as_of=before_day, province_id=review.province.id)
    legacy = now.scheme == SCHEME_LEGACY
    previous = {code: value for code, _l, value, _u, _h in _tally_rows(before.total, legacy)}
    return [
        Figure(
            code,
            label,
            value,
            unit,
            previous.get(code),
            f"catalog.{code}",
            how=f"{how_}; tính vào ngày {now_day:%d/%m/%Y}",
            url=catalogue_url(now_day),
        )
        for code, label, value, unit, how_ in _tally_rows(now.total, legacy)
    ]


@provider("sector")
def sector_figures(review: ReviewInput) -> list[Figure]:
    """The sector's figures of the year (subscribers, densities, BTS, fibre, postal points, ...).

    From ``motcua.sector`` (``selectors.sector_figures``: the province's own figures, or the
    sum of its communes'; densities computed), each with the year before and, where the
    province set one, the assessment against the year's target of the same code.
    """
    from motcua.sector.selectors import sector_figures as sector_grid

    def number(value: Decimal | None) -> Number | None:
        if value is None:
            return None
        return int(value) if value == value.to_integral_value() else float(value)

    out = []
    for row in sector_grid(year=review.year, unit_id=review.province.id):
        if row.value is None:
            continue
        how = {
            "communes": "tổng số liệu của các xã",
            "computed": "tính từ các số liệu khác (mật độ: trên 100 dân)",
        }.get(row.origin, "số liệu Sở nhập")
        out.append(
            Figure(
                code=row.code,
                label=row.metric.name,
                value=number(row.value),
                unit=row.metric.unit_label,
                previous_value=number(row.previous),
                source_indicator=f"sector.{row.code}",
                target_assessment=row.assessment.text if row.assessment is not None else None,
                how=how,
            )
        )
    return out


@provider("targets")
def target_figures(review: ReviewInput) -> list[Figure]:
    """The year's targets of the province: made by ``figures_of`` from the other figures."""
    return []
