"""The common abbreviations the catalogue search understands; administrators add more."""

from django.db import migrations

from motcua.core.text import fold

ABBREVIATIONS = (
    ("LLTP", "lý lịch tư pháp"),
    ("GPXD", "giấy phép xây dựng"),
    ("CCCD", "căn cước công dân"),
    ("CMND", "chứng minh nhân dân"),
    ("ĐKKD", "đăng ký kinh doanh"),
    ("HKD", "hộ kinh doanh"),
    ("DNTN", "doanh nghiệp tư nhân"),
    ("TNHH", "trách nhiệm hữu hạn"),
    ("GPLĐ", "giấy phép lao động"),
    ("ATTP", "an toàn thực phẩm"),
    ("QSDĐ", "quyền sử dụng đất"),
    ("CCHN", "chứng chỉ hành nghề"),
    ("GPMT", "giấy phép môi trường"),
    ("THPT", "trung học phổ thông"),
    ("TCXH", "trợ cấp xã hội"),
    ("UBND", "ủy ban nhân dân"),
    ("TTHC", "thủ tục hành chính"),
    ("GCN", "giấy chứng nhận"),
    ("XNTTHN", "xác nhận tình trạng hôn nhân"),
)


def forwards(apps, schema_editor):
    model = apps.get_model("catalog", "SearchAbbreviation")
    for abbreviation, expansion in ABBREVIATIONS:
        model.objects.get_or_create(
            key=fold(abbreviation),
            defaults={"abbreviation": abbreviation, "expansion": expansion},
        )


def backwards(apps, schema_editor):
    model = apps.get_model("catalog", "SearchAbbreviation")
    model.objects.filter(key__in=[fold(a) for a, _e in ABBREVIATIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_version_steps_applicants_and_abbreviations")]

    operations = [migrations.RunPython(forwards, backwards)]
