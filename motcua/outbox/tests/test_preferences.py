"""The applicant's choice of channels and language: at submission (portal, counter, API), later
on their dossier page; the first message already follows it, a bad choice writes nothing."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from motcua.applicants.tests.factories import BINH, HOA, signed_in
from motcua.audit.models import AuditEntry
from motcua.catalog.models import Procedure
from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Channel, Dossier
from motcua.dossiers.services import dossier_submit
from motcua.outbox.models import Message, MessageChannel, MessageKind, MessagePreference
from motcua.outbox.preferences import (
    BAD_LANGUAGE,
    BAD_YES_NO,
    MessageChoice,
    checkboxes_posted,
    message_choice_read,
)
from motcua.outbox.selectors import dossier_message_choice
from motcua.outbox.services import message_preference_change
from motcua.testing import (
    Cast,
    DossierFactory,
    OneStopUnitFactory,
    ProcedureFactory,
    cast_create,
    pdf_upload,
)
from motcua.workflow import services

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
EN = {"Accept-Language": "en"}
FORM = {
    "applicant_name": "Nguyễn Thị Hồng Nhung",
    "applicant_id_number": "048190001234",
    "applicant_phone": "0905 123 456",
    "applicant_email": "nhung@example.vn",
    "applicant_address": "12 Bạch Đằng",
    "delivery": "counter",
    "eform-child_name": "Trần Minh Khôi",
    "eform-birth_date": "2026-11-01",
}


@pytest.fixture
def procedure() -> Procedure:
    OneStopUnitFactory(code="000.00.00.H15")
    procedure: Procedure = ProcedureFactory(name="Đăng ký khai sinh")
    return procedure


def required_key(procedure: Procedure) -> str:
    assert procedure.current_version is not None
    return f"component-{procedure.current_version.components.get(is_required=True).pk}"


def submit(procedure: Procedure, **choice: str) -> Dossier:
    return dossier_submit(
        procedure_code=procedure.code,
        data={**FORM, "procedure": procedure.code, **choice},
        files={required_key(procedure): [pdf_upload("to-khai.pdf")]},
        now=dt.datetime(2026, 11, 23, 9, 0, tzinfo=HCM),
    ).dossier


def acknowledgement(dossier: Dossier) -> list[tuple[str, str]]:
    rows = Message.objects.filter(dossier=dossier, kind=MessageKind.ACKNOWLEDGED)
    return sorted(rows.values_list("channel", "language"))


def nothing_written() -> bool:
    return not (
        Dossier.objects.exists() or MessagePreference.objects.exists() or Message.objects.exists()
    )


# --- Reading the inputs ---------------------------------------------------------------------


def test_the_inputs_read_yes_no_and_a_language_and_report_bad_values() -> None:
    errors: dict[str, list[Any]] = {}
    assert message_choice_read({}, errors) is None
    assert message_choice_read({"message_sms": "false"}, errors) == MessageChoice(sms=False)
    assert message_choice_read(
        {"message_email": "0", "message_language": "en"}, errors
    ) == MessageChoice(email=False, language="en")
    assert message_choice_read({"message_email": True, "message_sms": "on"}, errors) == (
        MessageChoice()
    )
    assert not errors
    message_choice_read({"message_email": "maybe", "message_language": "fr"}, errors)
    assert errors == {"message_email": [BAD_YES_NO], "message_language": [BAD_LANGUAGE]}


def test_an_unticked_checkbox_means_no_only_where_the_form_shows_them() -> None:
    assert checkboxes_posted({"message_language": "vi", "message_sms": "on"}) == {
        "message_language": "vi",
        "message_sms": "on",
        "message_email": "false",
    }
    assert checkboxes_posted({"applicant_name": "A"}) == {"applicant_name": "A"}


# --- At submission: the service -------------------------------------------------------------


def test_the_acknowledgement_goes_only_on_the_chosen_channel_in_the_chosen_language(
    procedure: Procedure,
) -> None:
    dossier = submit(procedure, message_email="false", message_language="en")

    assert acknowledgement(dossier) == [(MessageChannel.SMS, "en")]
    sms = Message.objects.get(dossier=dossier)
    assert sms.body.startswith(f"Dossier {dossier.code}")
    assert dossier_message_choice(dossier.pk) == MessageChoice(email=False, language="en")


def test_without_a_choice_every_channel_in_vietnamese_and_no_row(procedure: Procedure) -> None:
    dossier = submit(procedure)
    assert acknowledgement(dossier) == [(MessageChannel.EMAIL, "vi"), (MessageChannel.SMS, "vi")]
    assert not MessagePreference.objects.exists()


def test_both_channels_off_sends_no_acknowledgement(procedure: Procedure) -> None:
    dossier = submit(procedure, message_email="false", message_sms="false")
    assert acknowledgement(dossier) == []
    assert MessagePreference.objects.get(dossier=dossier).email is False


def test_a_bad_choice_is_refused_with_the_other_errors_and_writes_nothing(
    procedure: Procedure,
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        dossier_submit(
            procedure_code=procedure.code,
            data={**FORM, "message_sms": "perhaps", "message_language": "fr", "delivery": "?"},
            files={required_key(procedure): [pdf_upload("to-khai.pdf")]},
        )
    fields = caught.value.field_errors
    assert fields["message_sms"] == [BAD_YES_NO]
    assert fields["message_language"] == [BAD_LANGUAGE]
    assert "delivery" in fields
    assert nothing_written()


def test_a_replay_with_another_choice_is_another_submission(procedure: Procedure) -> None:
    from motcua.core.errors import Conflict

    data = {**FORM, "message_language": "en"}
    files = {required_key(procedure): [pdf_upload("to-khai.pdf")]}
    dossier_submit(procedure_code=procedure.code, data=data, files=files, idempotency_key="k1")
    with pytest.raises(Conflict):
        dossier_submit(
            procedure_code=procedure.code,
            data={**data, "message_language": "vi"},
            files={required_key(procedure): [pdf_upload("to-khai.pdf")]},
            idempotency_key="k1",
        )
    assert MessagePreference.objects.count() == 1


# --- The public API -------------------------------------------------------------------------


def api_post(client: Client, procedure: Procedure, **extra: str) -> Any:
    body = {**FORM, "procedure": procedure.code, required_key(procedure): pdf_upload(), **extra}
    return client.post("/api/v1/dossiers", body, headers=EN)


def test_the_api_takes_the_choice(client: Client, procedure: Procedure) -> None:
    response = api_post(client, procedure, message_sms="false", message_language="en")
    assert response.status_code == 201
    dossier = Dossier.objects.get(code=response.json()["code"])
    assert acknowledgement(dossier) == [(MessageChannel.EMAIL, "en")]
    assert Message.objects.get(dossier=dossier).subject.startswith("Dossier")


def test_the_api_refuses_a_bad_choice_with_400_and_a_message_per_field(
    client: Client, procedure: Procedure
) -> None:
    response = api_post(client, procedure, message_email="sometimes", message_language="de")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert fields["message_email"] == ["Answer yes or no (true or false)."]
    assert fields["message_language"] == [
        "Choose a language offered: vi (Vietnamese) or en (English)."
    ]
    assert nothing_written()


def test_the_schema_documents_the_optional_fields(client: Client) -> None:
    schema = client.get("/api/v1/schema/", {"format": "json"})
    assert schema.status_code == 200
    body = schema.json()["components"]["schemas"]
    submission = next(v for k, v in body.items() if k.startswith("Submission"))
    props = submission["properties"]
    assert props["message_email"]["type"] == "boolean"
    assert props["message_sms"]["type"] == "boolean"
    ref = props["message_language"]["allOf"][0]["$ref"].rsplit("/", 1)[-1]
    assert body[ref]["enum"] == ["vi", "en"]
    assert "message_email" not in submission.get("required", [])


# --- The portal form ------------------------------------------------------------------------


def portal_post(procedure: Procedure, **extra: Any) -> dict[str, Any]:
    return {**FORM, required_key(procedure): pdf_upload(), **extra}


def test_the_portal_form_offers_both_channels_on_and_the_pages_language(
    client: Client, procedure: Procedure
) -> None:
    url = reverse("portal:submit", args=[procedure.code])
    html = client.get(url, headers={"Cookie": "django_language=en"}).content.decode()
    for name in ("message_email", "message_sms"):
        assert re.search(rf'<input type="checkbox" name="{name}"[^>]* checked>', html), name
    assert '<option value="en" selected>' in html
    vi = client.get(url, headers={"Cookie": "django_language=vi"}).content.decode()
    assert '<option value="vi" selected>' in vi


def test_the_portal_records_an_unticked_box_as_no(client: Client, procedure: Procedure) -> None:
    url = reverse("portal:submit", args=[procedure.code])
    response = client.post(
        url, portal_post(procedure, message_email="on", message_language="en")
    )  # SMS unticked: not posted
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert acknowledgement(dossier) == [(MessageChannel.EMAIL, "en")]


def test_the_portal_shows_a_bad_language_beside_its_input_and_writes_nothing(
    client: Client, procedure: Procedure
) -> None:
    url = reverse("portal:submit", args=[procedure.code])
    response = client.post(
        url, portal_post(procedure, message_sms="on", message_language="xx"), headers=EN
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_message_language-error"' in html
    assert "Hãy chọn một ngôn ngữ được hỗ trợ" in html
    assert 'aria-describedby="id_message_language-error"' in html
    assert nothing_written()


# --- The counter ----------------------------------------------------------------------------


@pytest.fixture
def cast() -> Cast:
    return cast_create()


def counter_post(procedure: Procedure, **extra: str) -> dict[str, Any]:
    assert procedure.current_version is not None
    required = procedure.current_version.components.order_by("order").first()
    assert required is not None
    return {
        "procedure": procedure.code,
        **{k: v for k, v in FORM.items() if not k.startswith("eform-")},
        f"component-{required.pk}-ticked": "1",
        f"component-{required.pk}-originals": "1",
        f"component-{required.pk}-copies": "0",
        "decision": "accept",
        **extra,
    }


def test_the_officer_records_the_applicants_choice_at_the_counter(
    client: Client, cast: Cast
) -> None:
    procedure = ProcedureFactory(agency=cast.agency)
    client.force_login(cast.receiving_officer)
    url = reverse("backoffice:counter")
    form = client.get(url, {"procedure": procedure.code}).content.decode()
    assert 'name="message_email" value="on" checked' in form
    assert 'name="message_sms" value="on" checked' in form

    response = client.post(url, counter_post(procedure, message_sms="on", message_language="en"))

    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.channel == Channel.COUNTER
    accepted = Message.objects.filter(dossier=dossier, kind=MessageKind.ACCEPTED)
    assert sorted(accepted.values_list("channel", "language")) == [(MessageChannel.SMS, "en")]


def test_the_counter_refuses_a_bad_choice_beside_its_input(client: Client, cast: Cast) -> None:
    procedure = ProcedureFactory(agency=cast.agency)
    client.force_login(cast.receiving_officer)
    response = client.post(
        reverse("backoffice:counter"), counter_post(procedure, message_language="fr")
    )
    assert response.status_code == 400
    assert response.context["form"].field_errors["message_language"]
    assert response.context["form"].values["message_language"] == "fr"
    assert nothing_written()


# --- Later, on the applicant's dossier page -------------------------------------------------


def test_the_applicant_changes_the_choice_on_their_dossier_page_audited(client: Client) -> None:
    applicant = signed_in(client)
    cast = cast_create()
    dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency),
        receiving_unit=cast.unit,
        applicant_id_number=HOA.id_number,
        applicant_email="hoa@example.vn",
    )
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert 'name="message_email" value="on" checked' in page

    response = client.post(
        f"/ho-so-cua-toi/{dossier.code}/tin-nhan/", {"message_sms": "on", "message_language": "en"}
    )

    assert response.status_code == 302
    assert dossier_message_choice(dossier.pk) == MessageChoice(email=False, language="en")
    entry = AuditEntry.objects.get(action="dossier.message_preference_change")
    assert entry.actor_id == applicant.user_id
    assert entry.object_id == str(dossier.pk)
    assert entry.before == {"email": True, "sms": True, "language": "vi"}
    assert entry.after == {"email": False, "sms": True, "language": "en"}
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    accepted = Message.objects.filter(dossier=dossier, kind=MessageKind.ACCEPTED)
    assert list(accepted.values_list("channel", "language")) == [(MessageChannel.SMS, "en")]


def test_saving_the_same_choice_again_writes_no_audit_entry(client: Client) -> None:
    signed_in(client)
    dossier = DossierFactory(applicant_id_number=HOA.id_number)
    for _ in range(2):
        client.post(f"/ho-so-cua-toi/{dossier.code}/tin-nhan/", {"message_language": "en"})
    assert AuditEntry.objects.filter(action="dossier.message_preference_change").count() == 1


def test_a_bad_language_on_the_page_is_refused_and_changes_nothing(client: Client) -> None:
    signed_in(client)
    dossier = DossierFactory(applicant_id_number=HOA.id_number)
    response = client.post(
        f"/ho-so-cua-toi/{dossier.code}/tin-nhan/",
        {"message_sms": "on", "message_language": "zz"},
        headers=EN,
    )
    assert response.status_code == 400
    assert "Hãy chọn một ngôn ngữ được hỗ trợ" in response.content.decode()
    assert not MessagePreference.objects.exists()
    assert not AuditEntry.objects.filter(action="dossier.message_preference_change").exists()


def test_someone_elses_dossier_or_no_sign_in_changes_nothing(client: Client) -> None:
    dossier = DossierFactory(applicant_id_number=BINH.id_number)
    url = f"/ho-so-cua-toi/{dossier.code}/tin-nhan/"
    assert client.post(url, {"message_language": "en"}).status_code == 200  # the sign-in page
    signed_in(client)
    assert client.post(url, {"message_language": "en"}).status_code == 404
    assert client.get(url).status_code == 405
    assert not MessagePreference.objects.exists()


def test_the_change_service_refuses_an_unknown_language() -> None:
    dossier = DossierFactory()
    with pytest.raises(ValidationFailed):
        message_preference_change(dossier=dossier, choice=MessageChoice(language="xx"))
    assert not MessagePreference.objects.exists()
