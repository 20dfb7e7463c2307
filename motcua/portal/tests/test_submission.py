"""Submitting a dossier from the HTML form, and its confirmation page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import OnlineLevel, Procedure
from motcua.dossiers.models import Dossier, DossierFile
from motcua.portal.tests.conftest import APPLICANT
from motcua.testing import ProcedureFactory

pytestmark = pytest.mark.django_db
EN = {"Cookie": "django_language=en"}  # the language switch's choice


def _submit_url(procedure: Procedure) -> str:
    return reverse("portal:submit", args=[procedure.code])


def test_form_has_applicant_eform_component_and_delivery_inputs(
    client: Client, birth_registration: Procedure
) -> None:
    response = client.get(_submit_url(birth_registration), headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    for name in APPLICANT:
        assert f'name="{name}"' in html
    assert 'name="eform-child_name"' in html
    assert 'name="eform-birth_date"' in html
    version = birth_registration.current_version
    assert version is not None
    for component in version.components.all():
        assert f'name="component-{component.pk}"' in html
    assert 'accept=".pdf,.jpg,.jpeg,.png"' in html
    assert "multiple" in html
    assert 'value="post"' in html
    assert 'name="delivery_address"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="idempotency_key"' in html


def test_every_input_of_the_form_has_a_label(client: Client, birth_registration: Procedure) -> None:
    html = client.get(_submit_url(birth_registration)).content.decode()

    for name in [*APPLICANT, "eform-child_name", "delivery_address"]:
        if name == "applicant_kind":
            continue
        assert f'for="id_{name}"' in html, name


def test_form_of_a_procedure_not_offered_online_is_not_found(client: Client) -> None:
    procedure = ProcedureFactory(accepts_online=False, online_level=OnlineLevel.NONE)

    response = client.get(_submit_url(procedure))

    assert response.status_code == 404


def test_submit_with_errors_shows_messages_and_creates_nothing(
    client: Client, birth_registration: Procedure
) -> None:
    response = client.post(
        _submit_url(birth_registration),
        {"applicant_name": "", "applicant_id_number": "123", "delivery": "counter"},
        headers=EN,
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html
    assert 'href="#id_applicant_id_number"' in html
    assert 'aria-invalid="true"' in html
    assert 'id="id_applicant_id_number-error"' in html
    assert 'aria-describedby="id_applicant_id_number-hint id_applicant_id_number-error"' in html
    assert 'value="123"' in html  # what the citizen typed is shown back
    assert Dossier.objects.count() == 0
    assert DossierFile.objects.count() == 0


def test_submit_redirects_to_the_confirmation_and_creates_one_dossier(
    client: Client, birth_registration: Procedure, submission: dict[str, Any]
) -> None:
    response = client.post(_submit_url(birth_registration), submission)

    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.procedure == birth_registration
    assert dossier.applicant_name == APPLICANT["applicant_name"]
    assert response["Location"].startswith(reverse("portal:submitted", args=[dossier.code]))
    assert parse_qs(urlsplit(response["Location"]).query)["token"]


def test_double_submit_with_the_same_key_creates_one_dossier(
    client: Client, birth_registration: Procedure, submission: dict[str, Any]
) -> None:
    first = client.post(_submit_url(birth_registration), submission)
    for value in submission.values():
        if hasattr(value, "seek"):
            value.seek(0)
    second = client.post(_submit_url(birth_registration), submission)

    assert Dossier.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_confirmation_shows_code_appointment_receipt_and_tracking_link(
    client: Client, birth_registration: Procedure, submission: dict[str, Any]
) -> None:
    location = client.post(_submit_url(birth_registration), submission)["Location"]
    dossier = Dossier.objects.get()

    response = client.get(location, headers=EN)

    assert response.status_code == 200
    html = response.content.decode()
    assert dossier.code in html
    assert "bien-nhan.pdf?token=" in html
    assert reverse("portal:track-detail", args=[dossier.code]) in html
    assert "Appointment" in html


@pytest.mark.parametrize("query", ["", "?token=", "?token=forged"])
def test_confirmation_without_a_valid_token_is_not_shown(
    client: Client, birth_registration: Procedure, submission: dict[str, Any], query: str
) -> None:
    client.post(_submit_url(birth_registration), submission)
    dossier = Dossier.objects.get()

    response = client.get(reverse("portal:submitted", args=[dossier.code]) + query)

    assert response.status_code == 404
    assert APPLICANT["applicant_name"] not in response.content.decode()


def test_confirmation_of_an_unknown_dossier_is_not_found(client: Client, db: None) -> None:
    response = client.get(reverse("portal:submitted", args=["X-250101-0001"]) + "?token=abc")

    assert response.status_code == 404


def test_resubmitting_a_sent_form_with_other_details_asks_to_confirm_with_a_new_key(
    client: Client, birth_registration: Procedure, submission: dict[str, Any]
) -> None:
    client.post(_submit_url(birth_registration), submission)
    for value in submission.values():
        if hasattr(value, "seek"):
            value.seek(0)
    key = submission["idempotency_key"]

    response = client.post(
        _submit_url(birth_registration), {**submission, "applicant_name": "Trần Văn Nam"}
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert 'role="alert"' in html
    assert f'value="{key}"' not in html
    assert 'value="Trần Văn Nam"' in html
    assert Dossier.objects.count() == 1
