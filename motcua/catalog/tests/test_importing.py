from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from motcua.audit.models import AuditEntry
from motcua.catalog.importing import (
    CASE_COLUMNS,
    EXEMPTION_COLUMNS,
    FEE_COLUMNS,
    ImportFileError,
    RowStatus,
    catalog_import,
    catalog_import_file,
    export_json,
    export_xlsx,
    read_xlsx,
)
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.organisation.models import Agency
from motcua.testing import SIMPLE_EFORM, UserFactory

pytestmark = pytest.mark.django_db


def record(tu_phap: Agency, **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "2.001418.000.00.00.H15",
        "national_code": "2.001418",
        "name": "Cấp Phiếu lý lịch tư pháp",
        "agency": tu_phap.code,
        "field_code": "ly-lich-tu-phap",
        "field_name": "Lý lịch tư pháp",
        "level": "province",
        "online_level": "full",
        "accepts_online": True,
        "processing_time_value": 10,
        "components": [{"name": "Tờ khai", "originals": 1}],
        "fees": [{"code": "P1", "kind": "fee", "amount": 200000, "name": "Phí"}],
        "eform": [dict(f) for f in SIMPLE_EFORM],
    }
    base.update(overrides)
    return base


def statuses(report: Any) -> list[tuple[str, str, str]]:
    return [(r.row, r.code, r.status) for r in report.rows]


def test_import_creates_then_reports_unchanged_then_publishes_a_new_version(
    tu_phap: Agency,
) -> None:
    first = catalog_import(rows=[("1", record(tu_phap))])
    again = catalog_import(rows=[("1", record(tu_phap))])
    changed = catalog_import(rows=[("1", record(tu_phap, processing_time_value=12))])

    assert [r.status for r in first.rows] == [RowStatus.CREATED]
    assert [r.status for r in again.rows] == [RowStatus.UNCHANGED]
    assert [r.status for r in changed.rows] == [RowStatus.NEW_VERSION]
    procedure = Procedure.objects.get(code="2.001418.000.00.00.H15")
    assert procedure.processing_time_value == 12
    assert list(procedure.versions.values_list("number", "processing_time_value")) == [
        (2, Decimal(12)),
        (1, Decimal(10)),
    ]


def test_identity_change_alone_updates_without_a_new_version(tu_phap: Agency) -> None:
    catalog_import(rows=[("1", record(tu_phap))])
    report = catalog_import(rows=[("1", record(tu_phap, accepts_post=True))])
    assert [r.status for r in report.rows] == [RowStatus.UPDATED]
    assert ProcedureVersion.objects.count() == 1
    assert Procedure.objects.get().accepts_post is True


def test_rejected_rows_say_why_and_do_not_stop_the_others(tu_phap: Agency) -> None:
    rows = [
        ("1", record(tu_phap, agency="999.99.99.H99")),
        ("2", record(tu_phap, code="1.000002.000.00.00.H15", name="")),
        ("3", record(tu_phap, code="1.000003.000.00.00.H15", processing_time_value="năm")),
        ("4", record(tu_phap, code="1.000004.000.00.00.H15", eform=[{"name": "x"}])),
        ("5", record(tu_phap, code="1.000005.000.00.00.H15")),
        ("6", record(tu_phap, code="1.000005.000.00.00.H15")),
        ("7", record(tu_phap, code="1.000007.000.00.00.H15", level="district")),
        ("8", record(tu_phap, code="1.000008.000.00.00.H15", processing_time_value=0)),
        (
            "9",
            record(
                tu_phap,
                code="1.000009.000.00.00.H15",
                eform=[{"name": "a", "label": "A", "type": "text", "pattern": "(["}],
            ),
        ),
    ]

    report = catalog_import(rows=rows)

    by_row = {r.row: r for r in report.rows}
    assert by_row["1"].reasons == ["unknown agency code '999.99.99.H99'"]
    assert by_row["2"].reasons == ["missing name"]
    assert by_row["3"].reasons == ["invalid processing time 'năm' days"]
    assert by_row["4"].reasons == [
        "invalid e-form spec: Field 1 (x): 'label' is required.",
        "invalid e-form spec: Field 1 (x): unknown type None (expected one of checkbox, date, "
        "email, number, select, tel, text, textarea).",
    ]
    assert by_row["5"].status == RowStatus.CREATED
    assert by_row["6"].reasons == ["code '1.000005.000.00.00.H15' appears twice in the file"]
    assert by_row["7"].reasons == ["unknown level 'district'"]
    assert "same_day_cutoff_applies" in by_row["8"].reasons[0]
    assert by_row["9"].reasons == [
        "invalid e-form spec: Field 1 (a): 'pattern' is not a valid regular expression."
    ]
    assert report.counts() == {"rejected": 8, "created": 1}
    assert list(Procedure.objects.values_list("code", flat=True)) == ["1.000005.000.00.00.H15"]


