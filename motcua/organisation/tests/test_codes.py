"""Agency codes: four groups read from the right, level-1 code last (Decision 20/2020/QĐ-TTg)."""

from __future__ import annotations

import pytest

from motcua.core.errors import ValidationFailed
from motcua.organisation.codes import (
    AGENCY_CODE_FORMAT,
    AGENCY_CODE_GAP,
    AgencyCode,
    agency_code_parse,
)


@pytest.mark.parametrize(
    ("text", "depth", "parent"),
    [
        ("000.00.00.H15", 1, None),
        ("000.00.05.H15", 2, "000.00.00.H15"),
        ("000.01.21.H15", 3, "000.00.21.H15"),
        ("001.01.21.H15", 4, "000.01.21.H15"),
        ("000.00.48.G01", 2, "000.00.00.G01"),
        ("000.00.A1.H15", 2, "000.00.00.H15"),  # letters allowed past 99 units
    ],
)
def test_a_code_names_its_level_and_its_parent(text: str, depth: int, parent: str | None) -> None:
    code = agency_code_parse(text)

    assert (str(code), code.depth) == (text, depth)
    assert (str(code.parent) if code.parent else None) == parent


def test_codes_are_built_level_by_level() -> None:
    province = AgencyCode("H15")

    assert str(province.child("21").child("01")) == "000.01.21.H15"
    assert province.is_local and not AgencyCode("G01").is_local


@pytest.mark.parametrize(
    "text", ["", "000.00.00", "000.00.00.15", "00.00.00.H15", "000.00.00.h15", "000-00-00-H15"]
)
def test_malformed_codes_are_refused_with_the_expected_shape(text: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        agency_code_parse(text)

    assert error.value.message == AGENCY_CODE_FORMAT
    assert error.value.field_errors == {"code": [AGENCY_CODE_FORMAT]}


@pytest.mark.parametrize(("text", "level"), [("000.21.00.H15", 3), ("001.00.05.H15", 4)])
def test_a_code_that_skips_a_level_is_refused(text: str, level: int) -> None:
    # 000.21.00.H15 was the old demo's commune: a level-3 unit with no level-2 parent.
    with pytest.raises(ValidationFailed) as error:
        agency_code_parse(text)

    assert error.value.message == AGENCY_CODE_GAP.format(level=level)
