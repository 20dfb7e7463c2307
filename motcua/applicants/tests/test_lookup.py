"""Looking up one's dossiers with a one-time code by SMS: same answer whatever matched, codes
limited in tries, time and rate, reads audited, the code on no dossier's page."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.applicants import lookup
from motcua.applicants.models import LookupCode
from motcua.audit.models import AuditEntry, AuditKind, ReadAction
from motcua.core.errors import DomainError, ValidationFailed
from motcua.dossiers.models import ApplicantKind, Dossier
from motcua.outbox.adapters import SmsResult
from motcua.outbox.models import REDACTED_BODY, Message, MessageKind, MessageStatus
from motcua.outbox.selectors import dossier_messages
from motcua.outbox.sending import outbox_send_batch
from motcua.outbox.services import LOOKUP_CODE_EXPIRED, messages_retry
from motcua.testing import DossierFactory

from .factories import HOA, signed_in

pytestmark = pytest.mark.django_db
NUMBER = HOA.id_number
PHONE = "0905123456"
START = "/tra-cuu-ho-so/"
VERIFY = "/tra-cuu-ho-so/nhap-ma/"
LIST = "/tra-cuu-ho-so/danh-sach/"


class FakeGateway:
    """A gateway that records what it is asked."""

    sent: ClassVar[list[tuple[str, str]]] = []
    answers: ClassVar[list[SmsResult]] = []

    def send(self, *, phone: str, text: str, request_id: str) -> SmsResult:
        FakeGateway.sent.append((phone, text))
        if FakeGateway.answers:
            return FakeGateway.answers.pop(0)
        return SmsResult(ok=True, provider_ref="sms-1")

    def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def _fake_gateway() -> Iterator[None]:
    FakeGateway.sent, FakeGateway.answers = [], []
    with override_settings(
        OUTBOX_SMS_GATEWAY="motcua.applicants.tests.test_lookup.FakeGateway",
        MOTCUA_LOOKUP_CODES_PER_HOUR=3,
        MOTCUA_LOOKUP_CODES_PER_ADDRESS_HOUR=10,
        MOTCUA_LOOKUP_CODE_TRIES=5,
        MOTCUA_LOOKUP_CODE_MINUTES=5,
        MOTCUA_LOOKUP_SESSION_MINUTES=30,
    ):
        yield


def _dossier(number: str = NUMBER, phone: str = PHONE, **fields: Any) -> Dossier:
    dossier: Dossier = DossierFactory(applicant_id_number=number, applicant_phone=phone, **fields)
    return dossier


def _code_messages() -> list[Message]:
    return list(Message.objects.filter(kind=MessageKind.LOOKUP_CODE))


def _code_of(message: Message) -> str:
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None, "the SMS carries a 6-digit code"
    return found.group(1)


def _ask(client: Client, number: str = NUMBER, phone: str = PHONE) -> Any:
    return client.post(START, {"id_number": number, "phone": phone})


def test_the_happy_path_sends_a_code_and_lists_only_that_persons_dossiers(
    client: Client,
) -> None:
    mine_old = _dossier(phone="0905 123 456", submitted_at=timezone.now() - dt.timedelta(days=9))
    mine_new = _dossier(phone="+84905123456")
    other_phone = _dossier(phone="0912000111")  # same number, another phone: not shown
    someone_else = _dossier(number="001199000777")

    answer = _ask(client, phone="090 512 3456")

    assert answer.status_code == 302
    assert answer["Location"] == VERIFY
    (message,) = _code_messages()
    assert message.dossier_id is None
    assert message.recipient == "84905123456"  # the gateway's form of the newest dossier's phone
    assert message.status == MessageStatus.PENDING
    answer = client.post(VERIFY, {"code": _code_of(message)})
    assert answer.status_code == 302
    assert answer["Location"] == LIST

    page = client.get(LIST)

    assert page.status_code == 200
    assert [d.code for d in page.context["dossiers"]] == [mine_new.code, mine_old.code]
    text = page.content.decode()
    assert f"/tra-cuu/{mine_new.code}/" in text
    assert other_phone.code not in text
    assert someone_else.code not in text
    assert "/ho-so-cua-toi/" not in text  # read-only: no action, no applicant's page


def test_every_sent_code_and_every_lookup_is_audited_without_the_person(client: Client) -> None:
    dossier = _dossier()
    _ask(client)
    (message,) = _code_messages()
    client.post(VERIFY, {"code": _code_of(message)})
    client.get(LIST)
    client.get(LIST)

    sent = AuditEntry.objects.get(action=lookup.CODE_SENT_ACTION)
    assert sent.after == {"dossiers": 1, "message": message.pk}
    assert sent.address == "127.0.0.1"
    verified = AuditEntry.objects.get(action=lookup.VERIFIED_ACTION)
    assert verified.kind == AuditKind.ACCESS
    assert verified.after == {"dossiers": [dossier.pk]}
    reads = AuditEntry.objects.filter(kind=AuditKind.READ, action=ReadAction.LOOKUP)
    assert reads.count() == 2  # each showing of the list
    assert {(r.object_type, r.object_id) for r in reads} == {("dossiers.dossier", str(dossier.pk))}
    for entry in AuditEntry.objects.all():
        words = f"{entry.object_repr} {entry.note} {entry.before} {entry.after}"
        assert NUMBER not in words
        assert PHONE not in words
        assert _code_of(message) not in words


def test_no_match_gives_the_same_answer_and_sends_nothing(client: Client) -> None:
    _dossier()
    matched = _ask(client)
    flash_matched = [str(m) for m in matched.wsgi_request._messages]
    other = Client()

    unmatched = _ask(other, number="001199000777", phone="0988777666")

    assert unmatched.status_code == matched.status_code == 302
    assert unmatched["Location"] == matched["Location"]
    flash_unmatched = [str(m) for m in unmatched.wsgi_request._messages]
    assert flash_unmatched == flash_matched
    assert len(_code_messages()) == 1  # the matched one only
    assert AuditEntry.objects.filter(action=lookup.CODE_SENT_ACTION).count() == 1
    page = other.get(VERIFY)
    assert page.status_code == 200
    wrong = other.post(VERIFY, {"code": "123456"})
    assert wrong.status_code == 400
    assert str(lookup.WRONG_CODE) in [str(e) for e in wrong.context["field_errors"]["code"]]


def test_a_number_with_another_phone_is_no_match(client: Client) -> None:
    _dossier()
    _ask(client, phone="0905123457")
    assert _code_messages() == []
    assert LookupCode.objects.get().code_hash == ""


def test_an_organisation_looks_up_by_its_tax_code(client: Client) -> None:
    dossier = _dossier(number="0101234567", applicant_kind=ApplicantKind.ORGANISATION)
    _ask(client, number="0101 234 567")
    client.post(VERIFY, {"code": _code_of(_code_messages()[0])})
    assert [d.code for d in client.get(LIST).context["dossiers"]] == [dossier.code]


def test_a_wrong_code_counts_a_try_and_may_be_tried_again(client: Client) -> None:
    _dossier()
    _ask(client)
    right = _code_of(_code_messages()[0])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    answer = client.post(VERIFY, {"code": wrong})

    assert answer.status_code == 400
    assert "lookup-code" in answer.content.decode()  # the form again
    assert LookupCode.objects.get().tries == 1
    assert client.get(LIST)["Location"] == START  # nothing opened
    assert client.post(VERIFY, {"code": right})["Location"] == LIST


def test_a_malformed_code_costs_no_try(client: Client) -> None:
    _dossier()
    _ask(client)
    answer = client.post(VERIFY, {"code": "12ab"})
    assert answer.status_code == 400
    assert LookupCode.objects.get().tries == 0


def test_too_many_wrong_codes_end_the_code(client: Client) -> None:
    _dossier()
    _ask(client)
    right = _code_of(_code_messages()[0])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(4):
        assert client.post(VERIFY, {"code": wrong}).status_code == 400

    fifth = client.post(VERIFY, {"code": wrong})

    assert str(fifth.context["error"]) == str(lookup.TOO_MANY_TRIES)
    assert fifth.context["again"] is True
    answer = client.post(VERIFY, {"code": right})
    assert str(answer.context["error"]) == str(lookup.TOO_MANY_TRIES)
    assert client.get(LIST)["Location"] == START
    assert not AuditEntry.objects.filter(action=lookup.VERIFIED_ACTION).exists()


def test_an_expired_code_is_refused() -> None:
    _dossier()
    now = timezone.now()
    row = lookup.lookup_code_request(id_number=NUMBER, phone=PHONE, address=None, now=now)
    code = _code_of(_code_messages()[0])

    with pytest.raises(DomainError) as refused:
        lookup.lookup_code_verify(
            lookup_id=row.pk, code=code, now=now + dt.timedelta(minutes=5, seconds=1)
        )

    assert refused.value.message == lookup.CODE_EXPIRED
    opened = lookup.lookup_code_verify(
        lookup_id=row.pk, code=code, now=now + dt.timedelta(minutes=4)
    )
    assert opened.until == now + dt.timedelta(minutes=34)


def test_a_code_opens_once_and_a_new_one_ends_the_old() -> None:
    _dossier()
    first = lookup.lookup_code_request(id_number=NUMBER, phone=PHONE, address=None)
    first_code = _code_of(_code_messages()[-1])
    second = lookup.lookup_code_request(id_number=NUMBER, phone=PHONE, address=None)
    second_code = _code_of(_code_messages()[0])

    with pytest.raises(DomainError):
        lookup.lookup_code_verify(lookup_id=first.pk, code=first_code)
    lookup.lookup_code_verify(lookup_id=second.pk, code=second_code)
    with pytest.raises(DomainError) as again:
        lookup.lookup_code_verify(lookup_id=second.pk, code=second_code)
    assert again.value.message == lookup.CODE_EXPIRED


@pytest.mark.parametrize("matching", [True, False])
def test_codes_are_limited_per_number_matched_or_not(client: Client, matching: bool) -> None:
    if matching:
        _dossier()
    for _ in range(3):
        assert _ask(client).status_code == 302

    fourth = _ask(client)

    assert fourth.status_code == 429
    assert str(fourth.context["error"]) == str(lookup.TOO_MANY_CODES)
    assert len(_code_messages()) == (3 if matching else 0)
    # The same number with another phone, or the phone with another number: still limited.
    assert _ask(client, phone="0905999888").status_code == 429
    assert _ask(client, number="001199000777").status_code == 429


def test_codes_are_limited_per_client_address(client: Client) -> None:
    for i in range(10):
        assert _ask(client, number=f"0011990{i:05d}", phone=f"09051{i:05d}").status_code == 302
    answer = _ask(client, number="001199099999", phone="0905199999")
    assert answer.status_code == 429
    other_address = Client(REMOTE_ADDR="10.0.0.7")
    assert _ask(other_address, number="001199099999", phone="0905199999").status_code == 302


def test_the_limit_counts_the_last_hour_only() -> None:
    now = timezone.now()
    for _ in range(3):
        lookup.lookup_code_request(
            id_number=NUMBER, phone=PHONE, address=None, now=now - dt.timedelta(minutes=61)
        )
    lookup.lookup_code_request(id_number=NUMBER, phone=PHONE, address=None, now=now)
    with pytest.raises(lookup.RateLimited):
        for _ in range(3):
            lookup.lookup_code_request(id_number=NUMBER, phone=PHONE, address=None, now=now)


def test_bad_details_are_refused_with_the_reason_and_nothing_recorded(client: Client) -> None:
    answer = client.post(START, {"id_number": "12ab", "phone": "123"})
    assert answer.status_code == 400
    assert set(answer.context["field_errors"]) == {"id_number", "phone"}
    assert 'aria-invalid="true"' in answer.content.decode()
    assert not LookupCode.objects.exists()
    with pytest.raises(ValidationFailed):
        lookup.lookup_code_request(id_number=NUMBER, phone="+1 202 555 0100", address=None)


def test_the_code_is_on_no_dossier_page_and_leaves_the_row_once_sent(client: Client) -> None:
    dossier = _dossier()
    _ask(client)
    (message,) = _code_messages()
    code = _code_of(message)

    assert dossier_messages(dossier.pk) == []
    signed_in(client, phone=PHONE)
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()
    assert code not in page

    outbox_send_batch()

    assert FakeGateway.sent == [("0905123456", message.body)]
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.body == REDACTED_BODY
    assert messages_retry(messages=[message.pk]) == 0


def test_a_code_sms_keeps_its_text_for_a_retry_and_loses_it_when_failed() -> None:
    _dossier()
    lookup.lookup_code_request(id_number=NUMBER, phone=PHONE, address=None)
    (message,) = _code_messages()
    text = message.body
    FakeGateway.answers = [
        SmsResult(ok=False, error="99: busy", retry=True),
        SmsResult(ok=False, error="108: bad number", retry=False),
    ]

    outbox_send_batch()
    message.refresh_from_db()
    assert (message.status, message.body) == (MessageStatus.PENDING, text)
    outbox_send_batch(now=message.next_attempt_at)
    message.refresh_from_db()

    assert (message.status, message.body) == (MessageStatus.FAILED, REDACTED_BODY)


def test_a_code_sms_left_unsent_past_its_expiry_is_given_up() -> None:
    _dossier()
    now = timezone.now()
    lookup.lookup_code_request(
        id_number=NUMBER, phone=PHONE, address=None, now=now - dt.timedelta(minutes=6)
    )
    lookup.lookup_code_request(id_number="001199000777", phone=PHONE, address=None, now=now)
    (message,) = _code_messages()
    assert message.status == MessageStatus.FAILED
    assert message.body == REDACTED_BODY
    assert message.last_error == LOOKUP_CODE_EXPIRED


def test_the_sms_is_in_the_language_of_the_page(client: Client) -> None:
    _dossier()
    client.cookies["django_language"] = "en"
    _ask(client)
    (message,) = _code_messages()
    assert message.language == "en"
    assert message.body.startswith("Dossier lookup code:")
    lookup.lookup_code_request(id_number=NUMBER, phone=PHONE, address=None, language="vi")
    assert _code_messages()[0].body.startswith("Ma tra cuu ho so:")  # folded to ASCII


def test_the_list_closes_after_its_time_and_on_request(client: Client) -> None:
    _dossier()
    _ask(client)
    client.post(VERIFY, {"code": _code_of(_code_messages()[0])})
    assert client.get(LIST).status_code == 200

    session = client.session
    session["lookup"]["until"] = (timezone.now() - dt.timedelta(seconds=1)).isoformat()
    session.save()
    assert client.get(LIST)["Location"] == START

    _ask(client)
    client.post(VERIFY, {"code": _code_of(_code_messages()[0])})
    assert client.get(LIST).status_code == 200
    assert client.post("/tra-cuu-ho-so/ket-thuc/")["Location"] == START
    assert client.get(LIST)["Location"] == START


def test_the_code_page_needs_a_request_first(client: Client) -> None:
    assert client.get(VERIFY)["Location"] == START
    assert client.post(VERIFY, {"code": "123456"})["Location"] == START


def test_the_list_costs_the_same_queries_for_1_or_20_dossiers(client: Client) -> None:
    _dossier()
    _ask(client)
    client.post(VERIFY, {"code": _code_of(_code_messages()[0])})
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    ids = [_dossier().pk for _ in range(19)]
    session = client.session
    session["lookup"]["ids"] += ids
    session.save()
    with CaptureQueriesContext(connection) as twenty:
        answer = client.get(LIST)
    assert len(answer.context["dossiers"]) == 20
    assert len(twenty) == len(one)


def test_the_pages_are_vietnamese_first_and_linked(client: Client) -> None:
    page = client.get(START).content.decode()
    assert "Tra cứu hồ sơ bằng mã gửi qua SMS" in page
    assert START in client.get("/dang-nhap/").content.decode()
    assert START in client.get("/tra-cuu/").content.decode()


API_CODE = "/api/v1/lookup/code"
API_DOSSIERS = "/api/v1/lookup/dossiers"


def test_the_api_sends_a_code_then_answers_the_dossiers(client: Client) -> None:
    mine = _dossier()
    _dossier(number="001199000777")

    asked = client.post(
        API_CODE, {"id_number": NUMBER, "phone": PHONE}, content_type="application/json"
    )

    assert asked.status_code == 202
    body = asked.json()
    assert body["expires_in"] == 300
    code = _code_of(_code_messages()[0])
    answer = client.post(
        API_DOSSIERS,
        {"reference": body["reference"], "code": code},
        content_type="application/json",
    )
    assert answer.status_code == 200
    (row,) = answer.json()["dossiers"]
    assert row["code"] == mine.code
    assert row["tracking_url"] == f"/tra-cuu/{mine.code}/"
    read = AuditEntry.objects.get(action=ReadAction.LOOKUP)
    assert (read.object_id, read.channel) == (str(mine.pk), "api")
    again = client.post(
        API_DOSSIERS,
        {"reference": body["reference"], "code": code},
        content_type="application/json",
    )
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "code_refused"


def test_the_api_answers_alike_matched_or_not(client: Client) -> None:
    _dossier()
    matched = client.post(
        API_CODE, {"id_number": NUMBER, "phone": PHONE}, content_type="application/json"
    )
    unmatched = client.post(
        API_CODE,
        {"id_number": "001199000777", "phone": PHONE},
        content_type="application/json",
    )
    assert matched.status_code == unmatched.status_code == 202
    assert set(matched.json()) == set(unmatched.json())
    assert matched.json()["detail"] == unmatched.json()["detail"]
    wrong = client.post(
        API_DOSSIERS,
        {"reference": unmatched.json()["reference"], "code": "000000"},
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert "code" in wrong.json()["error"]["fields"]


def test_the_api_refuses_forged_references_bad_details_and_too_many_codes(client: Client) -> None:
    forged = client.post(
        API_DOSSIERS, {"reference": "1", "code": "123456"}, content_type="application/json"
    )
    assert forged.status_code == 400
    assert forged.json()["error"]["code"] == "code_refused"
    bad = client.post(
        API_CODE,
        {"id_number": "x", "phone": "1"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"id_number", "phone"}
    assert bad.json()["error"]["message"] == "Check the details you entered."
    for _ in range(3):
        client.post(
            API_CODE, {"id_number": NUMBER, "phone": PHONE}, content_type="application/json"
        )
    limited = client.post(
        API_CODE, {"id_number": NUMBER, "phone": PHONE}, content_type="application/json"
    )
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
