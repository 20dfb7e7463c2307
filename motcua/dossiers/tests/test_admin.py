from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services import dossier_submit

from .conftest import PDF, pdf, required_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(procedure: Procedure, form: dict[str, Any]) -> Dossier:
    data = {k: v for k, v in form.items() if k != "procedure"}
    files = {required_key(procedure): [pdf("giay-khai-sinh.pdf")]}
    return dossier_submit(procedure_code=procedure.code, data=data, files=files).dossier


def staff(*permissions: str) -> User:
    user = User.objects.create_user("canbo", "canbo@example.vn", "x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=permissions))
    return user


def test_the_change_page_shows_the_timeline_and_links_each_file(
    client: Client, dossier: Dossier
) -> None:
    client.force_login(staff("view_dossier"))
    stored = DossierFile.objects.get(component__dossier=dossier)
    response = client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "giay-khai-sinh.pdf" in html
    assert reverse("admin:dossiers_dossier_file", args=[stored.pk]) in html
    assert "Người nộp hồ sơ trực tuyến" in html
    assert "/media/" not in html


def test_staff_who_may_view_dossiers_download_a_file(client: Client, dossier: Dossier) -> None:
    client.force_login(staff("view_dossier"))
    stored = DossierFile.objects.get(component__dossier=dossier)
    response = client.get(reverse("admin:dossiers_dossier_file", args=[stored.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "giay-khai-sinh.pdf" in response["Content-Disposition"]
    assert response.getvalue() == PDF


def test_staff_without_the_view_permission_may_not_download(
    client: Client, dossier: Dossier
) -> None:
    client.force_login(staff())
    stored = DossierFile.objects.get(component__dossier=dossier)
    response = client.get(reverse("admin:dossiers_dossier_file", args=[stored.pk]))
    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, dossier: Dossier) -> None:
    stored = DossierFile.objects.get(component__dossier=dossier)
    response = client.get(reverse("admin:dossiers_dossier_file", args=[stored.pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_an_unknown_file_is_404(client: Client, db: None) -> None:
    client.force_login(staff("view_dossier"))
    assert client.get(reverse("admin:dossiers_dossier_file", args=[999])).status_code == 404


def test_the_list_finds_a_name_typed_without_diacritics(client: Client, dossier: Dossier) -> None:
    client.force_login(staff("view_dossier"))
    response = client.get(reverse("admin:dossiers_dossier_changelist"), {"q": "NGUYEN THI HONG"})
    assert dossier.code in response.content.decode()
    response = client.get(reverse("admin:dossiers_dossier_changelist"), {"q": "Trần Văn"})
    assert dossier.code not in response.content.decode()
