"""The electronic receipt: amounts grouped the Vietnamese way, symbols per collecting agency."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from motcua.applicants.tests.factories import signed_in
from motcua.payments.models import Collector, Payment, Receipt
from motcua.payments.receipts import receipt_context, vnd_in_text
from motcua.testing import Cast
from motcua.workflow import services as workflow

from .conftest import add_fee, submitted
from .gateway import signed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("Mức thu 1000000 đồng/hồ sơ", "Mức thu 1.000.000 đồng/hồ sơ"),
        ("Mức thu 1,250,000 đ/bản", "Mức thu 1.250.000 đ/bản"),
        ("2.000 đồng/trang × 3 trang + 1000 đồng/trang × 2 trang", None),
        ("tối đa 200000 VND/bản", "tối đa 200.000 VND/bản"),
        ("500 đồng/trang", None),  # under a thousand: nothing to group
        ("Thông tư 85/2019/TT-BTC, 3 trang, mã 12345", None),  # not money
    ],
)
def test_amounts_in_a_rule_text_are_grouped_with_dots(text: str, shown: str | None) -> None:
    expected = shown or text.replace("1000 đồng", "1.000 đồng")
    assert vnd_in_text(text) == expected


def _paid(client: Client, cast: Cast, *, amount: int, rule_text: str) -> Receipt:
    signed_in(client)
    dossier = submitted(cast)
    fee = add_fee(dossier, amount=amount)
    fee.rule_text = rule_text
    fee.save()
    workflow.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    client.post("/thanh-toan/", {"dossiers": [dossier.code], "gateway": "fake"})
    payment = Payment.objects.get()
    client.get("/thanh-toan/ipn/fake/", signed(payment.reference, payment.amount))
    return Receipt.objects.get(payment=payment)


def test_the_receipt_prints_every_amount_with_dots(client: Client, cast: Cast) -> None:
    receipt = _paid(client, cast, amount=1_000_000, rule_text="Mức thu 1000000 đồng/hồ sơ")
    context = receipt_context(receipt)
    row = context["groups"][0]["lines"][0]
    assert (row["amount"], row["rule"]) == ("1.000.000", "Mức thu 1.000.000 đồng/hồ sơ")
    assert context["total"] == "1.000.000"
    assert context["words"] == "Một triệu đồng"


def test_an_agency_without_its_own_symbols_prints_the_defaults(client: Client, cast: Cast) -> None:
    receipt = _paid(client, cast, amount=8000, rule_text="")
    year = receipt.year % 100
    assert (receipt.form_symbol, receipt.series) == ("01BLP0-001", f"AA-{year:02d}E")


def test_the_collecting_agency_sets_its_form_symbol_and_series(client: Client, cast: Cast) -> None:
    Collector.objects.create(
        agency=cast.unit, tax_code="0401234567", form_symbol="02BLP0-003", series_letters="BK"
    )
    receipt = _paid(client, cast, amount=8000, rule_text="")
    year = receipt.year % 100
    assert (receipt.form_symbol, receipt.series, receipt.tax_code) == (
        "02BLP0-003",
        f"BK-{year:02d}E",
        "0401234567",
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("series_letters", "ab"),
        ("series_letters", "A1"),
        ("form_symbol", "mẫu 1"),
        ("tax_code", "12"),
    ],
)
def test_symbols_that_cannot_be_printed_are_refused(cast: Cast, field: str, value: str) -> None:
    collector = Collector(agency=cast.unit, tax_code="0401234567")
    setattr(collector, field, value)
    with pytest.raises(ValidationError) as refused:
        collector.full_clean()
    assert field in refused.value.message_dict
