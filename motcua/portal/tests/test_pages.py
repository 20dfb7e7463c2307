"""The citizen's pages: home, search (with htmx), procedure page, not found."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import OnlineLevel, Procedure
from motcua.testing import AgencyFactory, ProcedureFactory

pytestmark = pytest.mark.django_db
EN = {"Cookie": "django_language=en"}  # the language switch's choice


def test_home_shows_search_popular_procedures_and_tracking(
    client: Client, birth_registration: Procedure
) -> None:
    response = client.get(reverse("portal:home"), headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    assert "Đăng ký khai sinh" in html
    assert 'name="code"' in html
    assert '<main id="main"' in html
    assert 'lang="en"' in html


def test_home_is_in_vietnamese_by_default(client: Client, birth_registration: Procedure) -> None:
    response = client.get(reverse("portal:home"))

    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()


def test_language_switch_posts_to_set_language(client: Client) -> None:
    html = client.get(reverse("portal:home")).content.decode()

    assert f'action="{reverse("set_language")}"' in html
    assert 'value="en"' in html
    assert 'value="vi"' in html


def test_search_without_diacritics_finds_the_procedure(
    client: Client, birth_registration: Procedure
) -> None:
    ProcedureFactory(name="Cấp giấy phép xây dựng")

    response = client.get(reverse("portal:search"), {"q": "dang ky KHAI SINH"}, headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng ký khai sinh" in html
    assert "giấy phép xây dựng" not in html
    assert reverse("portal:procedure", args=[birth_registration.code]) in html


def test_search_filters_by_agency_and_online_level(client: Client) -> None:
    agency = AgencyFactory(name="Sở Tư pháp")
    wanted = ProcedureFactory(name="Cấp phiếu lý lịch tư pháp", agency=agency)
    ProcedureFactory(name="Cấp lý lịch khác", online_level=OnlineLevel.PARTIAL, agency=agency)
    ProcedureFactory(name="Lý lịch ở sở khác")

    response = client.get(
        reverse("portal:search"), {"q": "ly lich", "agency": agency.code, "online": "full"}
    )

    html = response.content.decode()
    assert wanted.name in html
    assert "Cấp lý lịch khác" not in html
    assert "Lý lịch ở sở khác" not in html


def test_search_with_htmx_returns_only_the_results_fragment(
    client: Client, birth_registration: Procedure
) -> None:
    response = client.get(reverse("portal:search"), {"q": "khai sinh"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html
    assert "Đăng ký khai sinh" in html
    assert "HX-Request" in response["Vary"]


def test_search_without_htmx_returns_the_whole_page(
    client: Client, birth_registration: Procedure
) -> None:
    response = client.get(reverse("portal:search"), {"q": "khai sinh"})

    html = response.content.decode()
    assert "<html" in html
    assert 'hx-get="' in html
    assert 'id="results"' in html


def test_search_history_restore_gets_the_whole_page(
    client: Client, birth_registration: Procedure
) -> None:
    response = client.get(
        reverse("portal:search"),
        {"q": "khai sinh"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )

    assert "<html" in response.content.decode()


def test_search_paginates_and_keeps_the_query(client: Client) -> None:
    ProcedureFactory.create_batch(23, name="Thủ tục hộ tịch")

    first = client.get(reverse("portal:search"), {"q": "ho tich"}).content.decode()
    second = client.get(reverse("portal:search"), {"q": "ho tich", "page": "2"}).content.decode()

    assert first.count('class="result"') == 20
    assert "q=ho+tich&amp;page=2" in first
    assert second.count('class="result"') == 3


def test_search_with_an_unknown_filter_value_says_so(client: Client) -> None:
    response = client.get(reverse("portal:search"), {"level": "district"})

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_search_page_costs_a_constant_number_of_queries(
    client: Client, django_assert_max_num_queries: object
) -> None:
    ProcedureFactory.create_batch(10)

    with django_assert_max_num_queries(8):  # type: ignore[operator]
        response = client.get(reverse("portal:search"))

    assert response.status_code == 200


def test_procedure_page_shows_components_fees_time_basis_agency_and_channels(
    client: Client, birth_registration: Procedure
) -> None:
    response = client.get(reverse("portal:procedure", args=[birth_registration.code]), headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Đăng ký khai sinh" in html
    assert "Tờ khai theo mẫu" in html
    assert "Giấy chứng sinh" in html
    assert "1 original" in html
    assert "8.000 VND" in html
    assert "5 working days" in html
    assert "Luật Hộ tịch số 60/2014/QH13" in html
    assert birth_registration.agency.name in html
    assert "Through the public postal service" in html
    assert reverse("portal:submit", args=[birth_registration.code]) in html


def test_procedure_not_offered_online_has_no_submit_button(client: Client) -> None:
    procedure = ProcedureFactory(accepts_online=False, online_level=OnlineLevel.NONE)

    response = client.get(reverse("portal:procedure", args=[procedure.code]))

    assert response.status_code == 200
    assert reverse("portal:submit", args=[procedure.code]) not in response.content.decode()


def test_unknown_procedure_is_a_404_page_in_vietnamese(client: Client, db: None) -> None:
    response = client.get(reverse("portal:procedure", args=["9.999999.000.00.00.H15"]))

    assert response.status_code == 404
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert "<main" in html


def test_unpublished_procedure_is_not_found(client: Client) -> None:
    procedure = ProcedureFactory(is_published=False)

    response = client.get(reverse("portal:procedure", args=[procedure.code]))

    assert response.status_code == 404