def test_dry_run_reports_but_saves_nothing(tu_phap: Agency) -> None:
    report = catalog_import(rows=[("1", record(tu_phap))], dry_run=True)
    assert [r.status for r in report.rows] == [RowStatus.CREATED]
    assert "dry run" in report.as_text()
    assert not Procedure.objects.exists()


def test_json_export_then_import_changes_nothing(tu_phap: Agency) -> None:
    catalog_import(
        rows=[
            ("1", record(tu_phap)),
            ("2", record(tu_phap, code="1.001193.000.00.00.H15", processing_time_value=0.5)),
        ]
    )
    data = export_json()

    report = catalog_import_file(name="catalogue.json", data=data)

    assert [r.status for r in report.rows] == [RowStatus.UNCHANGED, RowStatus.UNCHANGED]
    assert export_json() == data


def test_xlsx_export_then_import_changes_nothing(tu_phap: Agency) -> None:
    catalog_import(
        rows=[
            ("1", record(tu_phap)),
            ("2", record(tu_phap, code="1.001193.000.00.00.H15", fees=[], components=[])),
        ]
    )
    data = export_xlsx()
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == [
        "procedures",
        "components",
        "fees",
        "fee_exemptions",
        "processing_cases",
    ]

    report = catalog_import_file(name="catalogue.xlsx", data=data)

    assert [r.status for r in report.rows] == [RowStatus.UNCHANGED, RowStatus.UNCHANGED]
    assert ProcedureVersion.objects.count() == 2


def test_xlsx_rows_are_numbered_as_in_the_sheet_and_orphans_are_rejected(
    tu_phap: Agency,
) -> None:
    catalog_import(rows=[("1", record(tu_phap))])
    book = load_workbook(io.BytesIO(export_xlsx()))
    book["procedures"]["C2"] = ""  # the name
    book["fees"].append(["9.999999", "fee", 1000, "", ""])
    out = io.BytesIO()
    book.save(out)

    rows = read_xlsx(out.getvalue())
    report = catalog_import(rows=rows)

    assert [(r.row, r.status, r.reasons) for r in report.rows] == [
        ("2", RowStatus.REJECTED, ["missing name"]),
        ("fees:3", RowStatus.REJECTED, ["no procedure '9.999999' in sheet procedures"]),
    ]


def test_unreadable_files_are_refused() -> None:
    with pytest.raises(ImportFileError):
        catalog_import_file(name="x.json", data=b"{not json")
    with pytest.raises(ImportFileError):
        catalog_import_file(name="x.xlsx", data=b"not a workbook")
    with pytest.raises(ImportFileError):
        catalog_import_file(name="x.csv", data=b"")


def test_commands_export_and_import_with_a_printed_report(tu_phap: Agency, tmp_path: Path) -> None:
    catalog_import(rows=[("1", record(tu_phap))])
    path = tmp_path / "catalogue.json"
    out = io.StringIO()
    call_command("export_procedures", str(path), stdout=out)
    assert "1 procedures written" in out.getvalue()
    records = json.loads(path.read_text(encoding="utf-8"))
    records[0]["processing_time_value"] = 15
    path.write_text(json.dumps(records), encoding="utf-8")

    out = io.StringIO()
    call_command("import_procedures", str(path), "--dry-run", stdout=out)

    assert "new version" in out.getvalue()
    assert "dry run, nothing saved" in out.getvalue()
    assert Procedure.objects.get().processing_time_value == 10


