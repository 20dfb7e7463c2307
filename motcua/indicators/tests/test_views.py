"""The scorecard and ranking pages, the API, and the pages of the indicator sets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from motcua.audit.models import AuditEntry
from motcua.dossiers.models import Dossier
from motcua.indicators.models import Indicator, IndicatorSet
from motcua.staff.models import Role
from motcua.staff.services import staff_token_issue
from motcua.testing import AgencyFactory, DossierFactory, StaffRoleFactory, UserFactory

from .helpers import director_and_statistician, fact, roll

pytestmark = pytest.mark.django_db

URL = "/can-bo/thong-ke/chi-so-766/"
API = "/api/v1/indicators/scorecard"
MARCH = dt.date(2026, 3, 10)
Q1 = "ky=quarter&nam=2026&so=1"


@pytest.fixture
def base() -> Dossier:
    dossier = DossierFactory()
    roll(
        fact(dossier, MARCH, finished=MARCH + dt.timedelta(days=2), outcome="early", channel=2),
        fact(dossier, MARCH, finished=MARCH + dt.timedelta(days=9), outcome="late"),
    )
    return dossier


def _api(user: object | None) -> Client:
    """Return a client calling the API with ``user``'s staff token (none: anonymous)."""
    if user is None:
        return Client()
    key = staff_token_issue(user=user)  # type: ignore[arg-type]
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_a_director_sees_the_province_score_and_the_links_to_its_dossiers(base: Dossier) -> None:
    province = base.receiving_unit.administrative_unit_id
    director, _statistician = director_and_statistician(province)
    response = _client(director).get(f"{URL}?{Q1}")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="total-score"' in page
    assert (
        f"/can-bo/thong-ke/ho-so/?doi-tuong=province&amp;id={province}&amp;gop=1"
        "&amp;chi-so=fin_late&amp;tu=01%2F01%2F2026&amp;den=31%2F03%2F2026"
    ) in page
    assert "không có dữ liệu" in page  # petitions


def test_the_page_of_an_agency_is_closed_to_another_agency(base: Dossier) -> None:
    outsider = UserFactory()
    StaffRoleFactory(user=outsider, role=Role.LEADER, agency=AgencyFactory())
    url = f"{URL}?doi-tuong=agency&id={base.competent_agency_id}&{Q1}"
    assert _client(outsider).get(url).status_code == 403
    leader = UserFactory()
    StaffRoleFactory(user=leader, role=Role.LEADER, agency=base.competent_agency)
    assert _client(leader).get(url).status_code == 200
    assert Client().get(url).status_code == 302  # to the login page


def test_the_scorecard_picks_its_subject_by_name_from_what_the_reader_reads(
    base: Dossier,
) -> None:
    agency = base.competent_agency
    leader = UserFactory()
    StaffRoleFactory(user=leader, role=Role.LEADER, agency=agency)
    client = _client(leader)
    page = client.get(f"{URL}?chon=agency:{agency.pk}&{Q1}").content.decode()
    assert f'<option value="agency:{agency.pk}" selected>{agency.name}</option>' in page
    assert 'value="province:' not in page  # not a province-wide reader
    other = AgencyFactory()
    assert client.get(f"{URL}?chon=agency:{other.pk}&{Q1}").status_code == 403
    assert client.get(f"{URL}?chon=agency:x&{Q1}").status_code == 400


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("ky=quarter&nam=2026&so=9", 400),
        ("ky=fortnight&nam=2026", 400),
        ("ky=dates&tu=31/02/2026&den=01/03/2026", 400),
        ("ky=dates&tu=10/03/2026&den=01/03/2026", 400),
        ("nam=abc", 400),
        ("doi-tuong=planet&id=1", 400),
        ("doi-tuong=agency&id=999999", 404),
        ("chon=agency:999999", 404),
        ("chon=planet:1", 400),
        ("ky=year&nam=2020", 404),  # no set in force yet
    ],
)
def test_bad_subjects_and_periods_are_answered_clearly(
    base: Dossier, query: str, status: int
) -> None:
    user = UserFactory(is_staff=True)
    StaffRoleFactory(user=user, role=Role.STATISTICIAN, agency=base.competent_agency)
    assert _client(user).get(f"{URL}?{query}").status_code == status
    assert _api(user).get(f"{API}?{query}").status_code == status


