"""The fee computation: a pure function of the rules, the channel, the counts and the claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from motcua.catalog.fees import (
    AMOUNT_INVALID,
    BAD_QUANTITY,
    BASIS_UNKNOWN,
    CHANNEL_REQUIRED,
    CODE_INVALID,
    COPIES_FIELD_REQUIRED,
    DATES_INVALID,
    DOSSIER_BASIS_EXTRA,
    DUE_UNKNOWN,
    EXEMPTION_NOT_CLAIMABLE,
    EXEMPTION_NOT_IN_FORCE,
    FEE_CODES_UNKNOWN,
    FEE_NAME_REQUIRED,
    FEES_INVALID,
    KIND_UNKNOWN,
    PAGES_FIELD_REQUIRED,
    PERCENT_INVALID,
    PROOF_DESCRIPTION_REQUIRED,
    PROOF_REQUIRED,
    QUANTITY_NOT_IN_EFORM,
    QUANTITY_REQUIRED,
    TIERS_INVALID,
    UNKNOWN_EXEMPTION,
    Claim,
    FeeExemptionSpec,
    FeeInputNames,
    FeeQuote,
    FeeSpec,
    Tier,
    eform_quantities,
    exemption_spec_problems,
    fee_quote,
    fee_rule_text,
    fee_spec_problems,
    parse_quantity,
    tiers_from_json,
    tiers_from_text,
    tiers_to_text,
)
from motcua.core.errors import ValidationFailed

ONLINE, COUNTER = 2, 1
DAY = dt.date(2026, 3, 2)

CERTIFIED_COPY = FeeSpec(
    code="P-CTBS",
    kind="fee",
    name="Phí chứng thực bản sao",
    basis="page",
    amount=2000,
    tiers=(Tier(3, 1000),),
    cap=200_000,
    copies_field="copies",
    pages_field="pages",
)
BIRTH = FeeSpec(code="LP-KS", kind="charge", name="Lệ phí đăng ký khai sinh", amount=8000)
EXTRACTS = FeeSpec(
    code="P-TL", kind="fee", name="Bản sao trích lục", basis="copy", amount=8000,
    copies_field="copies",
)  # fmt: skip
JUDICIAL = FeeSpec(code="P-LLTP", kind="fee", name="Phí lý lịch tư pháp", amount=200_000)
EXTRA_CARDS = FeeSpec(
    code="P-IN", kind="fee", name="Từ Phiếu thứ 3", basis="copy", amount=0,
    tiers=(Tier(3, 5000),), copies_field="copies",
)  # fmt: skip
ON_TIME = FeeExemptionSpec(
    code="DUNG-HAN", name="Đăng ký đúng hạn", fee_codes=("LP-KS",), proof="Giấy chứng sinh"
)
POOR = FeeExemptionSpec(code="HO-NGHEO", name="Hộ nghèo", proof="Giấy chứng nhận hộ nghèo")
STUDENT = FeeExemptionSpec(
    code="SV", name="Sinh viên", percent=50, fee_codes=("P-LLTP",), proof="Thẻ sinh viên"
)
ONLINE_WAIVER = FeeExemptionSpec(
    code="TRUC-TUYEN", name="Nộp trực tuyến", trigger="channel", channel=ONLINE,
    fee_codes=("LP-KS",),
)  # fmt: skip


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Texts in English: the Vietnamese catalogue is the lead's to fill (see the report)."""
    with translation.override("en"):
        yield


def quote(fees: list[FeeSpec], **kwargs: Any) -> FeeQuote:
    kwargs.setdefault("channel", COUNTER)
    kwargs.setdefault("quantities", {})
    kwargs.setdefault("on", DAY)
    return fee_quote(fees=fees, **kwargs)


def test_a_per_page_fee_is_tiered_capped_per_copy_and_multiplied_by_copies() -> None:
    result = quote([CERTIFIED_COPY], quantities={"pages": 5, "copies": 2})
    (line,) = result.lines
    assert line.amount == line.base_amount == (2 * 2000 + 3 * 1000) * 2
    assert line.rule_text == (
        "2.000 VND/page × 2 pages + 1.000 VND/page × 3 pages (at most 200.000 VND/copy) × 2 copies"
    )
    assert (line.pages, line.copies, line.due) == (5, 2, "before")
    assert (result.due_now, result.due_later, result.pending) == (14_000, 0, False)


