"""The public statistics page: the province's figures, by agency, with its open-data links."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from motcua.statistics.dashboard import last_closed_quarter

from .test_dashboard import Province, province_with_facts

pytestmark = pytest.mark.django_db


@pytest.fixture
def prov() -> Province:
    return province_with_facts()


def test_anyone_reads_the_province_this_year_and_last_quarter(prov: Province) -> None:
    response = Client().get("/thong-ke/")
    assert response.status_code == 200
    html = response.content.decode()
    assert prov.province.name in html
    assert "/api/v1/statistics/agencies" in html and "format=csv" in html
    assert 'data-chart="groups"' in html or "Sở Tư pháp" in html
    assert "/can-bo/thong-ke/ho-so/" not in html  # no list of dossiers for the public
    names = [v["name"] for v in response.context["views"]]
    assert names == ["year", "quarter"]


def test_last_closed_quarter_goes_back_a_year_in_january() -> None:
    assert last_closed_quarter(dt.date(2027, 1, 15)).label == "Quý IV/2026"
    assert last_closed_quarter(dt.date(2026, 8, 1)).label == "Quý II/2026"


def test_without_a_province_the_page_says_so() -> None:
    assert Client().get("/thong-ke/").status_code == 404


def test_the_public_page_costs_constant_queries(
    prov: Province, django_assert_num_queries: Any
) -> None:
    # The province (3), then twice: the figures with the breakdown (3), a year earlier (2),
    # the months (1), the open counts (2), the agencies (1).
    with django_assert_num_queries(23):  # two dashboards, each with the year's targets
        Client().get("/thong-ke/")
