"""Online submission with the national identity: required, fixed identity fields, drafts."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.applicants.models import Draft
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, PendingUpload
from motcua.testing import DossierFactory, OneStopUnitFactory, ProcedureFactory, pdf_bytes

from .factories import BINH, HOA, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _identity_required(settings: Any) -> None:
    settings.MOTCUA_ANONYMOUS_SUBMISSION = False


@pytest.fixture
def procedure() -> Procedure:
    OneStopUnitFactory()
    procedure: Procedure = ProcedureFactory(name="Đăng ký khai sinh")
    return procedure


def _pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("to-khai.pdf", pdf_bytes(), content_type="application/pdf")


def _form(procedure: Procedure, **changes: Any) -> dict[str, Any]:
    version = procedure.current_version
    assert version is not None
    data: dict[str, Any] = {
        "applicant_kind": "person",
        "applicant_name": "Tên Người Khác",
        "applicant_id_number": "001090000001",
        "applicant_phone": "0912000111",
        "applicant_email": "khac@example.vn",
        "applicant_address": "12 Lê Lợi, Hải Châu, Đà Nẵng",
        "delivery": "counter",
        "eform-child_name": "Nguyễn Minh Khang",
        "eform-birth_date": "2025-07-01",
        "idempotency_key": str(uuid.uuid4()),
    }
    for component in version.components.all():
        if component.is_required:
            data[f"component-{component.pk}"] = _pdf()
    return data | changes


def _url(procedure: Procedure) -> str:
    return f"/thu-tuc/{procedure.code}/nop-ho-so/"


def test_without_identity_the_form_asks_to_sign_in(client: Client, procedure: Procedure) -> None:
    answer = client.get(_url(procedure))
    assert answer.status_code == 200
    assert "Đăng nhập bằng VNeID" in answer.content.decode()
    assert "form" not in answer.context


def test_without_identity_a_post_is_refused_and_nothing_created(
    client: Client, procedure: Procedure
) -> None:
    answer = client.post(_url(procedure), _form(procedure))
    assert answer.status_code == 403
    assert not Dossier.objects.exists()


def test_anonymous_submission_when_the_setting_allows(
    client: Client, procedure: Procedure, settings: Any
) -> None:
    settings.MOTCUA_ANONYMOUS_SUBMISSION = True
    assert client.post(_url(procedure), _form(procedure)).status_code == 302
    assert Dossier.objects.get().applicant_name == "Tên Người Khác"


def test_the_identity_fields_come_from_the_identity_whatever_is_posted(
    client: Client, procedure: Procedure
) -> None:
    signed_in(client)
    answer = client.post(_url(procedure), _form(procedure))

    assert answer.status_code == 302, answer.context and answer.context["form"].summary
    dossier = Dossier.objects.get()
    assert dossier.applicant_name == HOA.name
    assert dossier.applicant_id_number == HOA.id_number
    assert dossier.applicant_phone == HOA.phone
    assert dossier.applicant_email == HOA.email
    assert dossier.applicant_kind == "person"
    assert dossier.applicant_address == "12 Lê Lợi, Hải Châu, Đà Nẵng"  # typed by them


def test_a_business_submits_as_an_organisation(client: Client, procedure: Procedure) -> None:
    signed_in(client, kind="organisation", name="Công ty TNHH Sông Hàn", tax_code="0401234567")
    client.post(_url(procedure), _form(procedure, applicant_kind="person"))
    dossier = Dossier.objects.get()
    assert dossier.applicant_kind == "organisation"
    assert dossier.applicant_name == "Công ty TNHH Sông Hàn"


def test_phone_and_email_are_typed_when_the_identity_has_none(
    client: Client, procedure: Procedure
) -> None:
    signed_in(client, BINH)
    client.post(_url(procedure), _form(procedure))
    dossier = Dossier.objects.get()
    assert dossier.applicant_name == BINH.name
    assert dossier.applicant_phone == "0912000111"


def test_the_form_shows_the_identity_read_only(client: Client, procedure: Procedure) -> None:
    signed_in(client)
    page = client.get(_url(procedure)).content.decode()
    assert f'value="{HOA.id_number}"' in page
    assert "readonly" in page
    assert "Lấy từ tài khoản định danh điện tử" in page
    assert "Lưu nháp" in page


def test_the_form_is_prefilled_from_the_previous_dossier(
    client: Client, procedure: Procedure
) -> None:
    signed_in(client)
    DossierFactory(applicant_id_number=HOA.id_number, applicant_address="45 Trần Phú, Đà Nẵng")
    page = client.get(_url(procedure)).content.decode()
    assert 'value="45 Trần Phú, Đà Nẵng"' in page


def test_a_level_1_applicant_cannot_submit(client: Client, procedure: Procedure) -> None:
    signed_in(client, loa=1)
    answer = client.post(_url(procedure), _form(procedure))
    assert answer.status_code == 403
    assert "mức 1" in answer.content.decode()
    assert not Dossier.objects.exists()


def test_a_draft_keeps_the_answers_and_files_and_is_finished_later(
    client: Client, procedure: Procedure
) -> None:
    applicant = signed_in(client)
    form = _form(procedure, save_draft="1", **{"eform-child_name": ""})

    answer = client.post(_url(procedure), form)

    assert answer.status_code == 302
    assert answer["Location"] == "/ho-so-cua-toi/"
    assert not Dossier.objects.exists()
    draft = Draft.objects.get(applicant=applicant)
    assert draft.data["applicant_address"] == "12 Lê Lợi, Hải Châu, Đà Nẵng"
    assert draft.data["applicant_name"] == HOA.name  # the identity's, not the posted one
    kept = PendingUpload.objects.get()
    assert kept.kept_by_id == applicant.user_id
    assert draft.kept == {f"component-{kept.component_id}": [kept.token]}

    page = client.get(_url(procedure)).content.decode()
    assert kept.token in page  # the kept file is offered again, ticked
    assert "bản nháp" in page
    assert 'value="12 Lê Lợi, Hải Châu, Đà Nẵng"' in page

    finish = _form(procedure, **{"eform-child_name": "Nguyễn Minh Khang"})
    finish = {k: v for k, v in finish.items() if not k.startswith("component-")}
    finish[f"component-{kept.component_id}-kept"] = kept.token
    answer = client.post(_url(procedure), finish)

    assert answer.status_code == 302
    assert Dossier.objects.get().components.get().files.count() == 1
    assert not Draft.objects.exists()


def test_a_draft_of_someone_else_cannot_lend_its_files(
    client: Client, procedure: Procedure
) -> None:
    other = Client()
    signed_in(other, BINH)
    other.post(_url(procedure), _form(procedure, save_draft="1"))
    kept = PendingUpload.objects.get()

    signed_in(client)
    form = {k: v for k, v in _form(procedure).items() if not k.startswith("component-")}
    form[f"component-{kept.component_id}-kept"] = kept.token
    answer = client.post(_url(procedure), form)

    assert answer.status_code == 400
    assert not Dossier.objects.exists()
    assert PendingUpload.objects.filter(pk=kept.pk).exists()
