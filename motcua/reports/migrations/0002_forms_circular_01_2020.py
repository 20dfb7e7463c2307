"""Seed the forms of Circular 01/2020/TT-VPCP on settling procedures (see docs/reports.md)."""

import datetime as dt

from django.db import migrations

CIRCULAR = "Thông tư 01/2020/TT-VPCP"
RECEIVED = "Số hồ sơ nhận giải quyết"
RESULT = "Kết quả giải quyết"
DONE = "Số hồ sơ đã giải quyết"
OPEN = "Số hồ sơ đang giải quyết"
OTHER = "Hồ sơ rút, dừng, chờ bổ sung"
# (code, group, subgroup, header, formula)
COLUMNS = (
    ("nhan_tong", RECEIVED, "", "Tổng số", "carried_over + received"),
    ("nhan_truc_tuyen", RECEIVED, "Trong kỳ", "Trực tuyến", "recv_online"),
    ("nhan_truc_tiep", RECEIVED, "Trong kỳ", "Trực tiếp", "recv_counter"),
    ("nhan_buu_chinh", RECEIVED, "Trong kỳ", "Dịch vụ bưu chính", "recv_post"),
    ("ky_truoc", RECEIVED, "", "Từ kỳ trước", "carried_over"),
    ("xong_tong", RESULT, DONE, "Tổng số", "finished"),
    ("xong_truoc_han", RESULT, DONE, "Trả trước hạn", "fin_early"),
    ("xong_dung_han", RESULT, DONE, "Trả đúng thời hạn", "fin_on_time"),
    ("xong_qua_han", RESULT, DONE, "Trả quá hạn", "fin_late"),
    ("dang_tong", RESULT, OPEN, "Tổng số", "open"),
    ("dang_trong_han", RESULT, OPEN, "Trong hạn", "open_within"),
    ("dang_qua_han", RESULT, OPEN, "Quá hạn", "open_past"),
    ("rut", OTHER, "", "Rút hồ sơ", "withdrawn"),
    ("dung", OTHER, "", "Dừng giải quyết", "stopped"),
    ("cho_bo_sung", OTHER, "", "Đang chờ bổ sung", "paused_supplement"),
)
FORMS = (
    (
        "06a/VPCP/KSTT",
        "Tình hình, kết quả giải quyết thủ tục hành chính tại cơ quan, đơn vị trực tiếp "
        "giải quyết thủ tục hành chính",
        "field",
    ),
    (
        "06b/VPCP/KSTT",
        "Tình hình, kết quả giải quyết thủ tục hành chính (tổng hợp theo cơ quan, đơn vị)",
        "agency",
    ),
)


def seed(apps, schema_editor):
    form_model = apps.get_model("reports", "ReportForm")
    column_model = apps.get_model("reports", "ReportColumn")
    schedule_model = apps.get_model("reports", "ReportSchedule")
    for code, name, grouping in FORMS:
        form, created = form_model.objects.get_or_create(
            code=code,
            valid_from=dt.date(2021, 1, 1),
            defaults={"name": name, "circular": CIRCULAR, "grouping": grouping},
        )
        if not created:
            continue
        column_model.objects.bulk_create(
            column_model(
                form=form,
                order=i,
                code=c,
                group=g,
                subgroup=sg,
                header=h,
                expression=e,
            )
            for i, (c, g, sg, h, e) in enumerate(COLUMNS, start=1)
        )
        # Decree 09/2019/NĐ-CP Art. 12: from the 15th of the month before the period to the 14th
        # of its last month; due by the 20th of the period's last month (docs/reports.md).
        schedule_model.objects.bulk_create(
            schedule_model(
                form=form, kind=kind, cut_off="previous_month", cut_off_day=15, deadline_day=20
            )
            for kind in ("quarter", "half", "year")
        )


def unseed(apps, schema_editor):
    apps.get_model("reports", "ReportForm").objects.filter(
        code__in=[f[0] for f in FORMS], valid_from=dt.date(2021, 1, 1)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_reports_initial")]
    operations = [migrations.RunPython(seed, unseed)]