def test_the_cap_applies_to_each_copy() -> None:
    (line,) = quote([CERTIFIED_COPY], quantities={"pages": 500, "copies": 3}).lines
    # 2 x 2.000 + 498 x 1.000 = 502.000, capped at 200.000 a copy.
    assert line.amount == 3 * 200_000


def test_pages_below_the_tier_use_the_first_amount_only() -> None:
    (line,) = quote([CERTIFIED_COPY], quantities={"pages": 1, "copies": 1}).lines
    assert line.amount == 2000
    assert line.rule_text == "2.000 VND/page × 1 page (at most 200.000 VND/copy) × 1 copy"


def test_zero_pages_or_zero_copies_cost_nothing() -> None:
    lines = quote([CERTIFIED_COPY], quantities={"pages": 0, "copies": 4}).lines
    assert lines[0].amount == 0
    lines = quote([EXTRACTS], quantities={"copies": 0}).lines
    assert (lines[0].amount, lines[0].rule_text) == (0, "8.000 VND/copy × 0 copies")


def test_a_per_copy_fee_with_a_tier_from_the_third_copy() -> None:
    lines = quote([JUDICIAL, EXTRA_CARDS], quantities={"copies": 4}).lines
    assert [line.amount for line in lines] == [200_000, 10_000]
    assert lines[1].rule_text == "0 VND/copy × 2 copies + 5.000 VND/copy × 2 copies"
    assert quote([JUDICIAL, EXTRA_CARDS], quantities={"copies": 2}).lines[1].amount == 0


def test_a_per_copy_cap_limits_the_whole_line() -> None:
    capped = FeeSpec(
        code="X", kind="fee", name="X", basis="copy", amount=8000, cap=20_000,
        copies_field="copies",
    )  # fmt: skip
    (line,) = quote([capped], quantities={"copies": 5}).lines
    assert line.amount == 20_000
    assert line.rule_text == "8.000 VND/copy × 5 copies (at most 20.000 VND)"


def test_a_fixed_fee_needs_no_count() -> None:
    result = quote([BIRTH])
    assert [(line.amount, line.rule_text) for line in result.lines] == [(8000, "8.000 VND/dossier")]


def test_a_claimed_exemption_with_its_proof_exempts_only_the_fees_it_names() -> None:
    result = quote(
        [BIRTH, EXTRACTS],
        exemptions=[ON_TIME],
        quantities={"copies": 2},
        claims=[Claim("DUNG-HAN", "CS-123")],
    )
    birth, extracts = result.lines
    assert (birth.amount, birth.base_amount, birth.due) == (0, 8000, "exempt")
    assert birth.exemption_text == "Exempt: Đăng ký đúng hạn"
    assert (birth.exemption_code, birth.reduction_percent) == ("DUNG-HAN", 100)
    assert birth.claims == (Claim("DUNG-HAN", "CS-123"),)
    assert (extracts.amount, extracts.exemption_code, extracts.claims) == (16_000, "", ())
    assert result.due_now == 16_000


def test_an_exemption_without_fee_codes_covers_every_fee() -> None:
    result = quote(
        [BIRTH, EXTRACTS],
        exemptions=[POOR],
        quantities={"copies": 1},
        claims=[Claim("HO-NGHEO", "HN-1")],
    )
    assert [line.amount for line in result.lines] == [0, 0]


def test_a_reduction_halves_the_amount() -> None:
    (line,) = quote([JUDICIAL], exemptions=[STUDENT], claims=[Claim("SV", "SV-9")]).lines
    assert (line.amount, line.base_amount, line.due) == (100_000, 200_000, "before")
    assert line.exemption_text == "50% off: Sinh viên"


