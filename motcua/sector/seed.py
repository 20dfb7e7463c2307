"""The sector metrics a department of information and communications reports, seeded as data.

From the year-end reports of provincial departments (telephone and internet
subscribers and their densities per 100 inhabitants, BTS stations, fibre
reach, postal points, communes meeting criterion no. 8 of the new rural
programme). The department adds its own metrics in the admin or on the
staff page; each metric gets a target indicator of the same code.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class MetricData(NamedTuple):
    code: str
    name: str
    name_en: str
    unit_label: str
    kind: str
    numerator: str = ""
    denominator: str = ""
    source: str = ""


REPORT = "Báo cáo tổng kết năm của Sở (lĩnh vực bưu chính, viễn thông)"
NTM = "Tiêu chí số 8 (Thông tin và Truyền thông), Bộ tiêu chí quốc gia về xã nông thôn mới"

METRICS: tuple[MetricData, ...] = (
    MetricData("population", "Dân số", "Population", "người", "count", source="Cục Thống kê"),
    MetricData(
        "telephone_subscribers",
        "Thuê bao điện thoại",
        "Telephone subscribers",
        "thuê bao",
        "count",
        source=REPORT,
    ),
    MetricData(
        "mobile_subscribers",
        "Thuê bao di động",
        "Mobile subscribers",
        "thuê bao",
        "count",
        source=REPORT,
    ),
    MetricData(
        "fixed_subscribers",
        "Thuê bao điện thoại cố định",
        "Fixed telephone subscribers",
        "thuê bao",
        "count",
        source=REPORT,
    ),
    MetricData(
        "internet_subscribers",
        "Thuê bao internet",
        "Internet subscribers",
        "thuê bao",
        "count",
        source=REPORT,
    ),
    MetricData(
        "fibre_subscribers",
        "Thuê bao băng rộng cố định (cáp quang)",
        "Fixed broadband (fibre) subscribers",
        "thuê bao",
        "count",
        source=REPORT,
    ),
    MetricData("bts_stations", "Trạm BTS", "BTS stations", "trạm", "count", source=REPORT),
    MetricData(
        "postal_points",
        "Điểm phục vụ bưu chính",
        "Postal service points",
        "điểm",
        "count",
        source=REPORT,
    ),
    MetricData(
        "communes_postal_point",
        "Số xã có điểm phục vụ bưu chính",
        "Communes with a postal service point",
        "xã",
        "count",
        source=REPORT,
    ),
    MetricData(
        "communes_fibre",
        "Số xã có cáp quang",
        "Communes reached by fibre",
        "xã",
        "count",
        source=REPORT,
    ),
    MetricData("communes_total", "Tổng số xã", "Communes in all", "xã", "count", source=REPORT),
    MetricData(
        "fibre_commune_rate",
        "Cáp quang đến % số xã",
        "Share of communes reached by fibre",
        "%",
        "percent",
        numerator="communes_fibre",
        denominator="communes_total",
        source=REPORT,
    ),
    MetricData(
        "communes_ict_criterion",
        "Số xã đạt tiêu chí số 8 về TT&TT",
        "Communes meeting the rural ICT criterion (no. 8)",
        "xã",
        "count",
        source=NTM,
    ),
    MetricData(
        "telephone_density",
        "Mật độ điện thoại",
        "Telephone subscribers per 100 inhabitants",
        "máy/100 dân",
        "density",
        numerator="telephone_subscribers",
        source=REPORT,
    ),
    MetricData(
        "internet_density",
        "Mật độ thuê bao internet",
        "Internet subscribers per 100 inhabitants",
        "thuê bao/100 dân",
        "density",
        numerator="internet_subscribers",
        source=REPORT,
    ),
)

# A metric's kind -> the unit of its target indicator.
INDICATOR_UNIT = {"count": "number", "percent": "percent", "density": "per100"}


def metrics_seed(metric_model: Any, indicator_model: Any) -> None:
    """Create the metrics missing from ``metric_model``'s table, and their target indicators.

    Rows the department changed or added are kept as they are.
    """
    made: dict[str, Any] = {}
    for order, row in enumerate(METRICS, start=1):
        metric, _created = metric_model.objects.get_or_create(
            code=row.code,
            defaults={
                "name": row.name,
                "name_en": row.name_en,
                "unit_label": row.unit_label,
                "kind": row.kind,
                "numerator": made.get(row.numerator),
                "denominator": made.get(row.denominator),
                "order": order * 10,
                "source": row.source,
            },
        )
        made[row.code] = metric
        indicator_model.objects.get_or_create(
            code=row.code,
            defaults={
                "name": row.name,
                "name_en": row.name_en,
                "unit": INDICATOR_UNIT[row.kind],
                "unit_label": row.unit_label,
                "source": row.source,
                "order": 500 + order * 10,
            },
        )
