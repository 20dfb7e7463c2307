"""VNPAY signing and reading, checked against VNPAY's documented example and RFC 4231."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import RequestFactory, override_settings

from motcua.payments.gateways.base import (
    Answer,
    BadSignature,
    CheckoutRequest,
    GatewayError,
    Outcome,
    Payer,
)
from motcua.payments.gateways.vnpay import (
    GMT7,
    QUERY_FIELDS,
    VnpayGateway,
    hash_data,
    order_info,
    outcome_of,
    pipe_data,
    sign,
)

# The pay URL of VNPAY's integration guide (sandbox.vnpayment.vn/apis/docs/huong-dan-tich-hop/),
# without its vnp_SecureHash: the signed string is exactly this query.
DOC_QUERY = (
    "vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
    "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5"
    "&vnp_OrderType=other&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl"
    "&vnp_TmnCode=DEMOV210&vnp_TxnRef=5&vnp_Version=2.1.0"
)


def test_the_signed_string_matches_vnpays_documented_example() -> None:
    fields = dict(parse_qsl(DOC_QUERY))
    assert fields["vnp_OrderInfo"] == "Thanh toan don hang :5"
    shuffled = dict(reversed(list(fields.items())))
    assert hash_data(shuffled) == DOC_QUERY


def test_hmac_sha512_is_the_rfc_4231_one_in_lower_case_hex() -> None:
    assert sign("Jefe", "what do ya want for nothing?") == (
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
        "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"
    )


def test_the_querydr_string_is_piped_in_the_documented_order() -> None:
    fields = {name: name[4:] for name in QUERY_FIELDS}
    assert pipe_data(fields, QUERY_FIELDS) == (
        "RequestId|Version|Command|TmnCode|TxnRef|TransactionDate|CreateDate|IpAddr|OrderInfo"
    )


def test_order_info_is_plain_ascii() -> None:
    assert order_info("Lệ phí hồ sơ: Đăng ký khai sinh #12 <b>") == (
        "Le phi ho so: Dang ky khai sinh 12 b"
    )


@pytest.mark.parametrize(
    ("response", "status", "outcome"),
    [
        ("00", "00", Outcome.PAID),
        ("00", "01", Outcome.PENDING),
        ("24", "02", Outcome.CANCELLED),
        ("51", "02", Outcome.FAILED),
        ("00", "02", Outcome.FAILED),  # paid only when both say 00
        ("07", "07", Outcome.FAILED),  # suspected fraud: not paid for us
    ],
)
def test_paid_only_when_both_codes_say_00(response: str, status: str, outcome: Outcome) -> None:
    assert outcome_of(response, status) is outcome


@override_settings(
    VNPAY_TMN_CODE="DEMOV210", VNPAY_HASH_SECRET="s3cret", VNPAY_PAY_URL="https://p/x"
)
def test_checkout_signs_the_fields_in_gmt7() -> None:
    created = dt.datetime(2026, 12, 6, 1, 2, 3, tzinfo=dt.UTC)
    url = (
        VnpayGateway()
        .checkout(
            CheckoutRequest(
                reference="ABC12345",
                amount=18_060,
                description="Thanh toán",
                return_url="https://m/return",
                ipn_url="https://m/ipn",
                client_ip="10.0.0.1",
                created_at=created,
                expires_at=created + dt.timedelta(minutes=15),
                payer=Payer(name="A", identification="1"),
                bills=[],
            )
        )
        .redirect_url
    )
    query, _, secure = urlsplit(url).query.rpartition("&vnp_SecureHash=")
    assert secure == sign("s3cret", query)
    fields = dict(parse_qsl(query))
    assert (fields["vnp_CreateDate"], fields["vnp_ExpireDate"]) == (
        "20261206080203",
        "20261206081703",
    )
    assert (fields["vnp_Amount"], fields["vnp_OrderInfo"]) == ("1806000", "Thanh toan")


@override_settings(VNPAY_TMN_CODE="DEMOV210", VNPAY_HASH_SECRET="s3cret")
def test_a_notification_is_read_and_a_forged_one_refused() -> None:
    fields = {
        "vnp_Amount": "1806000",
        "vnp_PayDate": "20261206150000",
        "vnp_ResponseCode": "00",
        "vnp_TmnCode": "DEMOV210",
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionStatus": "00",
        "vnp_TxnRef": "ABC12345",
    }
    signed = {**fields, "vnp_SecureHash": sign("s3cret", hash_data(fields)).upper()}
    gateway = VnpayGateway()
    report = gateway.read_notification(RequestFactory().get("/ipn", signed))
    assert (report.reference, report.amount, report.outcome) == ("ABC12345", 18_060, Outcome.PAID)
    assert report.paid_at == dt.datetime(2026, 12, 6, 15, tzinfo=GMT7)
    assert "vnp_SecureHash" not in report.raw
    for forged in ({**signed, "vnp_Amount": "100"}, {**fields}, {**signed, "vnp_SecureHash": "00"}):
        with pytest.raises(BadSignature):
            gateway.read_notification(RequestFactory().get("/ipn", forged))


@override_settings(VNPAY_TMN_CODE="DEMOV210", VNPAY_HASH_SECRET="s3cret")
@pytest.mark.parametrize(
    ("answer", "code"),
    [
        (Answer.CONFIRMED, "00"),
        (Answer.NOT_FOUND, "01"),
        (Answer.ALREADY_CONFIRMED, "02"),
        (Answer.INVALID_AMOUNT, "04"),
        (Answer.INVALID_SIGNATURE, "97"),
        (Answer.OTHER, "99"),
    ],
)
def test_the_ipn_answers_are_vnpays_codes(answer: Answer, code: str) -> None:
    body = json.loads(VnpayGateway().answer(answer).content)
    assert body["RspCode"] == code and body["Message"]


@override_settings(VNPAY_TMN_CODE="", VNPAY_HASH_SECRET="")
def test_an_unconfigured_gateway_says_so() -> None:
    with pytest.raises(GatewayError) as missing:
        VnpayGateway()
    assert not missing.value.retry


@override_settings(VNPAY_TMN_CODE="DEMOV210", VNPAY_HASH_SECRET="s3cret")
def test_an_empty_field_vnpay_sent_counts_in_the_signature() -> None:
    fields = {"vnp_BankTranNo": "", "vnp_ResponseCode": "24", "vnp_TxnRef": "ABC12345"}
    assert hash_data(fields) == "vnp_BankTranNo=&vnp_ResponseCode=24&vnp_TxnRef=ABC12345"
    signed = {**fields, "vnp_SecureHash": sign("s3cret", hash_data(fields))}
    report = VnpayGateway().read_notification(RequestFactory().get("/ipn", signed))
    assert report.outcome == Outcome.CANCELLED


def test_the_statement_is_read_from_the_merchant_portals_export_in_a_folder(tmp_path: Path) -> None:
    (tmp_path / "vnpay-DEMOV210-20261206.csv").write_text(
        "vnp_TxnRef,vnp_TransactionNo,kind,vnp_Amount,vnp_PayDate,status\n"
        "ABC12345,14000001,payment,1806000,20261206101500,00\n"
        "ABC12345,14000002,refund,806000,20261206111500,00\n",
        encoding="utf-8",
    )
    with override_settings(
        VNPAY_TMN_CODE="DEMOV210", VNPAY_HASH_SECRET="s", VNPAY_STATEMENT_URL=tmp_path.as_uri()
    ):
        gateway = VnpayGateway()
    lines = gateway.statement(dt.date(2026, 12, 6))
    assert [(x.reference, x.kind, x.amount, x.outcome) for x in lines] == [
        ("ABC12345", "payment", 18_060, Outcome.PAID),
        ("ABC12345", "refund", 8_060, Outcome.PAID),
    ]
    assert lines[0].at == dt.datetime(2026, 12, 6, 10, 15, tzinfo=GMT7)
    with pytest.raises(GatewayError):
        gateway.statement(dt.date(2026, 12, 5))
