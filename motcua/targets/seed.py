"""The indicators a province sets targets for, seeded by a migration and kept as data.

Shares of dossiers follow the indicators of Decision 766/QĐ-TTg (2022) and
the provinces' digital-government plans; the postal counts and the densities
are the figures departments report each year.
A sector metric adds its own indicator (same code) when it is created.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class IndicatorData(NamedTuple):
    code: str
    name: str  # Vietnamese, as the province writes it
    name_en: str
    unit: str  # IndicatorUnit
    unit_label: str
    source: str
    direction: str = "at_least"


QD766 = "Quyết định 766/QĐ-TTg (2022), Bộ chỉ số phục vụ người dân, doanh nghiệp"
POST = "Quyết định 45/2016/QĐ-TTg: hồ sơ tiếp nhận, trả kết quả qua dịch vụ bưu chính công ích"
SECTOR = "Báo cáo ngành thông tin và truyền thông của tỉnh (chỉ tiêu hằng năm)"
NTM = "Tiêu chí số 8 (Thông tin và Truyền thông), Bộ tiêu chí quốc gia về xã nông thôn mới"

INDICATORS: tuple[IndicatorData, ...] = (
    IndicatorData(
        "online_dossier_rate",
        "Tỷ lệ hồ sơ TTHC nộp trực tuyến",
        "Share of dossiers submitted online",
        "percent",
        "%",
        QD766,
    ),
    IndicatorData(
        "full_online_rate",
        "Tỷ lệ hồ sơ TTHC được xử lý trực tuyến toàn trình",
        "Share of dossiers processed fully online",
        "percent",
        "%",
        QD766,
    ),
    IndicatorData(
        "online_payment_rate",
        "Tỷ lệ hồ sơ có phí, lệ phí được thanh toán trực tuyến",
        "Share of fee-bearing dossiers paid online",
        "percent",
        "%",
        QD766,
    ),
    IndicatorData(
        "digitisation_rate",
        "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC",
        "Share of dossiers and results digitised",
        "percent",
        "%",
        QD766,
    ),
    IndicatorData(
        "reuse_rate",
        "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa",
        "Share of digitised data reused",
        "percent",
        "%",
        QD766,
    ),
    IndicatorData(
        "e_result_rate",
        "Tỷ lệ cấp kết quả giải quyết TTHC điện tử",
        "Share of dossiers with an electronic result",
        "percent",
        "%",
        QD766,
    ),
    IndicatorData(
        "on_time_rate",
        "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "Share of dossiers settled on time",
        "percent",
        "%",
        QD766,
    ),
    IndicatorData(
        "procedures_full_online_share",
        "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến toàn trình",
        "Share of procedures offered fully online",
        "percent",
        "%",
        QD766,
    ),
    IndicatorData(
        "post_received",
        "Số hồ sơ tiếp nhận qua dịch vụ bưu chính công ích",
        "Dossiers received through the public postal service",
        "number",
        "hồ sơ",
        POST,
    ),
    IndicatorData(
        "post_returned",
        "Số hồ sơ trả kết quả qua dịch vụ bưu chính công ích",
        "Results returned through the public postal service",
        "number",
        "hồ sơ",
        POST,
    ),
    IndicatorData(
        "telephone_density",
        "Mật độ điện thoại",
        "Telephone subscribers per 100 inhabitants",
        "per100",
        "máy/100 dân",
        SECTOR,
    ),
    IndicatorData(
        "internet_density",
        "Mật độ thuê bao internet",
        "Internet subscribers per 100 inhabitants",
        "per100",
        "thuê bao/100 dân",
        SECTOR,
    ),
    IndicatorData(
        "communes_ict_criterion",
        "Số xã đạt tiêu chí số 8 về thông tin và truyền thông",
        "Communes meeting the rural ICT criterion (no. 8)",
        "number",
        "xã",
        NTM,
    ),
)


def indicators_seed(model: Any) -> None:
    """Create the indicators missing from ``model``'s table (the migration's, or the current).

    Rows an administrator changed or added are kept as they are.
    """
    for order, row in enumerate(INDICATORS, start=1):
        model.objects.get_or_create(
            code=row.code,
            defaults={
                "name": row.name,
                "name_en": row.name_en,
                "unit": row.unit,
                "unit_label": row.unit_label,
                "direction": row.direction,
                "source": row.source,
                "order": order * 10,
            },
        )
