"""The procedure page says the legal time with its cases."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.catalog.models import Procedure, ProcessingCase

pytestmark = pytest.mark.django_db
EN = {"Cookie": "django_language=en"}


@pytest.fixture
def judicial_record(birth_registration: Procedure) -> Procedure:
    """The factory's procedure (5 working days), with a case that takes 15."""
    version = birth_registration.current_version
    assert version is not None
    ProcessingCase.objects.create(
        version=version,
        order=1,
        code="XAC-MINH",
        name="Trường hợp cần xác minh",
        processing_time_value=Decimal(15),
        note="Đã cư trú ở nhiều nơi",
        legal_basis="Luật Lý lịch tư pháp 2009, Điều 48",
    )
    ProcessingCase.objects.create(
        version=version,
        order=2,
        code="DUOI-14",
        name="Người dưới 14 tuổi",
        processing_time_value=Decimal(3),
    )
    return birth_registration


def test_the_page_says_the_time_with_its_cases_in_one_line(
    client: Client, judicial_record: Procedure
) -> None:
    url = reverse("portal:procedure", args=[judicial_record.code])

    vi = client.get(url).content.decode()
    en = client.get(url, headers=EN).content.decode()

    assert (
        "5 ngày làm việc; trường hợp cần xác minh: 15 ngày làm việc; "
        "người dưới 14 tuổi: 3 ngày làm việc" in vi
    )
    assert "5 working days; trường hợp cần xác minh: 15 working days" in en
    # When a case applies and why, under the line; a case with neither adds nothing.
    assert "Đã cư trú ở nhiều nơi" in vi
    assert "Luật Lý lịch tư pháp 2009, Điều 48" in vi
    assert "<strong>Người dưới 14 tuổi</strong>" not in vi


def test_the_cases_cost_no_query_per_case(client: Client, judicial_record: Procedure) -> None:
    url = reverse("portal:procedure", args=[judicial_record.code])
    client.get(url)  # what a first request reads once (session, ...)
    with CaptureQueriesContext(connection) as two:
        client.get(url)
    assert judicial_record.current_version is not None
    ProcessingCase.objects.create(
        version=judicial_record.current_version,
        order=3,
        code="KHAN",
        name="Khẩn",
        processing_time_value=Decimal(1),
        note="Khi có yêu cầu khẩn",
    )

    with CaptureQueriesContext(connection) as three:
        response = client.get(url)

    assert "Khi có yêu cầu khẩn" in response.content.decode()
    assert len(three) == len(two)
