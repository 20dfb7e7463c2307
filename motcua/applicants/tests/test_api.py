"""The public API takes the national identity's access token as a bearer token."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model

from motcua.applicants.models import Applicant
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.identity_sim.identities import identity_by_key
from motcua.testing import OneStopUnitFactory, ProcedureFactory, pdf_bytes

from . import idp

pytestmark = pytest.mark.usefixtures("identity_provider")


@pytest.fixture
def procedure() -> Procedure:
    OneStopUnitFactory()
    procedure: Procedure = ProcedureFactory(name="Đăng ký khai sinh")
    return procedure


def _token(identity: str, *, expires_in: int = 3600) -> str:
    """Return an access token the simulator issued for a demo identity."""
    sim = identity_by_key(identity)
    assert sim is not None
    user, _ = get_user_model().objects.get_or_create(username=sim.username)
    token = secrets.token_urlsafe(30)
    get_access_token_model().objects.create(
        user=user,
        token=token,
        application=get_application_model().objects.get(client_id=idp.CLIENT_ID),
        expires=timezone.now() + dt.timedelta(seconds=expires_in),
        scope="openid profile email phone",
    )
    return token


def _body(procedure: Procedure) -> dict[str, Any]:
    version = procedure.current_version
    assert version is not None
    body: dict[str, Any] = {
        "procedure": procedure.code,
        "applicant_name": "Ai Đó Khác",
        "applicant_id_number": "001090000001",
        "applicant_phone": "0912000111",
        "applicant_address": "12 Lê Lợi, Hải Châu, Đà Nẵng",
        "delivery": "counter",
        "eform-child_name": "Nguyễn Minh Khang",
        "eform-birth_date": "2025-07-01",
    }
    for component in version.components.all():
        if component.is_required:
            body[f"component-{component.pk}"] = SimpleUploadedFile(
                "to-khai.pdf", pdf_bytes(), content_type="application/pdf"
            )
    return body


def _post(procedure: Procedure, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().post("/api/v1/dossiers", _body(procedure), headers=headers)


def test_a_bearer_token_submits_as_its_identity(procedure: Procedure) -> None:
    answer = _post(procedure, _token("cong-dan-muc-2"))

    assert answer.status_code == 201, answer.json()
    dossier = Dossier.objects.get()
    sim = identity_by_key("cong-dan-muc-2")
    assert sim is not None
    assert dossier.applicant_id_number == sim.id_number
    assert dossier.applicant_name == sim.name
    assert Applicant.objects.get().subject == sim.subject


def test_without_a_token_the_api_refuses(procedure: Procedure) -> None:
    answer = _post(procedure)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert "Bearer" in answer["WWW-Authenticate"]
    assert not Dossier.objects.exists()


def test_without_a_token_when_anonymous_submission_is_on(
    procedure: Procedure, settings: Any
) -> None:
    settings.MOTCUA_ANONYMOUS_SUBMISSION = True
    assert _post(procedure).status_code == 201


@pytest.mark.parametrize(
    "token",
    [
        pytest.param("forged-" + "x" * 30, id="forged"),
        pytest.param("", id="expired"),
    ],
)
def test_a_bad_token_is_refused_and_nothing_created(procedure: Procedure, token: str) -> None:
    token = token or _token("cong-dan-muc-2", expires_in=-60)
    answer = _post(procedure, token)
    assert answer.status_code == 401
    assert "định danh" in answer.json()["error"]["message"]
    assert not Dossier.objects.exists()
    assert not Applicant.objects.exists()


def test_a_level_1_token_is_refused(procedure: Procedure) -> None:
    answer = _post(procedure, _token("cong-dan-muc-1"))
    assert answer.status_code == 401
    assert "mức 1" in answer.json()["error"]["message"]
    assert not Dossier.objects.exists()
    assert not Applicant.objects.exists()


def test_a_staff_token_header_is_not_taken_for_an_identity(procedure: Procedure) -> None:
    answer = Client().post(
        "/api/v1/dossiers", _body(procedure), headers={"Authorization": "Token abc"}
    )
    assert answer.status_code == 401
