"""The indicators of Decision 766/QĐ-TTg (23/6/2022), as the first published set.

Groups and their points are those of the Decision; the points of each
indicator within its group, and the formulas' parameters, are this system's
reading where the text could not be confirmed (docs/indicators.md says
which). A change is a new version (copy, edit, publish), never an edit here.
"""

import datetime as dt

from django.db import migrations

QD766 = "Quyết định 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ"
UNCONFIRMED = "điểm của chỉ số trong nhóm: chưa đối chiếu được với văn bản gốc"

GROUPS = [
    ("CK", "Công khai, minh bạch", 18, [
        ("CK1", "Tỷ lệ thủ tục hành chính công bố đúng hạn", 4, "no_data", {},
         f"{QD766}, nhóm chỉ số công khai, minh bạch; {UNCONFIRMED}"),
        ("CK2", "Tỷ lệ thủ tục hành chính được cập nhật, công khai đúng hạn", 4, "no_data", {},
         f"{QD766}, nhóm chỉ số công khai, minh bạch (4/18 điểm)"),
        ("CK3", "Tỷ lệ thủ tục hành chính công khai đầy đủ các bộ phận tạo thành", 4, "no_data",
         {}, f"{QD766}, nhóm chỉ số công khai, minh bạch; {UNCONFIRMED}"),
        ("CK4", "Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia", 6, "no_data", {},
         f"{QD766}, nhóm chỉ số công khai, minh bạch; {UNCONFIRMED}"),
    ]),
    ("TD", "Tiến độ, kết quả giải quyết", 20, [
        ("TD1", "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn", 20, "ratio", {
            "numerator": "fin_early+fin_on_time+open_within",
            "denominator": "fin_early+fin_on_time+fin_late+open_within+open_past",
        }, f"{QD766}, nhóm chỉ số tiến độ, kết quả giải quyết (tối đa 20 điểm)"),
        ("TD2", "Thời gian giải quyết trung bình", 0, "average_days", {},
         f"{QD766}, nhóm chỉ số tiến độ, kết quả giải quyết; hiển thị, không chấm điểm"),
    ]),
    ("SH", "Số hóa hồ sơ", 22, [
        ("SH1", "Tỷ lệ cấp kết quả giải quyết thủ tục hành chính điện tử", 6, "ratio", {
            "numerator": "e_results", "denominator": "processed",
        }, f"{QD766}, nhóm chỉ số số hóa hồ sơ; {UNCONFIRMED}"),
        ("SH2", "Tỷ lệ số hóa hồ sơ, thành phần hồ sơ", 8, "ratio_full_at", {
            "numerator": "digitised", "denominator": "components", "full_score_at": 80,
        }, f"{QD766}, nhóm chỉ số số hóa hồ sơ; {UNCONFIRMED}"),
        ("SH3", "Tỷ lệ khai thác, sử dụng lại thông tin, dữ liệu số hóa", 8, "ratio_full_at", {
            "numerator": "reused", "denominator": "components", "full_score_at": 80,
        }, f"{QD766}, nhóm chỉ số số hóa hồ sơ; {UNCONFIRMED}"),
    ]),
    ("TT", "Cung cấp dịch vụ trực tuyến", 22, [
        ("TT1", "Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến", 6, "ratio_full_at", {
            "numerator": "procedures_full+procedures_partial",
            "denominator": "procedures",
            "full_score_at": 80,
        }, f"{QD766}, nhóm chỉ số cung cấp dịch vụ trực tuyến; {UNCONFIRMED}"),
        ("TT2", "Tỷ lệ hồ sơ trực tuyến", 8, "ratio_full_at", {
            "numerator": "recv_online", "denominator": "received", "full_score_at": 50,
        }, f"{QD766}, nhóm chỉ số cung cấp dịch vụ trực tuyến; {UNCONFIRMED}"),
        ("TT3", "Tỷ lệ hồ sơ thanh toán trực tuyến", 8, "ratio", {
            "numerator": "paid_online", "denominator": "paid_online+paid_counter",
        }, f"{QD766}, nhóm chỉ số cung cấp dịch vụ trực tuyến; {UNCONFIRMED}"),
    ]),
    ("HL", "Mức độ hài lòng", 18, [
        ("HL1", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết thủ tục hành chính", 6,
         "satisfaction", {"weights": {"5": 1, "4": 1}},
         f"{QD766}, nhóm chỉ số mức độ hài lòng (tối đa 6/18 điểm)"),
        ("HL2", "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn", 6, "petitions", {},
         f"{QD766}, nhóm chỉ số mức độ hài lòng; {UNCONFIRMED}"),
        ("HL3", "Mức độ hài lòng về xử lý phản ánh, kiến nghị", 6, "petitions", {},
         f"{QD766}, nhóm chỉ số mức độ hài lòng; {UNCONFIRMED}"),
    ]),
]  # fmt: skip


def seed(apps, schema_editor):
    IndicatorSet = apps.get_model("indicators", "IndicatorSet")
    IndicatorGroup = apps.get_model("indicators", "IndicatorGroup")
    Indicator = apps.get_model("indicators", "Indicator")
    if IndicatorSet.objects.filter(code="766-2022").exists():
        return
    indicator_set = IndicatorSet.objects.create(
        code="766-2022",
        name=(
            "Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh "
            "nghiệp trong thực hiện thủ tục hành chính, dịch vụ công theo thời gian thực trên "
            "môi trường điện tử"
        ),
        legal_source=QD766,
        valid_from=dt.date(2022, 6, 23),
        published=True,
    )
    for g_order, (code, name, points, indicators) in enumerate(GROUPS, start=1):
        group = IndicatorGroup.objects.create(
            indicator_set=indicator_set, code=code, name=name, max_points=points, order=g_order
        )
        for order, (i_code, i_name, i_points, formula, params, source) in enumerate(
            indicators, start=1
        ):
            Indicator.objects.create(
                group=group,
                code=i_code,
                name=i_name,
                max_points=i_points,
                formula=formula,
                params=params,
                legal_source=source,
                order=order,
            )


def unseed(apps, schema_editor):
    apps.get_model("indicators", "IndicatorSet").objects.filter(code="766-2022").delete()


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
