"""The catalogue as it was in a given year, imported from CSV or XLSX."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from motcua.audit.models import AuditEntry
from motcua.catalog.history import online_provision
from motcua.catalog.history_import import (
    HISTORY_COLUMNS,
    HistoryStatus,
    catalogue_history_import,
    catalogue_history_import_file,
    read_history_file,
)
from motcua.catalog.importing import ImportFileError
from motcua.catalog.models import Field, Procedure, ProcedureProvision
from motcua.core.errors import ValidationFailed
from motcua.organisation.models import Agency
from motcua.testing import ProcedureFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = ",".join(HISTORY_COLUMNS)


@pytest.fixture
def ho_tich() -> Field:
    return Field.objects.create(code="ho-tich", name="Hộ tịch")


def csv_file(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


def line(code: str, agency: str, legacy: str = "3", **kw: str) -> str:
    values = {
        "procedure_code": code,
        "national_code": code.split(".000.")[0],
        "name": f"Thủ tục {code}",
        "field_code": "ho-tich",
        "agency_code": agency,
        "government_level": "province",
        "online_level": "",
        "legacy_level": legacy,
        "published": "1",
        "valid_from": "",
        "valid_to": "",
        **kw,
    }
    return ",".join(values[c] for c in HISTORY_COLUMNS)


def test_an_old_catalogue_is_imported_once_and_a_second_run_changes_nothing(
    tu_phap: Agency, ho_tich: Field
) -> None:
    known = ProcedureFactory(agency=tu_phap, code="1.000001.000.00.00.H15")
    data = csv_file(
        line("1.000001.000.00.00.H15", tu_phap.code, "4"),
        line("2.000002.000.00.00.H46", tu_phap.code, "3", government_level="district"),
    )
    report = catalogue_history_import_file(name="2019.csv", data=data, year=2019)
    assert [(r.row, r.status) for r in report.rows] == [
        ("2", HistoryStatus.RECORDED),
        ("3", HistoryStatus.CREATED),
    ]
    new = Procedure.objects.get(code="2.000002.000.00.00.H46")
    assert not new.is_published and new.current_version is not None
    assert ProcedureProvision.objects.get(procedure=known).valid_to == dt.date(2020, 1, 1)
    counts = online_provision(as_of=dt.date(2019, 12, 31))
    assert (counts.total.level_3, counts.total.level_4) == (1, 1)
    assert online_provision(as_of=timezone.localdate()).total.published == 0

    again = catalogue_history_import_file(name="2019.csv", data=data, year=2019)
    assert again.counts() == {HistoryStatus.UNCHANGED: 2}
    assert ProcedureProvision.objects.count() == 3  # the new procedure's row of today, too


def test_bad_rows_are_rejected_with_their_reasons_and_the_rest_imported(
    tu_phap: Agency, ho_tich: Field
) -> None:
    data = csv_file(
        line("2.000001.000.00.00.H46", "000.00.99.H46"),
        line("2.000002.000.00.00.H46", tu_phap.code, "5"),
        line("2.000003.000.00.00.H46", tu_phap.code, valid_from="31/02/2019"),
        line("2.000004.000.00.00.H46", tu_phap.code, field_code="khong-co"),
        line("2.000005.000.00.00.H46", tu_phap.code),
        line("2.000005.000.00.00.H46", tu_phap.code, "4", valid_from="2019-06-01"),
        line("2.000006.000.00.00.H46", tu_phap.code, valid_to="2018-01-01"),
        line("2.000007.000.00.00.H46", tu_phap.code, online_level="muc-4"),
    )
    seen: list[tuple[int, int]] = []
    report = catalogue_history_import(
        rows=read_history_file("f.csv", data),
        year=2019,
        progress=lambda done, total: seen.append((done, total)),
        every=3,
    )
    reasons = {r.row: "; ".join(r.reasons) for r in report.rejected}
    assert reasons == {
        "2": "unknown agency code '000.00.99.H46'",
        "3": "legacy_level '5' is not 1 to 4",
        "4": "valid_from: '31/02/2019' is not a date (YYYY-MM-DD or DD/MM/YYYY)",
        "5": "unknown field code 'khong-co'",
        "7": "procedure code '2.000005.000.00.00.H46' appears twice in the file for "
        "overlapping periods (row 6)",
        "8": "valid_to 2018-01-01 is not after valid_from",
        "9": "online_level 'muc-4' is not full, partial, none or empty",
    }
    assert report.counts()[HistoryStatus.CREATED] == 1
    assert seen == [(3, 8), (6, 8), (8, 8)]
    assert Procedure.objects.count() == 1


def test_two_periods_of_a_procedure_in_one_file_are_both_kept(
    tu_phap: Agency, ho_tich: Field
) -> None:
    data = csv_file(
        line("2.000005.000.00.00.H46", tu_phap.code, "2", valid_to="2019-07-01"),
        line("2.000005.000.00.00.H46", tu_phap.code, "3", valid_from="2019-07-01"),
    )
    report = catalogue_history_import_file(name="f.csv", data=data, year=2019)
    assert [r.status for r in report.rows] == ["created", "recorded"]
    assert online_provision(as_of=dt.date(2019, 3, 1)).total.level_2 == 1
    assert online_provision(as_of=dt.date(2019, 9, 1)).total.level_3 == 1


def test_an_xlsx_file_with_date_cells_is_read(tu_phap: Agency, ho_tich: Field) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(HISTORY_COLUMNS))
    sheet.append(
        [
            "2.000009.000.00.00.H46",
            "2.000009",
            "Đăng ký kết hôn",
            "ho-tich",
            tu_phap.code,
            "province",
            None,
            4,
            1,
            dt.datetime(2019, 3, 1),  # noqa: DTZ001 - a spreadsheet's date cell
            None,
        ]
    )
    out = io.BytesIO()
    book.save(out)
    report = catalogue_history_import_file(name="f.xlsx", data=out.getvalue(), year=2019)
    assert report.counts() == {"created": 1}
    assert ProcedureProvision.objects.filter(valid_from=dt.date(2019, 3, 1)).count() == 1


def test_a_file_that_is_not_a_catalogue_or_a_year_not_past_is_refused(tu_phap: Agency) -> None:
    with pytest.raises(ImportFileError):
        catalogue_history_import_file(name="f.txt", data=b"x", year=2019)
    with pytest.raises(ImportFileError):
        catalogue_history_import_file(name="f.csv", data=b"a,b\n1,2\n", year=2019)
    with pytest.raises(ValidationFailed):
        catalogue_history_import(rows=[], year=timezone.localdate().year)


def test_the_command_prints_progress_and_the_report(
    tu_phap: Agency, ho_tich: Field, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "2019.csv"
    path.write_bytes(csv_file(line("2.000005.000.00.00.H46", tu_phap.code)))
    call_command("import_catalogue_history", str(path), "--year", "2019", "--every", "1")
    out, err = capsys.readouterr()
    assert "1/1 rows" in err
    assert "2.000005.000.00.00.H46" in out and "1 created" in out
    with pytest.raises(CommandError):
        call_command("import_catalogue_history", str(tmp_path / "none.csv"), "--year", "2019")


@pytest.mark.urls("motcua.catalog.tests.urls")
def test_an_administrator_uploads_a_past_catalogue_in_the_admin(
    client: Client, tu_phap: Agency, ho_tich: Field
) -> None:
    client.force_login(User.objects.create_superuser("admin", "admin@example.vn", "x"))
    url = "/admin/catalog/procedure/history-import/"
    assert client.get(url).status_code == 200
    data = csv_file(line("2.000005.000.00.00.H46", tu_phap.code), line("x", "000.00.99.H46"))

    def upload(**fields: Any) -> str:
        file = SimpleUploadedFile("2019.csv", data, content_type="text/csv")
        response = client.post(url, {"file": file, **fields})
        assert response.status_code == 200
        return response.content.decode()

    page = upload(year="2019", dry_run="on")
    assert "unknown agency code" in page and not Procedure.objects.exists()
    upload(year="2019")
    assert Procedure.objects.filter(code="2.000005.000.00.00.H46", is_published=False).exists()
    entry = AuditEntry.objects.filter(action="procedure.provision_record").first()
    assert entry is not None and entry.actor is not None
    this_year = upload(year=str(timezone.localdate().year))
    assert "errorlist" in this_year
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302