# --- Fee rules ---------------------------------------------------------------------------------

COUNTS_EFORM = [
    *(dict(f) for f in SIMPLE_EFORM),
    {"name": "pages", "label": "Số trang", "type": "number", "required": True},
    {"name": "copies", "label": "Số bản", "type": "number", "required": True},
]
RULES = [
    {
        "code": "P-CT",
        "kind": "fee",
        "name": "Phí chứng thực",
        "basis": "page",
        "amount": 2000,
        "tiers": [{"from": 3, "amount": 1000}],
        "cap": 200000,
        "due": "before",
        "quantity_source": "eform",
        "copies_field": "copies",
        "pages_field": "pages",
        "legal_basis": "Thông tư số 226/2016/TT-BTC",
        "note": "Tính theo trang của bản chính.",
    },
    {"code": "LP", "kind": "charge", "name": "Lệ phí", "amount": 10000, "due": "after"},
]
EXEMPTIONS = [
    {
        "code": "HO-NGHEO",
        "name": "Hộ nghèo",
        "fee_codes": ["P-CT"],
        "proof": "Giấy chứng nhận hộ nghèo",
        "percent": 50,
    },
    {
        "code": "TRUC-TUYEN",
        "name": "Nộp trực tuyến",
        "fee_codes": ["LP"],
        "trigger": "channel",
        "channel": 2,
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
    },
]


def with_rules(tu_phap: Agency, **overrides: Any) -> dict[str, Any]:
    rules = {
        "eform": COUNTS_EFORM,
        "fees": [dict(f) for f in RULES],
        "fee_exemptions": [dict(e) for e in EXEMPTIONS],
    }
    return record(tu_phap, **{**rules, **overrides})


def test_fee_rules_and_exemptions_are_imported_and_exported_as_json(tu_phap: Agency) -> None:
    report = catalog_import(rows=[("1", with_rules(tu_phap))])
    assert [r.status for r in report.rows] == [RowStatus.CREATED], report.as_text()

    (exported,) = json.loads(export_json())
    assert exported["fees"][0] == RULES[0]
    assert exported["fees"][1]["due"] == "after"
    assert exported["fee_exemptions"][0]["percent"] == 50
    assert exported["fee_exemptions"][1]["valid_until"] == "2026-12-31"
    assert exported["fee_exemptions"][1]["channel"] == 2
    again = catalog_import_file(name="c.json", data=export_json())
    assert [r.status for r in again.rows] == [RowStatus.UNCHANGED]


def test_fee_rules_go_through_the_spreadsheet_and_back_unchanged(tu_phap: Agency) -> None:
    catalog_import(rows=[("1", with_rules(tu_phap))])
    book = load_workbook(io.BytesIO(export_xlsx()))
    fee_rows = list(book["fees"].iter_rows(values_only=True))
    assert fee_rows[0][:3] == ("procedure_code", "code", "kind")
    assert fee_rows[1][FEE_COLUMNS.index("tiers")] == "3: 1000"
    exemption_rows = list(book["fee_exemptions"].iter_rows(values_only=True))
    assert exemption_rows[1][EXEMPTION_COLUMNS.index("fee_codes")] == "P-CT"

    report = catalog_import_file(name="c.xlsx", data=export_xlsx())

    assert [r.status for r in report.rows] == [RowStatus.UNCHANGED], report.as_text()


