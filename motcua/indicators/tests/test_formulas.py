"""The formulas on hand-made figures (no database)."""

from __future__ import annotations

import pytest

from motcua.core.errors import ValidationFailed
from motcua.indicators import formulas

ON_TIME = {
    "numerator": "fin_early+fin_on_time+open_within",
    "denominator": "fin_early+fin_on_time+fin_late+open_within+open_past",
}


def test_on_time_rate_counts_finished_and_open_dossiers_within_their_due_date() -> None:
    values = {"fin_early": 3, "fin_on_time": 4, "fin_late": 2, "open_within": 1, "open_past": 0}
    result = formulas.evaluate("ratio", ON_TIME, values, 20)
    assert result.value == 80.0
    assert result.points == 16.0
    assert result.numerator is not None and result.numerator.total == 8
    assert result.denominator is not None and result.denominator.total == 10
    assert [t.name for t in result.numerator.terms] == ["fin_early", "fin_on_time", "open_within"]
    assert [t.is_measure for t in result.numerator.terms] == [True, True, False]


def test_a_share_earns_full_points_at_its_threshold_and_never_more() -> None:
    params = {"numerator": "recv_online", "denominator": "received", "full_score_at": 50}
    assert (
        formulas.evaluate("ratio_full_at", params, {"recv_online": 25, "received": 100}, 8).points
        == 4.0
    )
    assert (
        formulas.evaluate("ratio_full_at", params, {"recv_online": 50, "received": 100}, 8).points
        == 8.0
    )
    capped = formulas.evaluate("ratio_full_at", params, {"recv_online": 90, "received": 100}, 8)
    assert (capped.value, capped.points) == (90.0, 8.0)


def test_nothing_to_count_scores_nothing_and_is_not_held_against_the_subject() -> None:
    result = formulas.evaluate("ratio", ON_TIME, {}, 20)
    assert result.value is None
    assert result.points is None
    assert not result.scored


def test_satisfaction_is_the_weighted_share_of_the_ratings() -> None:
    values = {"rate_5": 6, "rate_4": 2, "rate_3": 1, "rate_1": 1, "rated": 10}
    plain = formulas.evaluate("satisfaction", {"weights": {"5": 1, "4": 1}}, values, 6)
    assert (plain.value, plain.points) == (80.0, 4.8)
    weighted = formulas.evaluate("satisfaction", {"weights": {"5": 1, "4": 0.5, "3": 0}}, values, 6)
    assert weighted.value == 70.0
    assert weighted.numerator is not None
    assert [(t.name, t.weight) for t in weighted.numerator.terms] == [
        ("rate_5", 1.0),
        ("rate_4", 0.5),
    ]


def test_average_processing_time_is_shown_in_days_and_scored_only_when_worth_points() -> None:
    values = {"proc_seconds": 3 * 86400 * 4, "proc_count": 4}
    shown = formulas.evaluate("average_days", {}, values, 0)
    assert (shown.value, shown.unit, shown.points) == (3.0, "days", 0.0)
    scored = formulas.evaluate("average_days", {"full_score_within_days": 2}, values, 3)
    assert scored.points == 2.0
    with pytest.raises(ValidationFailed):
        formulas.check("average_days", {}, 3)


def test_petitions_have_no_data_never_a_made_up_number() -> None:
    result = formulas.evaluate("petitions", {}, {"received": 100}, 6)
    assert result.value is None
    assert result.points is None
    assert result.note


@pytest.mark.parametrize(
    ("formula", "params"),
    [
        ("ratio", {"numerator": "received_everything", "denominator": "received"}),
        ("ratio", {"numerator": "received+", "denominator": "received"}),
        ("ratio", {"numerator": "received"}),
        ("ratio", {"numerator": "recv_online", "denominator": "received", "full_score_at": 0}),
        ("ratio", {"numerator": "recv_online", "denominator": "received", "full_score_at": "80"}),
        ("ratio_full_at", {"numerator": "recv_online", "denominator": "received"}),
        ("satisfaction", {"weights": {"6": 1}}),
        ("satisfaction", {"weights": {"5": 2}}),
        ("satisfaction", {}),
        ("magic", {}),
        ("ratio", ["not", "an", "object"]),
    ],
)
def test_bad_parameters_are_refused(formula: str, params: object) -> None:
    with pytest.raises(ValidationFailed):
        formulas.check(formula, params, 5)