def test_the_most_favourable_exemption_applies_not_their_sum() -> None:
    children = FeeExemptionSpec(code="TRE-EM", name="Trẻ em", proof="Giấy khai sinh")
    (line,) = quote(
        [JUDICIAL],
        exemptions=[STUDENT, children],
        claims=[Claim("SV", "SV-9"), Claim("TRE-EM", "KS-1")],
    ).lines
    assert (line.amount, line.exemption_code) == (0, "TRE-EM")
    assert {c.code for c in line.claims} == {"SV", "TRE-EM"}


def test_reductions_round_half_up_to_whole_dong() -> None:
    odd = FeeSpec(code="X", kind="fee", name="X", amount=1005)
    half = FeeExemptionSpec(code="H", name="H", percent=50, proof="p")
    third = FeeExemptionSpec(code="T", name="T", percent=33, proof="p")
    assert quote([odd], exemptions=[half], claims=[Claim("H", "1")]).lines[0].amount == 503
    # 1005 x 67 % = 673.35
    assert quote([odd], exemptions=[third], claims=[Claim("T", "1")]).lines[0].amount == 673


def test_a_channel_reduction_applies_by_itself_to_its_channel_only() -> None:
    online = quote([BIRTH], exemptions=[ONLINE_WAIVER], channel=ONLINE).lines[0]
    counter = quote([BIRTH], exemptions=[ONLINE_WAIVER], channel=COUNTER).lines[0]
    assert (online.amount, online.exemption_code, online.due) == (0, "TRUC-TUYEN", "exempt")
    assert (counter.amount, counter.exemption_code) == (8000, "")


def test_an_exemption_applies_only_while_in_force() -> None:
    waiver = FeeExemptionSpec(
        code="W", name="W", trigger="channel", channel=ONLINE,
        valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31),
    )  # fmt: skip
    assert quote([BIRTH], exemptions=[waiver], channel=ONLINE).lines[0].amount == 0
    after = quote([BIRTH], exemptions=[waiver], channel=ONLINE, on=dt.date(2027, 1, 1))
    assert after.lines[0].amount == 8000
    expired = FeeExemptionSpec(code="E", name="E", proof="p", valid_until=dt.date(2025, 12, 31))
    with pytest.raises(ValidationFailed) as raised:
        quote([BIRTH], exemptions=[expired], claims=[Claim("E", "x")])
    assert raised.value.field_errors == {"fee_claim": [EXEMPTION_NOT_IN_FORCE]}


def test_fees_paid_after_count_in_the_later_total() -> None:
    permit = FeeSpec(code="LP-GP", kind="charge", name="Giấy phép", amount=10_000, due="after")
    result = quote([BIRTH, permit])
    assert (result.due_now, result.due_later, result.total) == (8000, 10_000, 18_000)


def test_exempt_and_not_charged_rules_are_zero_lines_whatever_the_counts() -> None:
    exempt = FeeSpec(code="LP-KH", kind="charge", name="Kết hôn", amount=0, due="exempt")
    none = FeeSpec(
        code="N", kind="fee", name="N", amount=5000, due="none", basis="copy",
        copies_field="copies",
    )  # fmt: skip
    lines = quote([exempt, none]).lines
    assert [(line.amount, line.due) for line in lines] == [(0, "exempt"), (0, "none")]
    assert lines[1].rule_text == "not charged (không thu)"


def test_a_missing_count_is_an_error_keyed_by_the_callers_input() -> None:
    with pytest.raises(ValidationFailed) as raised:
        quote([CERTIFIED_COPY], quantities={"pages": 3})
    assert raised.value.message == FEES_INVALID
    assert raised.value.field_errors == {"eform-copies": [QUANTITY_REQUIRED]}
    with pytest.raises(ValidationFailed) as raised:
        quote([CERTIFIED_COPY], quantities={"copies": 1}, names=FeeInputNames(quantity="q.{}"))
    assert raised.value.field_errors == {"q.pages": [QUANTITY_REQUIRED]}


@pytest.mark.parametrize("value", ["two", "2.5", -1, 100_001, True, "1e3x", float("nan"), [2]])
def test_a_count_that_is_not_a_whole_number_is_refused(value: Any) -> None:
    with pytest.raises(ValidationFailed) as raised:
        quote([EXTRACTS], quantities={"copies": value}, partial=True)
    assert raised.value.field_errors == {"eform-copies": [BAD_QUANTITY]}


