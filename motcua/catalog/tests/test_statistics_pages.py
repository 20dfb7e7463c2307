"""The staff page and the API of procedures offered online as of a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from motcua.catalog.history import ProvisionState, procedure_provision_record
from motcua.catalog.models import ProvisionSource
from motcua.organisation.models import Agency
from motcua.staff.models import Role
from motcua.testing import AgencyFactory, ProcedureFactory, StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/can-bo/thong-ke/muc-do-truc-tuyen/"
API = "/api/v1/statistics/online-provision"


@pytest.fixture
def history() -> Agency:
    """Sở Tư pháp: two procedures at levels 3 and 4 in 2019, one fully online since 2023."""
    agency = AgencyFactory(name="Sở Tư pháp")
    for n, legacy in enumerate((3, 4)):
        procedure_provision_record(
            procedure=ProcedureFactory(agency=agency, code=f"2.00000{n}.000.00.00.H46"),
            valid_from=dt.date(2019, 1, 1),
            valid_to=dt.date(2020, 1, 1),
            state=ProvisionState("", legacy, True, agency.pk, "province"),
            source=ProvisionSource.IMPORT,
        )
    procedure_provision_record(
        procedure=ProcedureFactory(agency=agency),
        valid_from=dt.date(2023, 1, 1),
        state=ProvisionState("full", None, True, agency.pk, "province"),
    )
    return agency


@pytest.fixture
def officer(client: Client, history: Agency) -> Client:
    user = UserFactory(username="thongke")
    StaffRoleFactory(user=user, role=Role.STATISTICIAN, agency=history)
    client.force_login(user)
    return client


def test_the_page_shows_levels_3_and_4_as_of_the_end_of_2019(officer: Client) -> None:
    response = officer.get(PAGE, {"ngay": "2019-12-31"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Mức độ 3" in text and "Mức độ 4" in text
    assert "50,0 %" in text


def test_the_page_shows_full_and_partial_today_and_downloads_csv(officer: Client) -> None:
    response = officer.get(PAGE, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 200
    assert "Toàn trình" in response.content.decode()
    download = officer.get(PAGE, {"ngay": timezone.localdate().isoformat(), "tai": "csv"})
    assert download["Content-Type"].startswith("text/csv")
    lines = download.content.decode("utf-8-sig").splitlines()
    assert lines[1].split(",")[1] == "1"


@pytest.mark.parametrize("value", ["31/02/2019", "hôm qua", "1999-12-31", "2999-01-01"])
def test_a_bad_date_is_a_400_on_the_page(officer: Client, value: str) -> None:
    assert officer.get(PAGE, {"ngay": value}).status_code == 400


def test_an_unknown_agency_is_a_404_on_the_page(officer: Client) -> None:
    assert officer.get(PAGE, {"co-quan": "999999"}).status_code == 404
    assert officer.get(PAGE, {"co-quan": "abc"}).status_code == 404


def test_the_page_needs_a_staff_role(client: Client, history: Agency) -> None:
    assert client.get(PAGE).status_code == 302
    client.force_login(UserFactory())
    assert client.get(PAGE).status_code == 403


def api(user: Any) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")


def test_the_api_gives_the_counts_of_a_date(history: Agency) -> None:
    user = UserFactory()
    StaffRoleFactory(user=user, role=Role.LEADER, agency=history)
    body = api(user).get(API, {"as_of": "2019-12-31", "agency": str(history.pk)}).json()
    assert body["scheme"] == "legacy"
    assert body["total"]["level_3"] == 1 and body["total"]["level_4"] == 1
    assert body["total"]["share_level_3_4"] == 100.0
    assert body["by_agency"][0]["name"] == "Sở Tư pháp"
    assert body["by_level"][0]["level"] == "province"
    today = api(user).get(API).json()
    assert (today["scheme"], today["total"]["full"]) == ("current", 1)


def test_the_api_refuses_bad_input_and_outsiders(history: Agency) -> None:
    user = UserFactory()
    StaffRoleFactory(user=user, role=Role.SPECIALIST, agency=history)
    response = api(user).get(API, {"as_of": "2019-13-01"})
    assert response.status_code == 400
    assert "as_of" in response.json()["error"]["fields"]
    assert api(user).get(API, {"as_of": "1990-01-01"}).status_code == 400
    assert api(user).get(API, {"agency": "999999"}).status_code == 404
    assert api(UserFactory()).get(API).status_code == 403
    assert Client().get(API).status_code in (401, 403)


def test_the_api_is_in_the_schema(client: Client) -> None:
    schema = client.get("/api/v1/schema/").content.decode()
    assert "/api/v1/statistics/online-provision" in schema
    assert "statistics_online_provision" in schema