def test_a_spreadsheets_tiers_and_codes_are_read_from_text(tu_phap: Agency) -> None:
    catalog_import(rows=[("1", with_rules(tu_phap))])
    book = load_workbook(io.BytesIO(export_xlsx()))
    book["fees"].cell(row=2, column=FEE_COLUMNS.index("tiers") + 1, value="3: 1.500; 11: 500")
    book["fee_exemptions"].append(
        ["9.999999", "X", "X", "", "claim", "", 100, "p", "", "", ""]  # no such procedure
    )
    out = io.BytesIO()
    book.save(out)

    report = catalog_import(rows=read_xlsx(out.getvalue()))

    assert statuses(report) == [
        ("2", "2.001418.000.00.00.H15", RowStatus.NEW_VERSION),
        ("fee_exemptions:4", "9.999999", RowStatus.REJECTED),
    ]
    version = Procedure.objects.get().current_version
    assert version is not None
    assert version.fees.get(code="P-CT").tiers == [
        {"from": 3, "amount": 1500},
        {"from": 11, "amount": 500},
    ]


def _import_bad_fee_rows(
    tu_phap: Agency, bad_fee: dict[str, Any], bad_exemption: dict[str, Any]
) -> Any:
    return catalog_import(
        rows=[
            ("1", with_rules(tu_phap, fees=[bad_fee, RULES[1]])),
            (
                "2",
                with_rules(
                    tu_phap,
                    code="1.000002.000.00.00.H15",
                    fee_exemptions=[bad_exemption, {**EXEMPTIONS[1], "valid_from": "31/12/2026"}],
                ),
            ),
            (
                "3",
                with_rules(
                    tu_phap, code="1.0003.H15", fees=[RULES[0], RULES[0]], fee_exemptions=[]
                ),
            ),
            (
                "4",
                with_rules(tu_phap, code="1.0004.H15", fees=[{"kind": "fee"}], fee_exemptions=[]),
            ),
        ]
    )


def test_bad_fee_rows_are_rejected_with_their_reasons(tu_phap: Agency) -> None:
    bad_fee = {**RULES[0], "tiers": "ba: mot", "pages_field": "sheets", "amount": -5}
    bad_exemption = {**EXEMPTIONS[0], "fee_codes": ["NOPE"], "proof": "", "percent": 150}
    with translation.override("en"):  # the reasons are said in the active language
        report = _import_bad_fee_rows(tu_phap, bad_fee, bad_exemption)

    by_row = {r.row: r.reasons for r in report.rows}
    assert by_row["1"] == [
        "fee 1 amount: '-5' is not a whole number of 0 or more",
        "fee 1 tiers: 'ba: mot' is not a list of tiers (e.g. '3: 1000')",
        "fee 1 (P-CT): The e-form has no number field with this name.",
    ]
    assert by_row["2"] == [
        "exemption 1 (HO-NGHEO): Say which proof the officer checks for a claimed exemption.",
        "exemption 1 (HO-NGHEO): A reduction is 1 to 100 per cent.",
        "exemption 1 (HO-NGHEO): No fee of this version has one of these codes.",
        "exemption 2 valid_from: '31/12/2026' is not a date (YYYY-MM-DD)",
    ]
    assert by_row["3"] == ["fee 2 (P-CT): code 'P-CT' appears twice"]
    assert by_row["4"] == [
        "fee 1 (-): A code is 1 to 40 letters, digits, dots, dashes or underscores.",
        "fee 1 (-): Enter the fee's name.",
    ]
    assert not Procedure.objects.exists()


def test_a_file_written_before_rules_is_read_with_its_old_names(tu_phap: Agency) -> None:
    old = {
        "code": "P1",
        "kind": "fee",
        "amount": 200000,
        "description": "Phí",
        "exemptions": "Trẻ em",
    }
    catalog_import(rows=[("1", record(tu_phap, fees=[old]))])
    version = Procedure.objects.get().current_version
    assert version is not None
    fee = version.fees.get()
    assert (fee.name, fee.note, fee.basis, fee.due) == ("Phí", "Trẻ em", "dossier", "before")


