"""Tracking a dossier by its code: anyone may, and sees no personal data."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.portal.tests.conftest import APPLICANT

pytestmark = pytest.mark.django_db
EN = {"Cookie": "django_language=en"}  # the language switch's choice


@pytest.fixture
def dossier(client: Client, birth_registration: Procedure, submission: dict[str, Any]) -> Dossier:
    client.post(reverse("portal:submit", args=[birth_registration.code]), submission)
    return Dossier.objects.get()


def test_tracking_form_renders(client: Client, db: None) -> None:
    response = client.get(reverse("portal:track"))

    assert response.status_code == 200
    assert 'name="code"' in response.content.decode()


def test_tracking_form_redirects_to_the_dossier(client: Client, dossier: Dossier) -> None:
    response = client.get(reverse("portal:track"), {"code": f"  {dossier.code.lower()} "})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:track-detail", args=[dossier.code])


def test_tracking_shows_status_procedure_dates_and_history(
    client: Client, dossier: Dossier
) -> None:
    response = client.get(reverse("portal:track-detail", args=[dossier.code]), headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html
    assert str(dossier.get_status_display()) in html
    assert dossier.procedure.name in html
    assert f'data-status="{dossier.status}"' in html
    assert 'class="timeline"' in html


def test_tracking_shows_no_personal_data(client: Client, dossier: Dossier) -> None:
    html = client.get(reverse("portal:track-detail", args=[dossier.code])).content.decode()

    for key in ("applicant_name", "applicant_id_number", "applicant_phone", "applicant_email"):
        assert APPLICANT[key] not in html, key
    assert "Lê Lợi" not in html


def test_unknown_dossier_code_is_a_404_page_in_vietnamese(client: Client, db: None) -> None:
    response = client.get(reverse("portal:track-detail", args=["000.00.00.H15-250101-9999"]))

    assert response.status_code == 404
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert 'role="alert"' in html
    assert "000.00.00.H15-250101-9999" in html