def test_counts_as_text_or_decimals_are_read() -> None:
    assert [parse_quantity(v) for v in ("3", " 4 ", "2.0", 5, None, "")] == [3, 4, 2, 5, None, None]


def test_a_partial_quote_leaves_unknown_counts_waiting() -> None:
    result = quote([BIRTH, CERTIFIED_COPY], quantities={"copies": 2}, partial=True)
    _birth, copy = result.lines
    assert copy.pending and copy.amount is None and copy.waiting_for == ("pages",)
    assert copy.rule_text == (
        "2.000 VND/page; from page 3: 1.000 VND/page; at most 200.000 VND/copy"
    )
    assert (result.due_now, result.pending) == (8000, True)


def test_counts_the_officer_gives_wait_until_counted() -> None:
    counted_at_intake = FeeSpec(
        code="P", kind="fee", name="P", basis="page", amount=2000,
        quantity_source="counter", pages_field="pages",
    )  # fmt: skip
    online = quote([counted_at_intake], channel=ONLINE, quantities={"pages": 9})
    assert online.lines[0].waiting_for == ("pages",)  # the applicant's value is not used
    counter = quote([counted_at_intake], quantities={"pages": 9}, counted=True)
    assert counter.lines[0].amount == 18_000


def test_claims_are_checked_every_problem_at_once_and_nothing_is_computed() -> None:
    with pytest.raises(ValidationFailed) as raised:
        quote(
            [BIRTH],
            exemptions=[ON_TIME, ONLINE_WAIVER, POOR],
            claims=[Claim("NOPE"), Claim("TRUC-TUYEN"), Claim("DUNG-HAN"), Claim("HO-NGHEO", "")],
        )
    assert raised.value.field_errors == {
        "fee_claim": [UNKNOWN_EXEMPTION, EXEMPTION_NOT_CLAIMABLE],
        "fee_proof-DUNG-HAN": [PROOF_REQUIRED],
        "fee_proof-HO-NGHEO": [PROOF_REQUIRED],
    }


def test_a_partial_quote_does_not_ask_for_proofs_unless_told() -> None:
    result = quote([BIRTH], exemptions=[ON_TIME], claims=[Claim("DUNG-HAN")], partial=True)
    assert result.lines[0].amount == 0
    with pytest.raises(ValidationFailed):
        quote(
            [BIRTH], exemptions=[ON_TIME], claims=[Claim("DUNG-HAN")], partial=True,
            require_proofs=True,
        )  # fmt: skip


def test_a_claim_repeated_keeps_one_proof() -> None:
    (line,) = quote(
        [BIRTH], exemptions=[ON_TIME], claims=[Claim("DUNG-HAN", "A"), Claim("DUNG-HAN", "")]
    ).lines
    assert line.claims == (Claim("DUNG-HAN", "A"),)


def test_no_rules_no_lines() -> None:
    result = quote([])
    assert (result.lines, result.total, result.pending) == ((), 0, False)


def test_the_rule_in_words() -> None:
    assert fee_rule_text(CERTIFIED_COPY) == (
        "2.000 VND/page; from page 3: 1.000 VND/page; at most 200.000 VND/copy"
    )
    assert fee_rule_text(EXTRA_CARDS) == "0 VND/copy; from copy 3: 5.000 VND/copy"
    assert fee_rule_text(BIRTH) == "8.000 VND/dossier"


def test_the_eform_gives_counts_an_optional_blank_count_is_zero() -> None:
    eform = [
        {"name": "copies", "type": "number", "required": False},
        {"name": "pages", "type": "number", "required": True},
        {"name": "note", "type": "text"},
    ]
    assert eform_quantities(eform, {"copies": "", "pages": ""}) == {"copies": 0, "pages": ""}
    assert eform_quantities(eform, {"copies": "3", "pages": 2}) == {"copies": "3", "pages": 2}


