"""The criteria an applicant rates a dossier on: data, seeded by a migration, edited in the admin.

Source (kept with each row, dated): the nine indicators of the evaluation of
the handling of an administrative procedure (Decree 61/2018/NĐ-CP, Article
31, as amended by Decree 107/2021/NĐ-CP; the evaluation form of Circular
01/2018/TT-VPCP), 2 points each, whose 18 points are the satisfaction group
of the service index of Decision 766/QĐ-TTg (2022); and, before them, the
overall satisfaction that the satisfaction index of public administrative
services (SIPAS, Ministry of Home Affairs) asks first. Every criterion is
rated on the same five levels, from "rất hài lòng" to "rất không hài lòng".
A province adds, reorders or retires criteria in the admin; a retired
criterion keeps its answers and tallies.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class CriterionData(NamedTuple):
    code: str
    name: str  # Vietnamese, as the province reports it
    name_en: str
    source: str


DECREE_61 = "Nghị định 61/2018/NĐ-CP, Điều 31 (sửa đổi bởi Nghị định 107/2021/NĐ-CP); QĐ 766/QĐ-TTg"
SIPAS = "Chỉ số SIPAS (Bộ Nội vụ): mức độ hài lòng chung"

CRITERIA: tuple[CriterionData, ...] = (
    CriterionData("overall", "Mức độ hài lòng chung", "Overall satisfaction", SIPAS),
    CriterionData(
        "total_time",
        "Tổng thời gian giải quyết so với thời hạn quy định",
        "Total time taken against the legal time limit",
        DECREE_61,
    ),
    CriterionData(
        "agency_time",
        "Thời gian thực hiện của từng cơ quan tham gia giải quyết",
        "Time taken by each agency involved",
        DECREE_61,
    ),
    CriterionData(
        "contacts",
        "Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ (kể cả trực tuyến)",
        "Number of contacts with the receiving unit to complete the dossier (online included)",
        DECREE_61,
    ),
    CriterionData(
        "agencies_contacted",
        "Số cơ quan, đơn vị phải liên hệ để hoàn thiện hồ sơ (kể cả trực tuyến)",
        "Number of agencies to contact to complete the dossier (online included)",
        DECREE_61,
    ),
    CriterionData(
        "one_stop",
        "Tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa",
        "Intake, handling and return of the result at the one-stop unit",
        DECREE_61,
    ),
    CriterionData(
        "publicity", "Công khai thủ tục hành chính", "Publicity of the procedure", DECREE_61
    ),
    CriterionData(
        "staff_attitude",
        "Thái độ của cán bộ, công chức khi hướng dẫn, tiếp nhận và giải quyết hồ sơ",
        "Attitude of the staff who guided, received and handled the dossier",
        DECREE_61,
    ),
    CriterionData(
        "feedback",
        "Tiếp thu, giải trình ý kiến phản ánh, kiến nghị",
        "Handling of feedback and petitions",
        DECREE_61,
    ),
    CriterionData(
        "online_service",
        "Tiến độ và chất lượng dịch vụ công trực tuyến",
        "Progress and quality of the online public service",
        DECREE_61,
    ),
)


def criteria_seed(model: Any) -> None:
    """Create the criteria missing from ``model``'s table (the migration's, or the current).

    Rows an administrator changed or added are kept as they are.
    """
    for order, row in enumerate(CRITERIA, start=1):
        model.objects.get_or_create(
            code=row.code,
            defaults={
                "name": row.name,
                "name_en": row.name_en,
                "source": row.source,
                "order": order,
            },
        )