def test_an_import_is_audited_as_its_actor(tu_phap: Agency) -> None:
    admin = UserFactory(username="quantri")
    catalog_import(rows=[("1", with_rules(tu_phap))], actor=admin)
    assert set(AuditEntry.objects.values_list("action", "actor__username")) == {
        ("procedure.create", "quantri"),
        ("procedure.provision_record", "quantri"),
        ("procedure.publish_version", "quantri"),
    }


# --- Processing-time cases ---------------------------------------------------------------------

CASES = [
    {
        "code": "XAC-MINH",
        "name": "Trường hợp cần xác minh",
        "processing_time_value": 15,
        "processing_time_unit": "days",
        "note": "Đã cư trú ở nhiều nơi, có thời gian cư trú ở nước ngoài, người nước ngoài",
        "legal_basis": "Luật Lý lịch tư pháp 2009, Điều 48",
    },
    {
        "code": "DUOI-14",
        "name": "Người dưới 14 tuổi",
        "processing_time_value": 2.5,
        "processing_time_unit": "days",
        "note": "",
        "legal_basis": "",
    },
]


def test_processing_cases_go_through_json_and_back_unchanged(tu_phap: Agency) -> None:
    report = catalog_import(rows=[("1", record(tu_phap, processing_cases=CASES))])
    assert [r.status for r in report.rows] == [RowStatus.CREATED], report.as_text()

    (exported,) = json.loads(export_json())
    again = catalog_import_file(name="c.json", data=export_json())
    changed = catalog_import(
        rows=[("1", record(tu_phap, processing_cases=[{**CASES[0], "processing_time_value": 20}]))]
    )

    assert exported["processing_cases"] == CASES
    assert [r.status for r in again.rows] == [RowStatus.UNCHANGED]
    assert [r.status for r in changed.rows] == [RowStatus.NEW_VERSION]
    version = Procedure.objects.get().current_version
    assert version is not None
    assert list(version.processing_cases.values_list("code", "processing_time_value")) == [
        ("XAC-MINH", Decimal(20))
    ]


def test_processing_cases_go_through_the_spreadsheet_and_back_unchanged(tu_phap: Agency) -> None:
    catalog_import(rows=[("1", record(tu_phap, processing_cases=CASES))])
    book = load_workbook(io.BytesIO(export_xlsx()))
    rows = list(book["processing_cases"].iter_rows(values_only=True))
    assert rows[0] == CASE_COLUMNS
    assert rows[1][:4] == ("2.001418.000.00.00.H15", "XAC-MINH", "Trường hợp cần xác minh", 15)
    assert rows[2][CASE_COLUMNS.index("processing_time_value")] == 2.5

    report = catalog_import_file(name="c.xlsx", data=export_xlsx())

    assert [r.status for r in report.rows] == [RowStatus.UNCHANGED], report.as_text()


def test_a_spreadsheet_without_a_cases_sheet_means_no_cases(tu_phap: Agency) -> None:
    catalog_import(rows=[("1", record(tu_phap, processing_cases=CASES))])
    book = load_workbook(io.BytesIO(export_xlsx()))
    del book["processing_cases"]
    out = io.BytesIO()
    book.save(out)

    report = catalog_import_file(name="c.xlsx", data=out.getvalue())

    assert [r.status for r in report.rows] == [RowStatus.NEW_VERSION]
    version = Procedure.objects.get().current_version
    assert version is not None and not version.processing_cases.exists()


