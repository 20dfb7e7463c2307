"""Import of figures: per-row rejections with reasons, the rest imported, a re-import unchanged."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from motcua.core.errors import Forbidden
from motcua.sector import services
from motcua.sector.importing import ImportFileError, read_rows, sector_figures_import
from motcua.sector.models import SectorFigure, SectorPeriod
from motcua.territory.models import UnitEra
from motcua.testing import CommuneFactory, ProvinceFactory, StatisticsCast

pytestmark = pytest.mark.django_db

HEADER = "metric_code,year,quarter,month,unit_code,unit_era,value,note\n"


def _csv(cast: StatisticsCast) -> bytes:
    ProvinceFactory(code="49", name="Tỉnh Quảng Nam", era=UnitEra.LEGACY)
    CommuneFactory(parent=cast.province, code="20194")
    return (
        HEADER
        + "population,2019,,,49,legacy,1610710,Cục Thống kê\n"  # 2
        + "telephone_subscribers,2019,,,49,legacy,1.169.375,\n"  # 3
        + "internet_subscribers,2019,,,49,legacy,170000,\n"  # 4
        + "bts_stations,2019,,,49,legacy,2000,hơn 2.000 trạm\n"  # 5
        + 'fibre_commune_rate,2019,,,49,legacy,"97,0",\n'  # 6
        + "wifi_points,2019,,,49,legacy,3,\n"  # 7 unknown metric
        + "bts_stations,2019,,,99,legacy,3,\n"  # 8 unknown unit
        + "bts_stations,2019,,,48,,nhiều,\n"  # 9 bad number
        + "bts_stations,2019,,,49,legacy,2001,\n"  # 10 duplicate of 5
        + "bts_stations,2018,,,48,current,10,\n"  # 11 closed period
        + "telephone_density,2019,,,49,legacy,72.6,\n"  # 12 computed
        + "bts_stations,2019,2,,20194,current,5,\n"  # 13 a commune, a quarter
        + "bts_stations,2019,5,,48,current,5,\n"  # 14 bad quarter
        + "\n"
    ).encode()


def test_import_is_idempotent_with_per_row_rejections(cast: StatisticsCast) -> None:
    services.sector_figure_set(
        metric_code="bts_stations",
        year=2018,
        unit_id=cast.province.pk,
        value=None,
        actor=cast.statistician,
    )
    period = SectorPeriod.objects.get(year=2018)
    services.sector_period_close(period_id=period.pk, actor=cast.statistician)
    data = _csv(cast)
    report = sector_figures_import(rows=read_rows("so-lieu.csv", data), actor=cast.statistician)
    rejected = {r.line: r.reason for r in report.rejected}
    assert set(rejected) == {7, 8, 9, 10, 11, 12, 14}
    assert rejected[7] == "không có chỉ số 'wifi_points'"
    assert rejected[8] == "không có đơn vị hành chính '99' (legacy)"
    assert rejected[9].startswith("số không hợp lệ")
    assert rejected[10] == "trùng với dòng 5"
    assert rejected[11].startswith("kỳ đã khóa")
    assert rejected[12] == "'telephone_density' được tính từ các số liệu khác"
    assert rejected[14] == "Quý từ 1 đến 4."
    assert report.count("created") == 6
    assert SectorFigure.objects.count() == 6
    assert SectorFigure.objects.get(metric__code="telephone_subscribers").value == 1169375
    again = sector_figures_import(rows=read_rows("so-lieu.csv", data), actor=cast.statistician)
    assert (again.count("created"), again.count("updated"), again.count("unchanged")) == (0, 0, 6)
    assert again.summary() == "0 tạo mới, 0 cập nhật, 6 không đổi, 7 bị từ chối"


def test_an_xlsx_workbook_imports_the_same(cast: StatisticsCast) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    sheet.append(["population", 2025, None, None, "48", "current", 3065000, ""])
    sheet.append(["internet_subscribers", 2025.0, None, None, 48, None, 850000.0, ""])
    out = io.BytesIO()
    book.save(out)
    report = sector_figures_import(rows=read_rows("x.xlsx", out.getvalue()), actor=cast.leader)
    assert report.count("created") == 2, report.as_text()


def test_a_file_that_is_not_a_table_is_refused_whole(cast: StatisticsCast) -> None:
    with pytest.raises(ImportFileError):
        read_rows("x.csv", b"metric,value\nbts,1\n")
    with pytest.raises(ImportFileError):
        read_rows("x.xlsx", b"not a workbook")
    with pytest.raises(ImportFileError):
        read_rows("x.pdf", b"%PDF")
    with pytest.raises(Forbidden):
        sector_figures_import(rows=[], actor=cast.reader)


def test_the_command_imports_and_prints_the_rejections(
    cast: StatisticsCast, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "so-lieu.csv"
    path.write_bytes(_csv(cast))
    call_command("import_sector_figures", str(path))
    out = capsys.readouterr().out
    assert "7 tạo mới" in out and "dòng 7: không có chỉ số 'wifi_points'" in out
    assert SectorFigure.objects.filter(entered_by=None).count() == 7