def test_the_api_gives_the_same_scorecard_with_its_links(base: Dossier) -> None:
    province = base.receiving_unit.administrative_unit_id
    _director, statistician = director_and_statistician(province)
    response = _api(statistician).get(f"{API}?doi-tuong=agency&id={base.competent_agency_id}&{Q1}")
    assert response.status_code == 200
    body = response.json()
    assert body["rules"]["code"] == "766-2022"
    assert body["subject"]["kind"] == "agency"
    td = next(g for g in body["groups"] if g["code"] == "TD")
    td1 = td["indicators"][0]
    assert (td1["value"], td1["points"]) == (50.0, 10.0)
    assert td1["denominator"][2]["href"].endswith(
        "chi-so=fin_late&tu=01%2F01%2F2026&den=31%2F03%2F2026"
    )
    petitions = next(g for g in body["groups"] if g["code"] == "HL")["indicators"][1]
    assert petitions["points"] is None and petitions["value"] is None
    outsider = UserFactory()
    StaffRoleFactory(user=outsider, role=Role.STATISTICIAN, agency=AgencyFactory())
    # An agency's statistician: the province is not theirs; asking for nothing, their own.
    assert _api(outsider).get(f"{API}?doi-tuong=province&id={province}&{Q1}").status_code == 403
    assert _api(outsider).get(f"{API}?{Q1}").json()["subject"]["kind"] == "agency"
    assert _api(None).get(f"{API}?{Q1}").status_code == 401


def test_the_ranking_lists_the_province_agencies(base: Dossier) -> None:
    province = base.receiving_unit.administrative_unit_id
    director, _statistician = director_and_statistician(province)
    response = _client(director).get(f"{URL}xep-hang/?{Q1}")
    assert response.status_code == 200
    assert base.competent_agency.name in response.content.decode()
    agency_query = f"doi-tuong=agency&id={base.competent_agency_id}&{Q1}"
    assert _client(director).get(f"{URL}xep-hang/?{agency_query}").status_code == 400


def test_a_statistician_copies_edits_and_publishes_a_version(base: Dossier) -> None:
    province = base.receiving_unit.administrative_unit_id
    director, statistician = director_and_statistician(province)
    assert _client(director).get(f"{URL}bo-chi-so/").status_code == 403
    client = _client(statistician)
    assert client.get(f"{URL}bo-chi-so/").status_code == 200
    old = IndicatorSet.objects.get(code="766-2022")
    response = client.post(
        f"{URL}bo-chi-so/", {"source": old.pk, "code": "766-2027", "valid_from": "01/01/2027"}
    )
    assert response.status_code == 302
    draft = IndicatorSet.objects.get(code="766-2027")
    assert not draft.published
    tt2 = Indicator.objects.get(group__indicator_set=draft, code="TT2")
    bad = client.post(
        f"{URL}bo-chi-so/{draft.pk}/",
        {"action": "indicator", "indicator": tt2.pk, "max_points": "8",
         "params": '{"numerator": "recv_by_pigeon", "denominator": "received"}'},
    )  # fmt: skip
    assert bad.status_code == 400
    assert "recv_by_pigeon" in bad.content.decode()
    assert (
        client.post(
            f"{URL}bo-chi-so/{draft.pk}/",
            {"action": "indicator", "indicator": tt2.pk, "max_points": "8", "params": "{not json"},
        ).status_code
        == 400
    )
    good = client.post(
        f"{URL}bo-chi-so/{draft.pk}/",
        {"action": "indicator", "indicator": tt2.pk, "max_points": "8",
         "params": '{"numerator": "recv_online", "denominator": "received", "full_score_at": 60}'},
    )  # fmt: skip
    assert good.status_code == 302
    assert client.post(f"{URL}bo-chi-so/{draft.pk}/", {"action": "publish"}).status_code == 302
    assert IndicatorSet.objects.get(pk=draft.pk).published
    # Published: no more changes.
    again = client.post(
        f"{URL}bo-chi-so/{draft.pk}/",
        {"action": "indicator", "indicator": tt2.pk, "max_points": "1", "params": "{}"},
    )
    assert again.status_code == 409
    assert AuditEntry.objects.filter(action__startswith="indicators.").count() == 3
    duplicate = client.post(
        f"{URL}bo-chi-so/", {"source": old.pk, "code": "766-2027", "valid_from": "01/01/2028"}
    )
    assert duplicate.status_code == 400
    assert client.get(f"{URL}bo-chi-so/999999/").status_code == 404


HOSTILE = ["\x00", "-1", "1e309", "9" * 40, "' OR 1=1 --", "<script>", "%", "Đà Nẵng", " ", "0"]
NAMES = ["doi-tuong", "id", "gop", "ky", "nam", "so", "tu", "den"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_parameters_never_break_the_page_or_the_api(base: Dossier, value: str) -> None:
    user = UserFactory(is_staff=True)
    StaffRoleFactory(user=user, role=Role.STATISTICIAN, agency=base.competent_agency)
    director_and_statistician(base.receiving_unit.administrative_unit_id)
    page, api = _client(user), _api(user)
    for name in NAMES:
        for client, url in ((page, URL), (api, API), (page, f"{URL}xep-hang/")):
            status = client.get(url, {name: value}).status_code
            assert status in (200, 400, 403, 404), (url, name, value, status)
