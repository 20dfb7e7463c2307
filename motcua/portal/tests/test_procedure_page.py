"""A procedure's page for the person choosing: steps, who may apply, forms, counters and hours."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from motcua.calendar.models import WorkingTime
from motcua.catalog.models import Component, Procedure
from motcua.organisation.models import AgencyKind, GovernmentLevel
from motcua.testing import AgencyFactory, CommuneFactory, OneStopUnitFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure() -> Procedure:
    proc = ProcedureFactory(name="Đăng ký khai sinh")
    version = proc.current_version
    assert version is not None
    version.steps = ["Nộp hồ sơ tại Bộ phận Một cửa.", "Nhận kết quả theo giấy hẹn."]
    version.applicants = "Công dân Việt Nam"
    version.save()
    form = version.components.get(order=1)
    form.template_name = "Tờ khai đăng ký khai sinh"
    form.save()
    return proc


def page(client: Client, proc: Procedure) -> str:
    response = client.get(reverse("portal:procedure", args=[proc.code]))
    assert response.status_code == 200
    return response.content.decode()


def form_url(proc: Procedure, component: Component) -> str:
    return reverse("portal:component-template", args=[proc.code, component.pk])


def test_the_page_shows_steps_in_order_and_who_may_apply(
    client: Client, procedure: Procedure
) -> None:
    html = page(client, procedure)
    assert "Trình tự thực hiện" in html
    assert html.index("Nộp hồ sơ tại Bộ phận Một cửa.") < html.index("Nhận kết quả theo giấy hẹn.")
    assert "Đối tượng thực hiện" in html and "Công dân Việt Nam" in html


def test_a_component_on_a_form_can_be_downloaded_blank(
    client: Client, procedure: Procedure
) -> None:
    version = procedure.current_version
    assert version is not None
    form = version.components.get(order=1)
    html = page(client, procedure)
    assert form_url(procedure, form) in html
    assert "Tải mẫu đơn, tờ khai: Tờ khai đăng ký khai sinh" in html

    response = client.get(form_url(procedure, form))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0].extract_text()  # type: ignore[attr-defined]
    # The form's real title and fields: those the procedure's e-form asks.
    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in text
    for label in ("Họ tên người được đăng ký", "Ngày sinh", "Ghi chú"):
        assert label in text
    assert procedure.agency.name in text


def test_a_component_without_a_form_has_no_download(client: Client, procedure: Procedure) -> None:
    version = procedure.current_version
    assert version is not None
    plain = version.components.get(order=2)
    assert form_url(procedure, plain) not in page(client, procedure)
    assert client.get(form_url(procedure, plain)).status_code == 404
    # Another procedure's component is not this one's.
    other = ProcedureFactory()
    assert other.current_version is not None
    theirs = other.current_version.components.get(order=1)
    theirs.template_name = "Tờ khai khác"
    theirs.save()
    assert client.get(form_url(procedure, theirs)).status_code == 404


def test_an_unpublished_procedure_has_no_forms(client: Client, procedure: Procedure) -> None:
    version = procedure.current_version
    assert version is not None
    procedure.is_published = False
    procedure.save()
    assert client.get(form_url(procedure, version.components.get(order=1))).status_code == 404


def test_counters_of_a_province_procedure_are_the_centre_and_its_branches(
    client: Client, procedure: Procedure
) -> None:
    centre = OneStopUnitFactory(name="Trung tâm Phục vụ hành chính công", address="24 Trần Phú")
    OneStopUnitFactory(name="Chi nhánh số 2", kind=AgencyKind.CENTRE_BRANCH)
    OneStopUnitFactory(name="Chi nhánh số 1", kind=AgencyKind.CENTRE_BRANCH)
    OneStopUnitFactory(name="Đã đóng", is_active=False)
    html = page(client, procedure)
    section = html[html.index('id="counters-heading"') :]
    assert centre.address in section
    assert (
        section.index("Trung tâm Phục vụ hành chính công")
        < section.index("Chi nhánh số 1")
        < section.index("Chi nhánh số 2")
    )
    assert "Đã đóng" not in section
    assert "không phụ thuộc địa giới hành chính" in section


def test_a_commune_procedure_is_received_at_its_communes_unit(client: Client) -> None:
    commune = CommuneFactory()
    ward = AgencyFactory(
        name="UBND phường Hải Châu",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        level=GovernmentLevel.COMMUNE,
        administrative_unit=commune,
    )
    OneStopUnitFactory(
        name="Trung tâm phục vụ hành chính công phường Hải Châu",
        kind=AgencyKind.COMMUNE_CENTRE,
        level=GovernmentLevel.COMMUNE,
        administrative_unit=commune,
    )
    OneStopUnitFactory(name="Trung tâm Phục vụ hành chính công thành phố")
    proc = ProcedureFactory(agency=ward, level=GovernmentLevel.COMMUNE, boundary_free=False)
    section = page(client, proc).split('id="counters-heading"')[1]
    assert "phường Hải Châu" in section
    assert "Trung tâm Phục vụ hành chính công thành phố" not in section
    assert "không phụ thuộc địa giới hành chính" not in section


def test_opening_hours_follow_the_calendar_seasons(client: Client, procedure: Procedure) -> None:
    WorkingTime.objects.create(name="Giờ mùa hè", starts_month=5, starts_day=1)
    WorkingTime.objects.create(
        name="Giờ mùa đông",
        starts_month=10,
        starts_day=1,
        morning_start=dt.time(7, 30),
        afternoon_start=dt.time(13, 0),
        afternoon_end=dt.time(16, 30),
    )
    html = page(client, procedure)
    assert "Giờ mùa hè" in html and "Giờ mùa đông" in html
    assert "chiều 13:00–16:30" in html


def test_no_counter_section_when_not_received_at_a_counter(
    client: Client, procedure: Procedure
) -> None:
    procedure.accepts_counter = False
    procedure.save()
    assert 'id="counters-heading"' not in page(client, procedure)
