"""The admin: metrics added there get their target indicator; periods and figures are read only."""

from __future__ import annotations

import pytest
from django.test import Client

from motcua.audit.models import AuditEntry
from motcua.sector.models import SectorMetric
from motcua.targets.models import TargetIndicator
from motcua.testing import UserFactory

pytestmark = pytest.mark.django_db


def test_a_metric_added_in_the_admin_gets_its_indicator(client: Client) -> None:
    client.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))
    for url in (
        "/admin/sector/sectormetric/",
        "/admin/sector/sectorperiod/",
        "/admin/sector/sectorfigure/",
        "/admin/targets/targetindicator/",
        "/admin/targets/target/",
        "/admin/sector/sectormetric/add/",
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(
        "/admin/sector/sectormetric/add/",
        {
            "code": "wifi_points",
            "name": "Điểm wifi công cộng",
            "unit_label": "điểm",
            "kind": "count",
            "order": "200",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content[:500]
    metric = SectorMetric.objects.get(code="wifi_points")
    assert TargetIndicator.objects.get(code="wifi_points").unit == "number"
    assert AuditEntry.objects.filter(action="sector.metric_save", object_id=str(metric.pk)).exists()
    assert client.get("/admin/sector/sectorfigure/add/").status_code == 403
