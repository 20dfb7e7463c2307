"""The dashboard on the demo province: every page answers, every figure clicks through."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client

from motcua.demo.services import DemoSummary
from motcua.demo.tests.conftest import _fast_hasher, demo, demo_media  # noqa: F401 (fixtures)
from motcua.organisation.models import Agency, AgencyKind
from motcua.staff.models import Role
from motcua.statistics.services import statistics_refresh
from motcua.testing import StaffRoleFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_dashboard_answers_and_its_numbers_click_through(
    demo: DemoSummary,  # noqa: F811
    demo_media: Path,  # noqa: F811
) -> None:
    statistics_refresh()
    committee = Agency.objects.filter(kind=AgencyKind.PEOPLES_COMMITTEE).first()
    assert committee is not None
    user = UserFactory(username="thongke-demo")
    StaffRoleFactory(user=user, role=Role.STATISTICIAN, agency=committee)
    client = Client()
    client.force_login(user)
    page = client.get("/can-bo/thong-ke/")
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["d"].totals["received"] > 0
    for nhom in ("agency", "unit", "commune"):
        assert client.get("/can-bo/thong-ke/", {"nhom": nhom}).status_code == 200
    links = re.findall(r'href="(/can-bo/thong-ke/ho-so/\?[^"]*)" data-measure="(\w+)">(\d+)<', html)
    assert links
    for url, measure, number in links:
        listed = client.get(url.replace("&amp;", "&"))
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == int(number), measure
    assert client.get("/can-bo/thong-ke/", {"tai": "xlsx"}).status_code == 200
    cache.clear()
    assert Client().get("/thong-ke/").status_code == 200
    assert Client().get("/api/v1/statistics/agencies").status_code == 200
