"""Messages are written by the steps that concern the applicant, in the step's transaction."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.test import override_settings

from motcua.catalog.models import Procedure
from motcua.core.errors import Conflict, ValidationFailed
from motcua.dossiers.models import Channel, Dossier, DossierEvent, DossierState, EventKind
from motcua.dossiers.services import dossier_submit
from motcua.outbox.models import (
    Message,
    MessageChannel,
    MessageKind,
    MessagePreference,
    MessageStatus,
    MessageTemplate,
    ProcedureMessaging,
)
from motcua.outbox.rendering import ascii_text, check_template, render_text, sms_text
from motcua.outbox.selectors import dossier_messages
from motcua.outbox.services import message_preferences_set, messages_for_event
from motcua.testing import (
    Cast,
    DossierFactory,
    OneStopUnitFactory,
    ProcedureFactory,
    cast_create,
    pdf_bytes,
    pdf_upload,
)
from motcua.workflow import services

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=HCM)


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def dossier(cast: Cast) -> Dossier:
    procedure = ProcedureFactory(agency=cast.agency, name="Đăng ký khai sinh")
    return DossierFactory(
        procedure=procedure,
        receiving_unit=cast.unit,
        submitted_at=at(5, 9),
        intake_due_at=at(6, 9),
        applicant_email="an@example.vn",
        applicant_phone="0912 345 678",
    )


def kinds(dossier: Dossier) -> list[tuple[str, str]]:
    return list(
        Message.objects.filter(dossier=dossier).order_by("id").values_list("kind", "channel")
    )


def both(kind: MessageKind) -> list[tuple[str, str]]:
    return [(kind, MessageChannel.EMAIL), (kind, MessageChannel.SMS)]


def test_each_step_of_a_dossiers_life_tells_the_applicant_once_per_channel(
    cast: Cast, dossier: Dossier
) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at(5, 10))
    services.dossier_claim(dossier=dossier, actor=cast.specialist, now=at(5, 11))  # internal
    services.dossier_request_supplement(
        dossier=dossier,
        actor=cast.specialist,
        missing=[services.Missing("Tờ khai", "thiếu chữ ký"), "Giấy chứng sinh"],
        reason="Hồ sơ chưa đủ",
        now=at(5, 14),
    )
    services.dossier_receive_supplement(dossier=dossier, actor=cast.receiving_officer, now=at(6, 9))
    services.dossier_result_record(
        dossier=dossier,
        actor=cast.specialist,
        name="Trích lục",
        upload=pdf_upload(),
        now=at(6, 10),
    )
    services.dossier_forward(dossier=dossier, actor=cast.specialist, now=at(6, 11))
    services.dossier_mark_processed(dossier=dossier, actor=cast.leader, now=at(7, 9))
    services.dossier_return_result(
        dossier=dossier, actor=cast.receiving_officer, to_whom="Nguyễn Văn An", now=at(8, 9)
    )

    assert kinds(dossier) == [
        *both(MessageKind.ACCEPTED),
        *both(MessageKind.SUPPLEMENT_REQUESTED),
        *both(MessageKind.SUPPLEMENT_RECEIVED),
        *both(MessageKind.RESULT_READY),
        *both(MessageKind.RESULT_RETURNED),
    ]
    email, sms = Message.objects.filter(kind=MessageKind.SUPPLEMENT_REQUESTED).order_by("id")
    assert email.recipient == "an@example.vn"
    assert sms.recipient == "0912345678"
    assert email.subject == f"Hồ sơ {dossier.code} cần bổ sung"
    assert "- Tờ khai (thiếu chữ ký)\n- Giấy chứng sinh" in email.body
    assert "Lý do: Hồ sơ chưa đủ" in email.body
    assert f"/tra-cuu/{dossier.code}/" in email.body
    # The SMS is short, one line, without diacritics (OUTBOX_SMS_UNICODE off).
    assert sms.body.startswith(f"Ho so {dossier.code} can bo sung giay to.")
    assert sms.body.isascii() and "\n" not in sms.body
    assert all(m.status == "pending" for m in Message.objects.all())
    assert email.created_at == at(5, 14) == email.next_attempt_at


def test_extension_apologises_with_the_new_date_and_stop_gives_the_reason(
    cast: Cast, dossier: Dossier
) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at(5, 10))
    services.dossier_extend(
        dossier=dossier,
        actor=cast.leader,
        reason="Cần xác minh thêm",
        new_due_at=at(20, 16),
        now=at(6, 9),
    )
    services.dossier_stop(
        dossier=dossier, actor=cast.leader, reason="Người nộp đã mất", now=at(7, 9)
    )

    extended = Message.objects.get(kind=MessageKind.EXTENDED, channel=MessageChannel.EMAIL)
    assert "xin lỗi" in extended.body
    assert "Lý do: Cần xác minh thêm" in extended.body
    assert "16:00 20/01/2026" in extended.body
    stopped = Message.objects.get(kind=MessageKind.STOPPED, channel=MessageChannel.EMAIL)
    assert "Lý do: Người nộp đã mất" in stopped.body


def test_refusal_gives_the_reason(cast: Cast, dossier: Dossier) -> None:
    services.dossier_refuse(
        dossier=dossier, actor=cast.receiving_officer, reasons="Không thuộc thẩm quyền"
    )
    assert kinds(dossier) == both(MessageKind.REFUSED)
    assert "Lý do: Không thuộc thẩm quyền" in Message.objects.get(channel="email").body


def test_withdrawal_accepted_and_refused_are_told(cast: Cast, dossier: Dossier) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at(5, 10))
    services.dossier_withdrawal_request(dossier=dossier, reason="Không cần nữa", now=at(5, 11))
    services.dossier_withdrawal_decide(
        dossier=dossier, actor=cast.leader, approve=False, note="Đã có kết quả", now=at(5, 12)
    )
    services.dossier_withdrawal_request(dossier=dossier, reason="Không cần nữa", now=at(5, 13))
    services.dossier_withdrawal_decide(
        dossier=dossier, actor=cast.leader, approve=True, now=at(5, 14)
    )
    assert [k for k, c in kinds(dossier) if c == "email"] == [
        MessageKind.ACCEPTED,
        MessageKind.WITHDRAWAL_REFUSED,
        MessageKind.WITHDRAWAL_ACCEPTED,
    ]


def test_a_fee_request_is_told_when_the_dossier_enters_payment(dossier: Dossier) -> None:
    event = DossierEvent.objects.create(
        dossier=dossier,
        at=at(5, 10),
        kind=EventKind.STATUS_CHANGED,
        from_state=DossierState.IN_PROCESS,
        to_state=DossierState.PAYMENT_REQUESTED,
        to_status=6,
        note="Lệ phí 8.000 đồng.",
    )
    written = messages_for_event(dossier=dossier, event=event)
    assert {m.kind for m in written} == {MessageKind.FEE_REQUESTED}
    assert "Lệ phí 8.000 đồng." in written[0].body


def test_a_rolled_back_action_writes_no_message(cast: Cast, dossier: Dossier) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
        assert Message.objects.count() == 2
        raise RuntimeError("the caller's transaction fails after the action")
    assert not Message.objects.exists()


def test_a_refused_action_writes_no_message(cast: Cast, dossier: Dossier) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    with pytest.raises(Conflict):
        services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    assert Message.objects.count() == 2


def test_internal_steps_and_private_entries_tell_nothing(cast: Cast, dossier: Dossier) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    Message.objects.all().delete()
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    private = DossierEvent.objects.create(
        dossier=dossier, at=at(5, 9), kind=EventKind.STOPPED, to_status=8, is_public=False
    )
    assert messages_for_event(dossier=dossier, event=private) == []
    assert not Message.objects.exists()


def test_the_applicants_choice_of_channel_and_language_is_kept(
    cast: Cast, dossier: Dossier
) -> None:
    message_preferences_set(dossier_id=dossier.pk, email=False, sms=True, language="en")
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    (sms,) = Message.objects.all()
    assert (sms.channel, sms.language) == (MessageChannel.SMS, "en")
    assert sms.body.startswith(f"Dossier {dossier.code} accepted.")


def test_an_unknown_language_is_refused(dossier: Dossier) -> None:
    with pytest.raises(ValidationFailed):
        message_preferences_set(dossier_id=dossier.pk, language="xx")
    assert not MessagePreference.objects.exists()


def test_no_email_address_means_no_email(cast: Cast, dossier: Dossier) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(applicant_email="")
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    assert kinds(dossier) == [(MessageKind.ACCEPTED, MessageChannel.SMS)]


def test_a_procedure_may_send_only_some_kinds_and_channels(cast: Cast, dossier: Dossier) -> None:
    ProcedureMessaging.objects.create(
        procedure=dossier.procedure, email=True, sms=False, kinds=[MessageKind.REFUSED]
    )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    assert not Message.objects.exists()
    other = DossierFactory(procedure=dossier.procedure, receiving_unit=cast.unit)
    services.dossier_refuse(dossier=other, actor=cast.receiving_officer, reasons="Sai mẫu")
    assert kinds(other) == []  # no e-mail address on this one, and no SMS for the procedure


def test_an_administrators_template_is_used_and_a_broken_one_does_not_block_the_step(
    cast: Cast, dossier: Dossier, caplog: pytest.LogCaptureFixture
) -> None:
    MessageTemplate.objects.filter(kind=MessageKind.ACCEPTED, language="vi").update(
        subject="Đã nhận {{ code }}", sms="OK {{ code }} {{ due_at }}"
    )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at(5, 10))
    assert Message.objects.get(channel="email").subject == f"Đã nhận {dossier.code}"
    assert Message.objects.get(channel="sms").body.startswith(f"OK {dossier.code} ")

    MessageTemplate.objects.filter(kind=MessageKind.REFUSED, language="vi").update(body="{% if %}")
    other = DossierFactory(
        procedure=dossier.procedure, receiving_unit=cast.unit, applicant_email="b@example.vn"
    )
    with caplog.at_level(logging.ERROR):
        services.dossier_refuse(dossier=other, actor=cast.receiving_officer, reasons="Sai mẫu")
    assert "Lý do: Sai mẫu" in Message.objects.get(dossier=other, channel="email").body


def test_templates_cannot_reach_beyond_their_context(dossier: Dossier) -> None:
    # Names outside the context render empty, even if the caller had them.
    assert (
        render_text(
            "{{ applicant_name }}{{ dossier.applicant_phone }}x",
            {"applicant_name": "Nguyễn", "dossier": dossier, "code": "C"},
        )
        == "x"
    )
    with pytest.raises(TemplateSyntaxError):
        check_template("{% load static %}")
    with pytest.raises(TemplateDoesNotExist):
        check_template('{% include "base.html" %}')
    MessageTemplate.objects.filter(kind=MessageKind.REFUSED, language="vi").update(
        body='{% include "base.html" %}'
    )
    event = DossierEvent.objects.create(
        dossier=dossier, at=at(5, 9), kind=EventKind.REFUSED, to_status=3, note="r"
    )
    (email, _sms) = messages_for_event(dossier=dossier, event=event)
    # The include fails: the built-in texts are used.
    assert email.subject == f"Hồ sơ {dossier.code} không được tiếp nhận"
    assert "Lý do: r" in email.body


# --- Submission ------------------------------------------------------------------------------


@pytest.fixture
def procedure() -> Procedure:
    OneStopUnitFactory(code="000.00.00.H15")
    procedure: Procedure = ProcedureFactory(name="Đăng ký khai sinh")
    return procedure


def submit(procedure: Procedure, channel: Channel = Channel.ONLINE) -> Dossier:
    assert procedure.current_version is not None
    component = procedure.current_version.components.get(is_required=True)
    form: dict[str, Any] = {
        "procedure": procedure.code,
        "applicant_name": "Nguyễn Thị Hồng Nhung",
        "applicant_id_number": "048190001234",
        "applicant_phone": "0905 123 456",
        "applicant_email": "nhung@example.vn",
        "applicant_address": "12 Bạch Đằng",
        "delivery": "counter",
        "eform-child_name": "Trần Minh Khôi",
        "eform-birth_date": "2026-11-01",
    }
    pdf = SimpleUploadedFile("to-khai.pdf", pdf_bytes(), "application/pdf")
    return dossier_submit(
        procedure_code=procedure.code,
        data=form,
        files={f"component-{component.pk}": [pdf]},
        channel=channel,
        now=dt.datetime(2026, 11, 23, 9, 0, tzinfo=HCM),
    ).dossier


def test_an_online_submission_is_acknowledged_with_the_answer_time(procedure: Procedure) -> None:
    dossier = submit(procedure)
    email, sms = Message.objects.filter(dossier=dossier).order_by("id")
    assert (email.kind, sms.kind) == (MessageKind.ACKNOWLEDGED, MessageKind.ACKNOWLEDGED)
    # 8 working hours from Monday 9:00 (7:30-11:30, 13:30-17:00): Tuesday 9:30.
    assert "trước 09:30 24/11/2026" in email.body
    assert sms.recipient == "0905123456"


def test_a_refused_submission_writes_no_message(procedure: Procedure) -> None:
    with pytest.raises(Exception):  # noqa: B017 - whichever error, nothing is written
        dossier_submit(procedure_code=procedure.code, data={}, files={})
    assert not Message.objects.exists()


# --- Reading ---------------------------------------------------------------------------------


def test_a_dossiers_messages_are_one_entry_per_step_newest_first_in_one_query(
    cast: Cast, dossier: Dossier, django_assert_num_queries: Any
) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at(5, 10))
    services.dossier_stop(dossier=dossier, actor=cast.leader, reason="Hết thẩm quyền", now=at(6, 9))
    Message.objects.filter(kind=MessageKind.ACCEPTED, channel="sms").update(status="failed")

    with django_assert_num_queries(1):
        entries = dossier_messages(dossier.pk)

    assert [e.kind for e in entries] == [MessageKind.STOPPED, MessageKind.ACCEPTED]
    assert entries[1].subject == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert [c[0] for c in entries[1].channels] == ["email", "sms"]
    assert entries[1].channels[1][2] == str(MessageStatus.FAILED.label)
    assert dossier_messages(dossier.pk + 1000) == []


# --- SMS text --------------------------------------------------------------------------------


def test_sms_text_is_folded_and_cut_to_the_segments_allowed() -> None:
    assert ascii_text("Hồ sơ ĐÃ được tiếp nhận") == "Ho so DA duoc tiep nhan"
    long = "Hồ sơ " * 100
    assert 300 < len(sms_text(long, unicode=False, segments=2)) <= 306
    assert sms_text(long, unicode=False, segments=1).endswith("...")
    assert len(sms_text(long, unicode=True, segments=1)) == 70
    assert sms_text("Hồ sơ\nmới", unicode=True, segments=1) == "Hồ sơ mới"


@override_settings(OUTBOX_SMS_UNICODE=True)
def test_unicode_sms_keeps_the_diacritics(cast: Cast, dossier: Dossier) -> None:
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    assert Message.objects.get(channel="sms").body.startswith(f"Hồ sơ {dossier.code} đã")


def test_the_dossier_page_include_shows_the_messages_and_their_channels(
    cast: Cast, dossier: Dossier
) -> None:
    from django.template.loader import render_to_string
    from django.utils import translation

    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at(5, 10))
    with translation.override("vi"):
        html = render_to_string(
            "outbox/_dossier_messages.html", {"dossier_messages": dossier_messages(dossier.pk)}
        )
        empty = render_to_string("outbox/_dossier_messages.html", {"dossier_messages": []})
    assert f"Hồ sơ {dossier.code} đã được tiếp nhận" in html
    assert "Thư điện tử: Chờ gửi" in html and "Tin nhắn SMS: Chờ gửi" in html
    assert "an@example.vn" not in html and "0912" not in html
    assert "Chưa có tin nhắn nào về hồ sơ này." in empty
