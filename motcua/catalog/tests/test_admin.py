from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.catalog.importing import export_json
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.organisation.models import Agency

from .conftest import Publish
from .test_services import use_in_a_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.urls("motcua.catalog.tests.urls")]


@pytest.fixture
def admin_client_(client: Client) -> Client:
    client.force_login(User.objects.create_superuser("admin", "admin@example.vn", "x"))
    return client


def test_admin_pages_for_the_catalogue_open(admin_client_: Client, publish: Publish) -> None:
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    for url in [
        "/admin/catalog/procedure/",
        f"/admin/catalog/procedure/{procedure.pk}/change/",
        f"/admin/catalog/procedureversion/{procedure.current_version_id}/change/",
        "/admin/catalog/field/",
        "/admin/catalog/procedure/import/",
        "/admin/organisation/agency/",
        "/admin/territory/administrativeunit/?level=commune",
    ]:
        assert admin_client_.get(url).status_code == 200, url


def test_upload_shows_the_report_and_dry_run_saves_nothing(
    admin_client_: Client, publish: Publish, tu_phap: Agency
) -> None:
    publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    records = json.loads(export_json())
    records[0]["processing_time_value"] = 3
    records.append({**records[0], "code": "1.000001.000.00.00.H15", "agency": "nope"})
    upload = SimpleUploadedFile("catalogue.json", json.dumps(records).encode())

    response = admin_client_.post(
        "/admin/catalog/procedure/import/", {"file": upload, "dry_run": "on"}
    )

    text = response.content.decode()
    assert "new version" in text
    assert "unknown agency code" in text
    assert ProcedureVersion.objects.count() == 1


def test_publish_new_version_action_copies_the_current_version(
    admin_client_: Client, publish: Publish
) -> None:
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    admin_client_.post(
        "/admin/catalog/procedure/",
        {"action": "publish_new_version", "_selected_action": [procedure.pk]},
    )
    procedure.refresh_from_db()
    assert procedure.current_version is not None
    assert procedure.current_version.number == 2
    assert procedure.current_version.components.count() == 1


def test_a_version_in_use_cannot_be_changed_in_the_admin(
    admin_client_: Client, publish: Publish
) -> None:
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    version = procedure.current_version
    assert version is not None
    use_in_a_dossier(version)
    url = f"/admin/catalog/procedureversion/{version.pk}/change/"

    page = admin_client_.get(url).content.decode()
    response = admin_client_.post(url, {"name": "Đổi tên", "processing_time_value": "1"})

    assert 'name="name"' not in page
    assert response.status_code == 403
    assert Procedure.objects.get().name == "Đăng ký khai sinh"


def test_export_view_downloads_the_catalogue(admin_client_: Client, publish: Publish) -> None:
    publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    response = admin_client_.get("/admin/catalog/procedure/export/xlsx/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="procedures.xlsx"'
