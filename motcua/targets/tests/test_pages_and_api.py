"""The targets page and API: who reads, who sets, bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.targets.models import Target
from motcua.testing import StatisticsCast

pytestmark = pytest.mark.django_db
URL = "/can-bo/thong-ke/chi-tieu/"


def test_anonymous_goes_to_sign_in_and_an_outsider_is_refused(
    client: Client, cast: StatisticsCast
) -> None:
    response = client.get(URL)
    assert response["Location"] == f"/can-bo/dang-nhap/?next={URL}"
    client.force_login(cast.outsider)
    assert client.get(URL).status_code == 403
    assert client.post(f"{URL}dat/", {"year": "2026"}).status_code == 403


def test_a_statistician_sets_a_target_and_a_reader_only_reads(
    client: Client, cast: StatisticsCast
) -> None:
    client.force_login(cast.statistician)
    response = client.post(
        f"{URL}dat/",
        {
            "year": "2026",
            "indicator": "full_online_rate",
            "scope": f"p-{cast.province.pk}",
            "value": "50",
            "note": "Hơn 50% hồ sơ được xử lý trực tuyến",
        },
    )
    assert response.status_code == 302
    target = Target.objects.get()
    assert target.value == 50 and target.province == cast.province
    client.force_login(cast.reader)
    page = client.get(URL, {"year": "2026"})
    assert page.status_code == 200
    assert "Hơn 50% hồ sơ" in page.content.decode()
    assert 'data-action="set-target"' not in page.content.decode()
    refused = client.post(
        f"{URL}dat/",
        {"year": "2026", "indicator": "reuse_rate", "scope": f"p-{cast.province.pk}", "value": "1"},
    )
    assert refused.status_code == 403
    assert client.post(f"{URL}{target.pk}/xoa/", {"year": "2026"}).status_code == 403


def test_a_bad_value_is_shown_next_to_its_field(client: Client, cast: StatisticsCast) -> None:
    client.force_login(cast.leader)
    response = client.post(
        f"{URL}dat/",
        {
            "year": "2026",
            "indicator": "reuse_rate",
            "scope": f"p-{cast.province.pk}",
            "value": "120",
        },
    )
    assert response.status_code == 400
    assert "Tỷ lệ phần trăm không vượt quá 100." in response.content.decode()
    assert client.get(URL, {"year": "20x6"}).status_code == 400


def test_the_api_lists_the_targets_of_a_year(client: Client, cast: StatisticsCast) -> None:
    client.force_login(cast.statistician)
    client.post(
        f"{URL}dat/",
        {
            "year": "2026",
            "indicator": "telephone_density",
            "scope": f"p-{cast.province.pk}",
            "value": "105",
        },
    )
    client.logout()
    body = client.get("/api/v1/targets", {"year": "2026"}).json()
    assert body == [
        {
            "indicator": "telephone_density",
            "name": "Mật độ điện thoại",
            "unit": "per100",
            "unit_label": "máy/100 dân",
            "direction": "at_least",
            "year": 2026,
            "province": {"id": cast.province.pk, "code": "48", "name": "Thành phố Đà Nẵng"},
            "agency": None,
            "value": "105.0000",
            "note": "",
        }
    ]
    assert client.get("/api/v1/targets", {"year": "2025"}).json() == []
    bad = client.get("/api/v1/targets", {"year": "năm"})
    assert bad.status_code == 400 and "year" in bad.json()["error"]["fields"]
    assert client.get("/api/v1/targets").status_code == 400
