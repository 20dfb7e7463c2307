"""The periodic report: each column pinned on hand-made facts, its periods, documents and API."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from motcua.catalog.models import Procedure
from motcua.organisation.models import Agency
from motcua.reports.documents import report_pdf, report_xlsx
from motcua.reports.models import ReportColumn, ReportForm, ReportSchedule
from motcua.reports.selectors import Report, form_for, header_rows, report_build, span_of
from motcua.staff.models import Role
from motcua.statistics import periods
from motcua.statistics.models import Fact, OpenCount, Scope
from motcua.statistics.rollup import delta_of, rollup_apply
from motcua.statistics.scopes import subject_of
from motcua.testing import (
    AgencyFactory,
    FieldFactory,
    OneStopUnitFactory,
    ProcedureFactory,
    ProvinceFactory,
    StaffRoleFactory,
)

pytestmark = pytest.mark.django_db
Q1 = periods.quarter(2026, 1)  # counted 15/12/2025 - 14/03/2026 under Circular 01/2020's rule
CODES = (
    "nhan_tong",
    "nhan_truc_tuyen",
    "nhan_truc_tiep",
    "nhan_buu_chinh",
    "ky_truoc",
    "xong_tong",
    "xong_truoc_han",
    "xong_dung_han",
    "xong_qua_han",
    "dang_tong",
    "dang_trong_han",
    "dang_qua_han",
    "rut",
    "dung",
    "cho_bo_sung",
)


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


class World:
    def __init__(self) -> None:
        self.province = ProvinceFactory()
        self.agency = AgencyFactory(name="Sở Tư pháp", administrative_unit=self.province)
        self.other = AgencyFactory(name="Sở Xây dựng", administrative_unit=self.province)
        self.unit = OneStopUnitFactory(administrative_unit=self.province)
        self.civil = FieldFactory(code="ho-tich", name="Hộ tịch")
        self.notary = FieldFactory(code="chung-thuc", name="Chứng thực")
        self.p1 = ProcedureFactory(agency=self.agency, field=self.civil)
        self.p2 = ProcedureFactory(agency=self.agency, field=self.notary)
        self.p3 = ProcedureFactory(agency=self.agency, field=self.civil)
        self.p4 = ProcedureFactory(agency=self.other, field=self.civil)
        self.n = 0

    def fact(
        self,
        procedure: Procedure,
        received: dt.date,
        *,
        channel: int = 2,
        finished: dt.date | None = None,
        outcome: str = "",
        ended: str = "processed",
    ) -> Fact:
        self.n += 1
        return Fact(
            code=f"T-{self.n}",
            source="import",
            province=self.province,
            receiving_unit=self.unit,
            agency_id=procedure.agency_id,
            procedure=procedure,
            channel=channel,
            online_level="full",
            state="processed" if finished else "in_process",
            received_at=_at(received),
            received_on=received,
            finished_at=_at(finished) if finished else None,
            finished_on=finished,
            ended=ended if finished else "",
            outcome=outcome,
            processing_seconds=86400 if finished else None,
        )


@pytest.fixture
def world() -> World:
    w = World()
    d = dt.date
    facts = [
        w.fact(w.p1, d(2025, 12, 10)),  # carried over, still open
        w.fact(w.p1, d(2025, 12, 20), finished=d(2026, 1, 5), outcome="early"),
        w.fact(w.p1, d(2026, 1, 10), channel=1, finished=d(2026, 3, 14), outcome="on_time"),
        w.fact(w.p3, d(2026, 3, 1), channel=3, finished=d(2026, 3, 15), outcome="late"),
        w.fact(w.p2, d(2026, 2, 1), finished=d(2026, 2, 20), outcome="late"),
        w.fact(w.p2, d(2026, 2, 2), channel=1, finished=d(2026, 2, 3), ended="withdrawn"),
        w.fact(w.p2, d(2026, 3, 20)),  # after the cut-off: next quarter
        w.fact(w.p1, d(2025, 11, 1), finished=d(2025, 12, 16), outcome="on_time"),
        w.fact(w.p2, d(2026, 1, 3), finished=d(2026, 1, 9), ended="stopped", outcome="on_time"),
        w.fact(w.p4, d(2026, 1, 4)),  # another agency's
    ]
    rollup_apply(delta_of(Fact.objects.bulk_create(facts)))
    return w


def _report(w: World, code: str = "06a/VPCP/KSTT", kind: str = "agency", pk: int = 0) -> Report:
    form = form_for(code, Q1.end)
    return report_build(form=form, subject=subject_of(kind, pk or w.agency.pk), period=Q1)


def _rows(report: Report) -> dict[str, dict[str, Any]]:
    out = {row.label: report.named(row) for row in report.rows}
    out["total"] = report.named(report.total)
    return out


def test_each_column_of_form_06a_is_pinned_on_hand_made_facts(world: World) -> None:
    report = _report(world)
    assert (report.span.start, report.span.end) == (dt.date(2025, 12, 15), dt.date(2026, 3, 14))
    rows = _rows(report)
    assert [r.label for r in report.rows] == ["Chứng thực", "Hộ tịch"]
    assert [r.number for r in report.rows] == [1, 2]
    civil = rows["Hộ tịch"]
    # Carried over: received before 15/12 and not finished by then (the one of 10/12 and the
    # one of 01/11 finished on 16/12); received: online 20/12, counter 10/01, post 01/03.
    assert [civil[c] for c in CODES] == [5, 1, 1, 1, 2, 3, 1, 2, 0, 2, None, None, 0, 0, None]
    notary = rows["Chứng thực"]
    assert [notary[c] for c in CODES] == [3, 2, 1, 0, 0, 3, 0, 1, 1, 0, None, None, 1, 1, None]
    total = rows["total"]
    assert [total[c] for c in CODES] == [8, 3, 2, 1, 2, 6, 1, 3, 1, 2, None, None, 1, 1, None]
    assert not report.empty and not report.open_counted
    assert report.due_on == dt.date(2026, 3, 20)


def test_open_columns_read_the_daily_count_of_the_period_end(world: World) -> None:
    day = dt.date(2026, 3, 14)
    OpenCount.objects.bulk_create(
        [
            OpenCount(day=day, scope=Scope.PROCEDURE, key=world.p1.pk, open=1, within=1),
            OpenCount(day=day, scope=Scope.PROCEDURE, key=world.p3.pk, open=1, past=1),
            OpenCount(day=day, scope=Scope.AGENCY, key=world.agency.pk, open=2, within=1, past=1),
            OpenCount(day=day - dt.timedelta(days=1), scope=Scope.AGENCY, key=world.agency.pk),
        ]
    )
    OpenCount.objects.filter(scope=Scope.AGENCY, day=day).update(paused_supplement=1)
    rows = _rows(_report(world))
    wanted = ("dang_tong", "dang_trong_han", "dang_qua_han", "cho_bo_sung")
    assert [rows["Hộ tịch"][c] for c in wanted] == [2, 1, 1, 0]
    assert [rows["Chứng thực"][c] for c in wanted] == [0, 0, 0, 0]
    assert [rows["total"][c] for c in wanted] == [2, 1, 1, 1]


def test_rows_by_agency_for_the_province_and_by_procedure(world: World) -> None:
    report = _report(world, "06b/VPCP/KSTT", "province", world.province.pk)
    rows = _rows(report)
    assert [r.label for r in report.rows] == ["Sở Tư pháp", "Sở Xây dựng"]
    assert rows["Sở Xây dựng"]["nhan_tong"] == 1
    assert rows["total"]["nhan_tong"] == 9
    by_unit = _report(world, kind="unit", pk=world.unit.pk)  # 06a: the unit's procedures
    assert _rows(by_unit)["Hộ tịch"]["nhan_tong"] == 6
    assert _rows(by_unit)["total"]["nhan_tong"] == 9


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (periods.quarter(2026, 1), dt.date(2025, 12, 15), dt.date(2026, 3, 14)),
        (periods.quarter(2026, 3), dt.date(2026, 6, 15), dt.date(2026, 9, 14)),
        (periods.half(2026, 1), dt.date(2025, 12, 15), dt.date(2026, 6, 14)),
        (periods.half(2026, 2), dt.date(2026, 6, 15), dt.date(2026, 12, 14)),
        (periods.year(2026), dt.date(2025, 12, 15), dt.date(2026, 12, 14)),
        (periods.month(2026, 3), dt.date(2026, 2, 15), dt.date(2026, 3, 14)),
    ],
)
def test_cut_off_from_the_15th_of_the_month_before_to_the_14th(
    period: periods.Period, start: dt.date, end: dt.date
) -> None:
    rule = ReportSchedule(cut_off="previous_month", cut_off_day=15)
    assert span_of(period, rule) == periods.Period(start, end, "dates")
    assert span_of(period, ReportSchedule(cut_off="calendar")) == period
    assert span_of(period, None) == period


def test_a_period_with_no_dossiers_says_so_and_still_renders_zeros(world: World) -> None:
    form = form_for("06a/VPCP/KSTT", dt.date(2024, 1, 1))
    report = report_build(
        form=form, subject=subject_of("agency", world.agency.pk), period=periods.quarter(2024, 2)
    )
    assert report.empty and report.rows == []
    assert report.total.values[:10] == [0] * 10
    pdf_text = _pdf_text(report_pdf(report))
    assert "Không có hồ sơ trong kỳ báo cáo" in pdf_text


def test_the_form_version_in_force_on_the_period_end_is_used(world: World) -> None:
    old = form_for("06a/VPCP/KSTT", Q1.end)
    new = ReportForm.objects.create(
        code=old.code, name="Biểu mới", circular="Thông tư mới", valid_from=dt.date(2027, 1, 1),
        grouping="procedure",
    )  # fmt: skip
    ReportColumn.objects.create(
        form=new, order=1, code="nhan", header="Nhận", expression="received"
    )
    assert form_for(old.code, dt.date(2026, 12, 31)) == old
    assert form_for(old.code, dt.date(2027, 3, 31)) == new


def test_a_formula_naming_an_unknown_figure_is_refused() -> None:
    form = ReportForm.objects.first()
    column = ReportColumn(form=form, order=99, code="x", header="X", expression="received + nope")
    with pytest.raises(ValidationError, match="nope"):
        column.full_clean()
    column.expression = "received + carried_over + open_past"
    column.full_clean()


def test_header_merges_groups_and_drops_leaves_to_the_last_row(world: World) -> None:
    rows = header_rows(list(form_for("06a/VPCP/KSTT", Q1.end).columns.all()))
    assert [(c.text, c.colspan, c.rowspan) for c in rows[0]] == [
        ("Số hồ sơ nhận giải quyết", 5, 1),
        ("Kết quả giải quyết", 7, 1),
        ("Hồ sơ rút, dừng, chờ bổ sung", 3, 1),
    ]
    assert [(c.text, c.colspan, c.rowspan) for c in rows[1]][:3] == [
        ("Tổng số", 1, 2),
        ("Trong kỳ", 3, 1),
        ("Từ kỳ trước", 1, 2),
    ]
    assert len(rows) == 3 and [c.text for c in rows[2]][:3] == [
        "Trực tuyến",
        "Trực tiếp",
        "Dịch vụ bưu chính",
    ]


def test_xlsx_opens_with_the_headers_the_rows_and_the_totals(world: World) -> None:
    book = load_workbook(BytesIO(report_xlsx(_report(world))))
    sheet = book.worksheets[0]
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    for text in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Số hồ sơ nhận giải quyết",
        "Trực tuyến",
        "Trả quá hạn",
        "NGƯỜI LẬP BIỂU",
        "THỦ TRƯỞNG ĐƠN VỊ",
        "Biểu số 06a/VPCP/KSTT",
    ):
        assert text in cells
    total = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Tổng cộng")
    assert list(total[2:]) == [8, 3, 2, 1, 2, 6, 1, 3, 1, 2, "—", "—", 1, 1, "—"]
    assert any("15/12/2025" in c and "14/03/2026" in c for c in cells)
    assert "C9:G9" in {str(r) for r in sheet.merged_cells.ranges}


def _pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF")
    tool = shutil.which("pdftotext")
    assert tool is not None
    out = subprocess.run([tool, "-layout", "-", "-"], input=pdf, capture_output=True, check=True)  # noqa: S603
    return out.stdout.decode()


def test_pdf_prints_the_national_heading_the_form_and_the_total(world: World) -> None:
    text = _pdf_text(report_pdf(_report(world)))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "Biểu số 06a/VPCP/KSTT" in text and "Tổng cộng" in text
    assert "THỦ TRƯỞNG ĐƠN VỊ" in text


def test_report_costs_the_same_queries_for_one_group_or_many(
    world: World, django_assert_num_queries: Any
) -> None:
    form = form_for("06a/VPCP/KSTT", Q1.end)
    subject = subject_of("agency", world.agency.pk)
    with django_assert_num_queries(8):
        report_build(form=form, subject=subject, period=Q1)
    for i in range(5):
        field = FieldFactory(code=f"f{i}", name=f"Lĩnh vực {i}")
        p = ProcedureFactory(agency=world.agency, field=field)
        rollup_apply(delta_of([Fact.objects.create(**_copy(world.fact(p, dt.date(2026, 1, 5))))]))
    with django_assert_num_queries(8):
        report = report_build(form=form, subject=subject, period=Q1)
    assert len(report.rows) == 7


def _copy(fact: Fact) -> dict[str, Any]:
    return {
        f.attname: getattr(fact, f.attname) for f in Fact._meta.concrete_fields if f.attname != "id"
    }


# Pages and API.


def _statistician(agency: Agency) -> Any:
    return StaffRoleFactory(role=Role.STATISTICIAN, agency=agency).user


def _query(w: World, **more: Any) -> dict[str, Any]:
    return {"mau": "06a/VPCP/KSTT", "doi-tuong": "agency", "id": w.agency.pk, "ky": "quarter",
            "nam": 2026, "so": 1, **more}  # fmt: skip


def test_the_page_shows_the_report_to_a_statistician_of_the_agency(world: World) -> None:
    client = Client()
    client.force_login(_statistician(world.agency))
    response = client.get(reverse("reports:periodic"), _query(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert "15/12/2025 – 14/03/2026" in body and "Hộ tịch" in body
    empty = client.get(reverse("reports:periodic"), _query(world, nam=2024))
    assert "data-empty" in empty.content.decode()
    xlsx = client.get(reverse("reports:periodic-xlsx"), _query(world))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = client.get(reverse("reports:periodic-pdf"), _query(world))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_page_refuses_another_agency_bad_input_and_an_unknown_form(world: World) -> None:
    client = Client()
    client.force_login(_statistician(world.other))
    assert client.get(reverse("reports:periodic"), _query(world)).status_code == 403
    assert client.get(reverse("reports:periodic-pdf"), _query(world)).status_code == 403
    assert client.get(reverse("reports:periodic"), _query(world, so=9)).status_code == 400
    assert client.get(reverse("reports:periodic"), _query(world, nam="x")).status_code == 400
    own = Client()
    own.force_login(_statistician(world.agency))
    assert own.get(reverse("reports:periodic"), _query(world, mau="99")).status_code == 404
    assert own.get(reverse("reports:periodic"), _query(world, id=10**9)).status_code == 404
    anonymous = Client().get(reverse("reports:periodic"), _query(world))
    assert anonymous.status_code == 302


def test_the_page_picks_its_subject_by_name_from_what_the_reader_reads(world: World) -> None:
    client = Client()
    client.force_login(_statistician(world.agency))
    shown = client.get(reverse("reports:periodic"), _query(world)).content.decode()
    # One select of named subjects (the reader's agencies; not the others), the asked one chosen.
    assert (
        f'<option value="agency:{world.agency.pk}" selected>{world.agency.name}</option>' in shown
    )
    assert f'value="agency:{world.other.pk}"' not in shown
    assert 'name="id"' not in shown
    picked = {k: v for k, v in _query(world).items() if k not in ("doi-tuong", "id")}
    by_name = client.get(
        reverse("reports:periodic"), {**picked, "chon": f"agency:{world.agency.pk}"}
    )
    assert by_name.status_code == 200
    assert "15/12/2025 – 14/03/2026" in by_name.content.decode()
    other = client.get(reverse("reports:periodic"), {**picked, "chon": f"agency:{world.other.pk}"})
    assert other.status_code == 403
    bad = client.get(reverse("reports:periodic"), {**picked, "chon": "agency:x"})
    assert bad.status_code == 400
    assert "Nhập số nguyên." in bad.content.decode()


def _sheet_rows(response: Any) -> list[tuple[Any, ...]]:
    book = load_workbook(BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_the_list_of_dossiers_streams_the_facts_received_in_the_days_counted(
    world: World,
) -> None:
    client = Client()
    client.force_login(_statistician(world.agency))
    response = client.get(reverse("reports:dossiers-xlsx"), _query(world))
    assert response.status_code == 200
    rows = _sheet_rows(response)
    assert rows[1][0] == "Mã hồ sơ"
    assert sorted(str(r[0]) for r in rows[2:]) == ["T-2", "T-3", "T-4", "T-5", "T-6", "T-9"]
    late = client.get(reverse("reports:dossiers-xlsx"), _query(world, do="fin_late"))
    assert [r[0] for r in _sheet_rows(late)[2:]] == ["T-5"]
    unknown = client.get(reverse("reports:dossiers-xlsx"), _query(world, do="nope"))
    assert unknown.status_code == 404


def _api(user: Any) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _api_query(w: World, **more: Any) -> dict[str, Any]:
    return {"form": "06a/VPCP/KSTT", "doi_tuong": "agency", "id": w.agency.pk, "ky": "quarter",
            "nam": 2026, "so": 1, **more}  # fmt: skip


def test_api_gives_the_report_the_page_shows(world: World) -> None:
    response = _api(_statistician(world.agency)).get("/api/v1/reports/periodic", _api_query(world))
    assert response.status_code == 200
    body = response.json()
    assert body["span"] == {"start": "2025-12-15", "end": "2026-03-14"}
    assert body["period"]["label"] == "Quý I/2026"
    assert body["empty"] is False and body["message"] == ""
    assert body["total"]["values"]["nhan_tong"] == 8
    assert body["total"]["values"]["dang_trong_han"] is None
    assert [r["label"] for r in body["rows"]] == ["Chứng thực", "Hộ tịch"]
    assert body["columns"][1] == {
        "code": "nhan_truc_tuyen",
        "group": "Số hồ sơ nhận giải quyết",
        "subgroup": "Trong kỳ",
        "header": "Trực tuyến",
        "expression": "recv_online",
    }
    empty = _api(_statistician(world.agency)).get(
        "/api/v1/reports/periodic", _api_query(world, nam=2024)
    )
    assert empty.json()["empty"] is True
    assert empty.json()["message"] == "Không có hồ sơ trong kỳ báo cáo."


def test_api_refuses_bad_input_another_agency_and_no_token(world: World) -> None:
    client = _api(_statistician(world.agency))
    bad = client.get("/api/v1/reports/periodic", _api_query(world, ky="week"))
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
    assert client.get("/api/v1/reports/periodic", _api_query(world, id="abc")).status_code == 400
    assert client.get("/api/v1/reports/periodic", _api_query(world, id=10**9)).status_code == 404
    other = _api(_statistician(world.other)).get("/api/v1/reports/periodic", _api_query(world))
    assert other.status_code == 403
    assert APIClient().get("/api/v1/reports/periodic", _api_query(world)).status_code == 401


def test_the_page_without_parameters_shows_this_quarter_of_the_readers_agency(
    world: World,
) -> None:
    client = Client()
    client.force_login(_statistician(world.agency))
    response = client.get(reverse("reports:periodic"))
    assert response.status_code == 200
    quarter = (timezone.localdate().month + 2) // 3
    assert response.context["report"].period == periods.quarter(timezone.localdate().year, quarter)
    assert response.context["report"].subject.id == world.agency.pk
    assert Client().get(reverse("reports:periodic")).status_code == 302


def test_forms_are_kept_in_the_admin_with_their_columns_audited(world: World) -> None:
    from django.contrib.auth import get_user_model

    from motcua.audit.models import AuditEntry

    admin_user = get_user_model().objects.create_superuser("quantri", "qt@example.com", "x")
    client = Client()
    client.force_login(admin_user)
    form = form_for("06a/VPCP/KSTT", Q1.end)
    assert client.get(reverse("admin:reports_reportform_changelist")).status_code == 200
    page = client.get(reverse("admin:reports_reportform_change", args=[form.pk]))
    assert page.status_code == 200 and "carried_over + received" in page.content.decode()
    before = AuditEntry.objects.count()
    data = {
        "code": "06c/TEST",
        "name": "Biểu thử",
        "circular": "Thông tư thử",
        "valid_from": "2027-01-01",
        "grouping": "procedure",
        "active": "on",
        "columns-TOTAL_FORMS": "1",
        "columns-INITIAL_FORMS": "0",
        "columns-0-order": "1",
        "columns-0-code": "nhan",
        "columns-0-header": "Nhận",
        "columns-0-expression": "received + nope",
        "schedules-TOTAL_FORMS": "0",
        "schedules-INITIAL_FORMS": "0",
    }
    refused = client.post(reverse("admin:reports_reportform_add"), data)
    assert refused.status_code == 200 and not ReportForm.objects.filter(code="06c/TEST").exists()
    data["columns-0-expression"] = "received + carried_over"
    saved = client.post(reverse("admin:reports_reportform_add"), data)
    assert saved.status_code == 302
    assert ReportColumn.objects.filter(form__code="06c/TEST", code="nhan").exists()
    assert AuditEntry.objects.count() == before + 2