def test_tiers_read_from_a_cell_or_json() -> None:
    assert tiers_from_text("3: 1.000; 10:500") == (Tier(3, 1000), Tier(10, 500))
    assert tiers_to_text((Tier(3, 1000),)) == "3: 1000"
    assert tiers_from_json([{"from": 3, "amount": 1000}]) == (Tier(3, 1000),)
    for bad_text in ("3 1000", "x: 1", "3: -1"):
        with pytest.raises(ValueError):
            tiers_from_text(bad_text)
    for bad_json in (
        "3",
        [{"from": 3}],
        [{"from": "3", "amount": 1}],
        [{"from": True, "amount": 1}],
    ):
        with pytest.raises(ValueError):
            tiers_from_json(bad_json)


def problems(spec: Any, *args: Any) -> set[tuple[str, Any]]:
    fn = fee_spec_problems if isinstance(spec, FeeSpec) else exemption_spec_problems
    return set(fn(spec, *args))


def test_a_good_rule_has_no_problem() -> None:
    assert problems(CERTIFIED_COPY, frozenset({"pages", "copies"})) == set()
    assert problems(STUDENT, frozenset({"P-LLTP"})) == set()
    assert problems(ONLINE_WAIVER) == set()


def test_rule_problems_name_their_field() -> None:
    assert problems(FeeSpec(code="a b", kind="x", name=" ", amount=-1, basis="?", due="?")) == {
        ("code", CODE_INVALID),
        ("name", FEE_NAME_REQUIRED),
        ("kind", KIND_UNKNOWN),
        ("basis", BASIS_UNKNOWN),
        ("due", DUE_UNKNOWN),
        ("amount", AMOUNT_INVALID),
    }


def test_counts_must_be_named_and_in_the_eform() -> None:
    page = FeeSpec(code="P", kind="fee", name="P", basis="page", amount=1)
    assert problems(page) == {("pages_field", PAGES_FIELD_REQUIRED)}
    copy = FeeSpec(code="P", kind="fee", name="P", basis="copy", amount=1)
    assert problems(copy) == {("copies_field", COPIES_FIELD_REQUIRED)}
    assert problems(CERTIFIED_COPY, frozenset({"pages"})) == {
        ("copies_field", QUANTITY_NOT_IN_EFORM)
    }
    officer = FeeSpec(
        code="P", kind="fee", name="P", basis="page", amount=1, pages_field="pages",
        quantity_source="counter",
    )  # fmt: skip
    assert problems(officer, frozenset()) == set()  # the officer's counts need no e-form field


def test_tiers_must_start_after_the_first_unit_in_order() -> None:
    for tiers in [
        (Tier(1, 5),),
        (Tier(5, 1), Tier(3, 1)),
        (Tier(3, 1), Tier(3, 2)),
        (Tier(3, -1),),
    ]:
        spec = FeeSpec(
            code="P", kind="fee", name="P", basis="copy", amount=1, copies_field="c", tiers=tiers
        )
        assert problems(spec) == {("tiers", TIERS_INVALID)}, tiers


def test_a_fixed_fee_has_no_tiers_cap_or_counts() -> None:
    spec = FeeSpec(code="P", kind="fee", name="P", amount=1, cap=5)
    assert problems(spec) == {("basis", DOSSIER_BASIS_EXTRA)}


def test_exemption_problems_name_their_field() -> None:
    assert problems(FeeExemptionSpec(code="X", name="X", percent=0)) == {
        ("percent", PERCENT_INVALID),
        ("proof", PROOF_DESCRIPTION_REQUIRED),
    }
    assert problems(FeeExemptionSpec(code="X", name="X", trigger="channel")) == {
        ("channel", CHANNEL_REQUIRED)
    }
    assert problems(
        FeeExemptionSpec(code="X", name="X", proof="p", fee_codes=("NOPE",)), frozenset({"A"})
    ) == {("fee_codes", FEE_CODES_UNKNOWN)}
    dates = FeeExemptionSpec(
        code="X", name="X", proof="p", valid_from=dt.date(2026, 2, 1),
        valid_until=dt.date(2026, 1, 1),
    )  # fmt: skip
    assert problems(dates) == {("valid_until", DATES_INVALID)}