def test_bad_processing_cases_are_rejected_with_their_reasons(tu_phap: Agency) -> None:
    with translation.override("en"):
        report = catalog_import(
            rows=[
                (
                    "1",
                    record(
                        tu_phap,
                        processing_cases=[
                            {**CASES[0], "processing_time_value": "mười lăm"},
                            {**CASES[1], "code": "XAC-MINH", "processing_time_unit": "weeks"},
                            {"code": "BANG", "name": "Như thường", "processing_time_value": 10},
                            "XAC-MINH",
                        ],
                    ),
                ),
                ("2", record(tu_phap, code="1.000002.000.00.00.H15", processing_cases={"a": 1})),
                (
                    "3",
                    record(
                        tu_phap,
                        code="1.000003.000.00.00.H15",
                        processing_cases=[{"name": "", "processing_time_value": 2.25}],
                    ),
                ),
            ]
        )

    by_row = {r.row: r.reasons for r in report.rows}
    assert by_row["1"] == [
        "case 1 (XAC-MINH): Enter a time greater than 0 and less than 10000, with at most one "
        "decimal.",
        "case 2 (XAC-MINH): Choose working days or working hours.",
        "case 2 (XAC-MINH): code 'XAC-MINH' appears twice",
        "case 3 (BANG): This is the ordinary processing time of the version; a case has a time "
        "of its own.",
        "case 4: not an object",
    ]
    assert by_row["2"] == ["processing_cases must be a list"]
    assert by_row["3"] == [
        "case 1 (-): A code is 1 to 40 letters, digits, dots, dashes or underscores.",
        "case 1 (-): Enter the case's name, e.g. Trường hợp cần xác minh.",
        "case 1 (-): Enter a time greater than 0 and less than 10000, with at most one decimal.",
    ]
    assert not Procedure.objects.exists()


def test_an_orphan_case_row_of_a_spreadsheet_is_rejected(tu_phap: Agency) -> None:
    catalog_import(rows=[("1", record(tu_phap))])
    book = load_workbook(io.BytesIO(export_xlsx()))
    book["processing_cases"].append(["9.999999", "X", "X", 15, "days", "", ""])
    out = io.BytesIO()
    book.save(out)

    report = catalog_import(rows=read_xlsx(out.getvalue()))

    assert statuses(report) == [
        ("2", "2.001418.000.00.00.H15", RowStatus.UNCHANGED),
        ("processing_cases:2", "9.999999", RowStatus.REJECTED),
    ]


STEPS = ["Nộp hồ sơ tại Bộ phận Một cửa.", "Nhận kết quả theo giấy hẹn."]


def test_steps_and_who_may_apply_go_through_json_and_the_spreadsheet_unchanged(
    tu_phap: Agency,
) -> None:
    report = catalog_import(
        rows=[
            (
                "1",
                record(
                    tu_phap,
                    steps=STEPS,
                    applicants="Công dân Việt Nam",
                    components=[{"name": "Tờ khai", "template_name": "Tờ khai yêu cầu"}],
                ),
            )
        ]
    )
    assert [r.status for r in report.rows] == [RowStatus.CREATED], report.as_text()
    (exported,) = json.loads(export_json())
    assert exported["steps"] == STEPS
    assert exported["applicants"] == "Công dân Việt Nam"
    assert exported["components"][0]["template_name"] == "Tờ khai yêu cầu"
    book = load_workbook(io.BytesIO(export_xlsx()))
    header, row = list(book["procedures"].iter_rows(values_only=True))[:2]
    assert row[header.index("steps")] == "\n".join(STEPS)

    again = [
        catalog_import_file(name="c.json", data=export_json()),
        catalog_import_file(name="c.xlsx", data=export_xlsx()),
    ]
    changed = catalog_import(rows=[("1", record(tu_phap, steps=STEPS[:1]))])

    assert [r.status for a in again for r in a.rows] == [RowStatus.UNCHANGED] * 2
    assert [r.status for r in changed.rows] == [RowStatus.NEW_VERSION]
    version = Procedure.objects.get().current_version
    assert version is not None
    assert version.steps == STEPS[:1]
    assert version.number == 2  # the steps are content: a new version, the old one kept


@pytest.mark.parametrize("steps", [{"1": "Nộp"}, ["Nộp", 2], 5])
def test_steps_that_are_not_a_list_of_texts_are_rejected(tu_phap: Agency, steps: Any) -> None:
    report = catalog_import(rows=[("1", record(tu_phap, steps=steps))])

    assert [r.status for r in report.rows] == [RowStatus.REJECTED]
    assert "steps must be a list of texts" in report.as_text()
    assert not Procedure.objects.exists()
