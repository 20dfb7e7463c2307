"""Vietnamese numbers and the words of a comparison."""

from __future__ import annotations

import pytest

from motcua.review.formatting import (
    change_words,
    compare_words,
    difference_words,
    vn_number,
    vn_percent,
    with_unit,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (182616, "182.616"),
        (1169375, "1.169.375"),
        (72.6, "72,6"),
        (10.675, "10,68"),
        (2105.8, "2.105,8"),
        (0, "0"),
        (-3, "-3"),
        (None, "—"),
    ],
)
def test_numbers_take_dots_between_thousands_and_a_decimal_comma(
    value: float | None, text: str
) -> None:
    assert vn_number(value) == text


def test_percentages_and_units_are_written_as_documents_write_them() -> None:
    assert vn_percent(50.3) == "50,3%"
    assert vn_percent(50.0) == "50%"
    assert with_unit(72.6, "máy/100 dân") == "72,6 máy/100 dân"
    assert with_unit(42.86, "%") == "42,9%"


def test_a_count_that_grew_is_told_as_a_percentage_of_last_year() -> None:
    assert change_words(225, 200, unit="hồ sơ") == "tăng 12,5%"
    assert compare_words(225, 200, unit="hồ sơ", previous_year=2025) == (
        "tăng 12,5% so với năm 2025"
    )


def test_a_count_that_fell_is_told_as_a_decrease() -> None:
    assert change_words(150, 200, unit="hồ sơ") == "giảm 25%"
    assert difference_words(7, 10, unit="hồ sơ") == "giảm 3 hồ sơ"
    assert difference_words(12, 0, unit="hồ sơ") == "tăng 12 hồ sơ"


def test_the_same_value_is_told_as_the_same_as_last_year() -> None:
    assert change_words(5, 5, unit="hồ sơ") == "bằng năm trước"
    assert compare_words(5, 5, unit="hồ sơ", previous_year=2025) == "bằng năm 2025"


def test_shares_move_by_points_and_durations_by_days() -> None:
    assert change_words(52.4, 50.3, unit="%") == "tăng 2,1 điểm phần trăm"
    assert change_words(4.5, 6, unit="ngày") == "giảm 1,5 ngày"
    assert change_words(5, 0, unit="hồ sơ") == "tăng 5 hồ sơ"  # no percentage of nought


def test_an_unknown_value_says_there_is_nothing_to_compare() -> None:
    assert change_words(None, 5) == ""
    assert compare_words(5, None, previous_year=2025) == ("chưa có số liệu năm 2025 để so sánh")
