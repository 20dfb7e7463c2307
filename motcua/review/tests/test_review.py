"""The annual review: prose from hand-made figures, templates, traceability, DOCX, PDF, access."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import subprocess
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from docx import Document

from motcua.audit.models import AuditEntry
from motcua.catalog.history import ProvisionState, procedure_provision_record
from motcua.catalog.models import Procedure
from motcua.organisation.models import Agency, AgencyKind
from motcua.review import providers
from motcua.review.document import ReviewDocument, review_document
from motcua.review.models import ReviewSection, ReviewTemplate
from motcua.review.providers import Figure, ReviewInput
from motcua.staff.models import Role
from motcua.statistics.models import Fact
from motcua.statistics.rollup import delta_of, rollup_apply
from motcua.statistics.scopes import subject_of
from motcua.testing import AgencyFactory, DossierFactory, ProvinceFactory, StaffRoleFactory

pytestmark = pytest.mark.django_db
YEAR = 2025


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def _facts(province_id: int) -> None:
    """2025: 7 received (3 online, 2 counter, 2 by post), 5 finished (4 in time, 1 late), 3
    results by post. 2024: 4 received (1 online, 2 counter, 1 by post), 2 finished (1 in
    time, 1 late), 4 results by post."""
    base = DossierFactory()
    rows: list[dict[str, Any]] = []
    for channel in (2, 2, 2, 1, 1, 3, 3):
        rows.append({"year": YEAR, "channel": channel})
    for channel in (2, 1, 1, 3):
        rows.append({"year": YEAR - 1, "channel": channel})
    outcomes = {
        0: "early",
        1: "early",
        2: "on_time",
        3: "on_time",
        4: "late",
        7: "on_time",
        8: "late",
    }
    post = {0, 1, 2, 7, 8, 9, 10}
    facts = []
    for i, row in enumerate(rows):
        received = dt.date(row["year"], 3, 1 + i)
        finished = received + dt.timedelta(days=10) if i in outcomes else None
        returned = received + dt.timedelta(days=12) if i in post else None
        facts.append(
            Fact(
                code=f"R-{i}",
                source="import",
                province_id=province_id,
                receiving_unit_id=base.receiving_unit_id,
                agency_id=base.competent_agency_id,
                procedure_id=base.procedure_id,
                channel=row["channel"],
                online_level="full",
                state="processed" if finished else "in_process",
                received_at=_at(received),
                received_on=received,
                finished_at=_at(finished) if finished else None,
                finished_on=finished,
                ended="processed" if finished else "",
                outcome=outcomes.get(i, ""),
                processing_seconds=10 * 86400 if finished else None,
                returned_on=returned,
                returned_via="post" if returned else "",
            )
        )
    rollup_apply(delta_of(Fact.objects.bulk_create(facts)))


@pytest.fixture
def place() -> dict[str, Any]:
    province = ProvinceFactory()
    committee = AgencyFactory(
        name="Ủy ban nhân dân thành phố Đà Nẵng",
        kind=AgencyKind.PEOPLES_COMMITTEE,
        administrative_unit=province,
    )
    _facts(province.pk)
    statistician = StaffRoleFactory(role=Role.STATISTICIAN, agency=committee).user
    department = Agency.objects.exclude(pk=committee.pk).first()
    leader = StaffRoleFactory(role=Role.LEADER, agency=department).user
    province_leader = StaffRoleFactory(role=Role.LEADER, agency=committee).user
    return {
        "province": province,
        "statistician": statistician,
        "leader": leader,
        "province_leader": province_leader,
    }


def _document(province_id: int, *, html: bool = False) -> ReviewDocument:
    template = ReviewTemplate.objects.get()
    return review_document(
        template=template,
        sections=list(template.sections.all()),
        review=ReviewInput(YEAR, subject_of("province", province_id)),
        html=html,
        today=dt.date(2026, 1, 15),
    )


def _text(document: ReviewDocument) -> str:
    return "\n".join(str(b.text) for s in document.sections for b in s.blocks)


def test_the_review_writes_the_year_s_figures_in_vietnamese_prose(place: dict[str, Any]) -> None:
    text = _text(_document(place["province"].pk))
    assert (
        "Thành phố Đà Nẵng có 2 hồ sơ được tiếp nhận qua dịch vụ bưu chính công ích, "
        "3 hồ sơ được trả kết quả qua dịch vụ bưu chính công ích." in text
    )
    assert "đã tiếp nhận 7 hồ sơ thủ tục hành chính, tăng 75% so với năm 2024" in text
    # A share with a decimal comma, its change in points.
    assert "chiếm 42,9% tổng số hồ sơ tiếp nhận (tăng 17,9 điểm phần trăm so với năm 2024)" in text
    assert "tỷ lệ giải quyết đúng hạn đạt 80% (tăng 30 điểm phần trăm so với năm 2024)" in text
    # Comparisons both ways.
    assert "số hồ sơ tiếp nhận qua bưu chính tăng 1 hồ sơ" in text
    assert "số hồ sơ trả kết quả qua bưu chính giảm 1 hồ sơ" in text
    assert "Thời gian giải quyết trung bình là 10 ngày (bằng năm 2024)" in text


def test_the_sector_section_says_there_are_no_sector_figures_yet(place: dict[str, Any]) -> None:
    document = _document(place["province"].pk)
    sector = next(s for s in document.sections if s.heading.startswith("VI."))
    assert [str(b.text) for b in sector.blocks] == ["Chưa có số liệu ngành."]


def test_a_sector_provider_s_figures_and_targets_come_into_the_document(
    place: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def sector(review: ReviewInput) -> list[Figure]:
        return [
            Figure("phone_density", "Mật độ điện thoại", 72.6, "máy/100 dân", 70.1, "sector.x"),
            Figure("bts_stations", "Trạm BTS", 2012, "trạm", None, "sector.bts", "đạt chỉ tiêu"),
        ]

    monkeypatch.setitem(providers.PROVIDERS, "sector", sector)
    document = _document(place["province"].pk)
    text = _text(document)
    assert "Mật độ điện thoại: 72,6 máy/100 dân (tăng 2,5 máy/100 dân so với năm 2024)." in text
    assert "Trạm BTS: 2.012 trạm (đạt chỉ tiêu)." in text
    assert {"phone_density", "bts_stations"} <= {f.code for f in document.annex}


def test_a_template_error_is_reported_not_raised(place: dict[str, Any]) -> None:
    template = ReviewTemplate.objects.get()
    first = template.sections.order_by("position").first()
    assert first is not None
    ReviewSection.objects.filter(pk=first.pk).update(body="Năm {{ year }} {% if %}")
    document = _document(place["province"].pk)
    assert "dòng 1" in document.sections[0].error
    assert document.sections[0].blocks == []
    assert document.errors and document.sections[1].blocks  # the rest is written


@pytest.mark.parametrize(
    "body",
    [
        "{% load static %}",
        "{% include 'base.html' %}",
        "{% debug %}",
        "{{ '<b>'|safe }}",
        "{{ f.received|center:'999999999' }}",
        "{% autoescape off %}{{ province }}{% endautoescape %}",
    ],
)
def test_section_texts_are_sandboxed(place: dict[str, Any], body: str) -> None:
    ReviewSection.objects.update(body=body)
    document = _document(place["province"].pk)
    assert all(s.error for s in document.sections)


def test_each_number_of_the_preview_links_to_its_indicator(place: dict[str, Any]) -> None:
    ReviewSection.objects.filter(position=10).update(
        body="<b>{{ f.post_received }}</b> và {{ f.online_share.value|so }}"
    )
    document = _document(place["province"].pk, html=True)
    html = str(document.sections[0].blocks[0].text)
    pk = place["province"].pk
    assert html.startswith('&lt;b&gt;<a class="review-figure"')  # autoescaped prose
    assert (
        f'href="/can-bo/thong-ke/ho-so/?doi-tuong=province&amp;id={pk}&amp;chi-so=recv_post'
        '&amp;tu=2025-01-01&amp;den=2025-12-31"' in html
    )
    assert (
        f'href="/can-bo/thong-ke/?doi-tuong=province&amp;id={pk}&amp;ky=year&amp;nam=2025"' in html
    )
    assert "statistics.online_rate = recv_online / received × 100" in html
    assert ">42,9</a>" in html


def test_the_document_reads_its_figures_in_a_constant_number_of_queries(
    place: dict[str, Any], django_assert_num_queries: Any
) -> None:
    template = ReviewTemplate.objects.get()
    sections = list(template.sections.all())
    review = ReviewInput(YEAR, subject_of("province", place["province"].pk))
    # Figures of this year and last (2 each), the catalogue at both year-ends (2 each), the
    # months of the charts.
    with django_assert_num_queries(9):
        review_document(
            template=template,
            sections=sections,
            review=review,
            html=True,
            today=dt.date(2026, 1, 15),
        )


def test_the_docx_opens_with_the_heading_the_prose_and_the_annex(
    client: Client, place: dict[str, Any]
) -> None:
    client.force_login(place["statistician"])
    response = client.get(reverse("review:docx"), {"nam": YEAR})
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in paragraphs
    assert "I. KHÁI QUÁT CHUNG" in paragraphs
    assert "Phụ lục: nguồn số liệu" in paragraphs
    assert any("3 hồ sơ được trả kết quả qua dịch vụ bưu chính công ích" in p for p in paragraphs)
    heading = doc.tables[0].rows[0].cells
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in heading[1].text
    annex = doc.tables[-1]
    codes = [row.cells[4].text for row in annex.rows]
    assert "statistics.recv_post" in codes and "statistics.ret_post" in codes
    assert len(doc.inline_shapes) >= 3  # the charts


def test_the_pdf_prints_the_prose(client: Client, place: dict[str, Any], tmp_path: Any) -> None:
    client.force_login(place["statistician"])
    response = client.get(reverse("review:pdf"), {"nam": YEAR})
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "review.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(  # noqa: S603 (our own file, a fixed command)
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "qua dịch vụ bưu chính công ích" in " ".join(text.split())
    assert "Phụ lục: nguồn số liệu" in text


def test_the_page_is_for_province_wide_readers(client: Client, place: dict[str, Any]) -> None:
    client.force_login(place["leader"])
    assert client.get(reverse("review:annual"), {"nam": YEAR}).status_code == 403
    assert client.get(reverse("review:pdf"), {"nam": YEAR}).status_code == 403
    client.force_login(place["statistician"])
    response = client.get(reverse("review:annual"), {"nam": YEAR})
    assert response.status_code == 200
    assert 'class="review-figure"' in response.content.decode()


@pytest.mark.parametrize("year", ["1999", "abc", "9999", "20 25"])
def test_a_bad_year_is_refused(client: Client, place: dict[str, Any], year: str) -> None:
    client.force_login(place["statistician"])
    assert client.get(reverse("review:annual"), {"nam": year}).status_code == 400


def test_an_unknown_province_is_not_found(client: Client, place: dict[str, Any]) -> None:
    client.force_login(place["statistician"])
    response = client.get(reverse("review:annual"), {"nam": str(YEAR), "tinh": "999999"})
    assert response.status_code == 404


def test_a_statistician_edits_a_section_audited_and_a_broken_text_is_refused(
    client: Client, place: dict[str, Any]
) -> None:
    template = ReviewTemplate.objects.get()
    section = template.sections.order_by("position").first()
    assert section is not None
    page = reverse("review:template", args=[template.pk])
    data = {
        "section": section.pk,
        "heading": "I. TỔNG QUAN",
        "position": "10",
        "chart": "",
        "chart_title": "",
        "chart_figures": "",
    }
    client.force_login(place["province_leader"])  # reads the province, is no statistician
    assert client.post(page, {**data, "do": "save", "body": "x"}).status_code == 403
    client.force_login(place["statistician"])
    refused = client.post(page, {**data, "do": "save", "body": "{% for %}"})
    assert refused.status_code == 400
    assert "dòng 1" in refused.content.decode()
    section.refresh_from_db()
    assert section.heading == "I. KHÁI QUÁT CHUNG"
    previewed = client.post(
        page + f"?nam={YEAR}", {**data, "do": "preview", "body": "Có {{ f.received }} hồ sơ."}
    )
    assert previewed.status_code == 200
    assert "review-figure" in previewed.content.decode()
    saved = client.post(page, {**data, "do": "save", "body": "Có {{ f.received }} hồ sơ."})
    assert saved.status_code == 302
    section.refresh_from_db()
    assert section.heading == "I. TỔNG QUAN"
    entry = AuditEntry.objects.get(action="review.section_update")
    assert entry.before["heading"] == "I. KHÁI QUÁT CHUNG"  # type: ignore[index]
    assert entry.after["heading"] == "I. TỔNG QUAN"  # type: ignore[index]


def test_a_statistician_renames_the_template_audited_and_a_bad_title_is_refused(
    client: Client, place: dict[str, Any]
) -> None:
    template = ReviewTemplate.objects.get()
    page = reverse("review:template", args=[template.pk])
    data = {"do": "template", "name": "Mẫu 2025", "issuer": "Sở KH&CN", "year_from": "2025"}
    client.force_login(place["statistician"])
    refused = client.post(page, {**data, "title": "Năm {% if %}", "active": "1"})
    assert refused.status_code == 400
    template.refresh_from_db()
    assert template.year_from == 2020
    saved = client.post(page, {**data, "title": "Tổng kết năm {{ year }}", "active": "1"})
    assert saved.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.year_from, template.active) == ("Mẫu 2025", 2025, True)
    assert AuditEntry.objects.filter(action="review.template_update").count() == 1
    document = _document(place["province"].pk)
    assert document.title == "Tổng kết năm 2025"


def test_procedures_online_are_counted_from_the_catalogue_s_history(
    place: dict[str, Any],
) -> None:
    procedure = Procedure.objects.get()
    legacy = ProvisionState("", 4, True, procedure.agency_id, procedure.level)
    procedure_provision_record(
        procedure=procedure,
        valid_from=dt.date(2019, 1, 1),
        valid_to=dt.date(2022, 9, 1),
        state=legacy,
    )
    today = dataclasses.replace(legacy, online_level="full", legacy_online_level=None)
    procedure_provision_record(procedure=procedure, valid_from=dt.date(2022, 9, 1), state=today)
    template = ReviewTemplate.objects.get()
    section = template.sections.get(heading="II. CUNG CẤP DỊCH VỤ CÔNG TRỰC TUYẾN")

    def text(year: int) -> str:
        document = review_document(
            template=template,
            sections=[section],
            review=ReviewInput(year, subject_of("province", place["province"].pk)),
            html=False,
            today=dt.date(2026, 1, 15),
        )
        return str(document.sections[0].blocks[0].text)

    assert "trong đó 0 thủ tục mức độ 3 và 1 thủ tục mức độ 4" in text(2021)
    assert "1 thủ tục hành chính cung cấp trực tuyến, trong đó 1 thủ tục toàn trình" in text(2025)
    assert "(bằng năm 2024)" in text(2025)
