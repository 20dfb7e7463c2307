"""Scorecards from hand-made facts: each indicator, the set in force, open dossiers, queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.history import procedure_provision_record
from motcua.core.errors import Conflict, NotFound, ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.indicators import selectors, services
from motcua.indicators.models import Indicator, IndicatorSet
from motcua.statistics import periods
from motcua.statistics.models import Fact, OpenCount, Scope
from motcua.statistics.scopes import subject_of
from motcua.testing import AgencyFactory, DossierFactory, ProcedureFactory, UserFactory

from .helpers import fact, roll

pytestmark = pytest.mark.django_db

MARCH = dt.date(2026, 3, 10)
Q1 = periods.quarter(2026, 1)


def _indicator(card: selectors.Scorecard, code: str) -> selectors.IndicatorScore:
    for group in card.groups:
        for indicator in group.indicators:
            if indicator.code == code:
                return indicator
    raise AssertionError(code)


def _finished(base: Dossier, outcome: str, **fields: Any) -> Fact:
    return fact(base, MARCH, finished=MARCH + dt.timedelta(days=3), outcome=outcome, **fields)


def test_the_scorecard_scores_each_indicator_from_the_facts() -> None:
    base = DossierFactory(procedure__online_level="none")
    procedure_provision_record(procedure=base.procedure, valid_from=dt.date(2020, 1, 1))
    roll(
        fact(base, MARCH, finished=MARCH + dt.timedelta(days=2), outcome="early", channel=2,
             components=4, digitised=4, reused=2, e_result_on=MARCH + dt.timedelta(days=2),
             rated_on=MARCH + dt.timedelta(days=3), rating=5,
             paid_online_on=MARCH, fee_bearing=True),
        fact(base, MARCH, finished=MARCH + dt.timedelta(days=4), outcome="on_time", channel=2,
             components=4, digitised=2, rated_on=MARCH + dt.timedelta(days=4), rating=4),
        fact(base, MARCH, finished=MARCH + dt.timedelta(days=6), outcome="on_time",
             rated_on=MARCH + dt.timedelta(days=6), rating=2, paid_counter_on=MARCH,
             fee_bearing=True),
        fact(base, MARCH, finished=MARCH + dt.timedelta(days=8), outcome="late"),
        # Withdrawn: not judged, so not counted in the on-time rate.
        fact(base, MARCH, finished=MARCH + dt.timedelta(days=1), outcome="", ended="withdrawn"),
    )  # fmt: skip
    subject = subject_of("agency", base.competent_agency_id)
    card = selectors.scorecard(subject=subject, period=Q1)
    assert card.rules.code == "766-2022"

    on_time = _indicator(card, "TD1")
    assert (on_time.value, on_time.points, on_time.max_points) == (75.0, 15.0, 20.0)
    assert (on_time.numerator_total, on_time.denominator_total) == (3, 4)
    online = _indicator(card, "TT2")
    assert (online.value, online.points) == (40.0, 6.4)  # 2 of 5; full points at 50 %
    digitised = _indicator(card, "SH2")
    assert (digitised.value, digitised.points) == (75.0, 7.5)  # 6 of 8; full points at 80 %
    reused = _indicator(card, "SH3")
    assert reused.value == 25.0
    e_results = _indicator(card, "SH1")
    assert (e_results.value, e_results.points) == (25.0, 1.5)  # 1 of 4 processed
    paid = _indicator(card, "TT3")
    assert (paid.value, paid.points) == (50.0, 4.0)
    happy = _indicator(card, "HL1")
    assert (round(happy.value or 0, 1), happy.points) == (66.7, 4.0)
    average = _indicator(card, "TD2")
    assert (average.value, average.points) == (4.2, 0.0)  # (2+4+6+8+1)/5 days, not scored
    for code in ("HL2", "HL3", "CK1", "CK2", "CK3", "CK4"):
        assert _indicator(card, code).points is None
    procedures = _indicator(card, "TT1")  # the agency's one procedure, not online
    assert (procedures.value, procedures.points) == (0.0, 0.0)
    # No data: out of the points that could be scored, not out of 100.
    assert card.max_points == 100
    assert card.scorable == 100 - 18 - 12
    assert card.total == round(15 + 6.4 + 7.5 + 2.5 + 1.5 + 4 + 4 + 0, 2)
    assert card.out_of_100 == round(100 * card.total / card.scorable, 1)
    # Each number links to the dossiers behind it.
    late_link = on_time.denominator[2]
    assert late_link.name == "fin_late"
    assert late_link.href == (
        "/can-bo/thong-ke/ho-so/?doi-tuong=agency&id="
        f"{base.competent_agency_id}&gop=1&chi-so=fin_late&tu=01%2F01%2F2026&den=31%2F03%2F2026"
    )
    assert on_time.numerator[2].name == "open_within"
    assert on_time.numerator[2].href is None


def test_dossiers_still_open_at_the_end_count_within_or_past_their_due_date() -> None:
    base = DossierFactory()
    roll(_finished(base, "on_time"), _finished(base, "late"))
    OpenCount.objects.create(
        day=Q1.end, scope=Scope.AGENCY, key=base.competent_agency_id, open=4, within=3, past=1
    )
    card = selectors.scorecard(subject=subject_of("agency", base.competent_agency_id), period=Q1)
    on_time = _indicator(card, "TD1")
    assert card.open_counted
    assert (on_time.numerator_total, on_time.denominator_total) == (4, 6)
    assert on_time.value == 66.7


def test_the_share_of_procedures_online_reads_the_catalogue() -> None:
    agency = AgencyFactory()
    for level in ("full", "full", "partial", "none"):
        procedure = ProcedureFactory(agency=agency, online_level=level)
        procedure_provision_record(procedure=procedure, valid_from=dt.date(2020, 1, 1))
    # In the catalogue from April only: the first quarter does not count it.
    procedure_provision_record(
        procedure=ProcedureFactory(agency=agency, online_level="full"),
        valid_from=dt.date(2026, 4, 1),
    )
    card = selectors.scorecard(subject=subject_of("agency", agency.pk), period=Q1)
    procedures = _indicator(card, "TT1")
    assert (procedures.value, procedures.points) == (75.0, 5.62)  # full points at 80 %
    later = selectors.scorecard(
        subject=subject_of("agency", agency.pk), period=periods.half(2026, 1)
    )
    assert _indicator(later, "TT1").value == 80.0
    assert [t.name for t in procedures.numerator] == ["procedures_full", "procedures_partial"]


def _new_version(valid_from: dt.date, code: str = "766-2026") -> IndicatorSet:
    actor = UserFactory(is_staff=True)
    old = IndicatorSet.objects.get(code="766-2022")
    draft = services.indicator_set_copy(source=old, code=code, valid_from=valid_from, actor=actor)
    td1 = Indicator.objects.get(group__indicator_set=draft, code="TD1")
    services.indicator_update(
        indicator_id=td1.pk,
        max_points="20",
        params={**td1.params, "full_score_at": 90},
        actor=actor,
    )
    return draft


def test_a_period_is_scored_under_the_set_in_force_at_its_end() -> None:
    base = DossierFactory()
    july = dt.date(2026, 7, 2)
    roll(
        _finished(base, "on_time"),
        _finished(base, "on_time"),
        _finished(base, "late"),
        fact(base, july, finished=july + dt.timedelta(days=1), outcome="on_time"),
    )
    subject = subject_of("agency", base.competent_agency_id)
    draft = _new_version(dt.date(2026, 7, 1))
    # A draft scores nothing.
    assert selectors.scorecard(subject=subject, period=periods.year(2026)).rules.code == "766-2022"
    services.indicator_set_publish(set_id=draft.pk, actor=UserFactory(is_staff=True))
    old = selectors.scorecard(subject=subject, period=Q1)
    assert old.rules.code == "766-2022"
    assert _indicator(old, "TD1").points == round(20 * 2 / 3, 2)
    new = selectors.scorecard(subject=subject, period=periods.Period(Q1.start, dt.date(2026, 7, 1)))
    assert new.rules.code == "766-2026"
    # The July dossier finished after the period: 2 of 3 on time, full points at 90 %.
    assert _indicator(new, "TD1").points == round(20 * (200 / 3) / 90, 2)
    with pytest.raises(NotFound):
        selectors.scorecard(subject=subject, period=periods.year(2021))


def test_a_published_set_is_never_changed() -> None:
    actor = UserFactory(is_staff=True)
    td1 = Indicator.objects.get(group__indicator_set__code="766-2022", code="TD1")
    with pytest.raises(Conflict):
        services.indicator_update(
            indicator_id=td1.pk, max_points="10", params=td1.params, actor=actor
        )
    td1.refresh_from_db()
    assert td1.max_points == 20


def test_an_unknown_measure_is_refused_and_nothing_is_written() -> None:
    draft = _new_version(dt.date(2027, 1, 1))
    indicator = Indicator.objects.get(group__indicator_set=draft, code="TT2")
    with pytest.raises(ValidationFailed):
        services.indicator_update(
            indicator_id=indicator.pk,
            max_points="8",
            params={"numerator": "recv_by_pigeon", "denominator": "received"},
            actor=UserFactory(is_staff=True),
        )
    indicator.refresh_from_db()
    assert indicator.params["numerator"] == "recv_online"
    with pytest.raises(ValidationFailed):
        services.indicator_update(
            indicator_id=indicator.pk, max_points="-1", params=indicator.params, actor=None
        )


def test_publishing_needs_the_points_of_each_group_to_add_up() -> None:
    draft = _new_version(dt.date(2027, 1, 1))
    indicator = Indicator.objects.get(group__indicator_set=draft, code="TT2")
    actor = UserFactory(is_staff=True)
    services.indicator_update(
        indicator_id=indicator.pk, max_points="9", params=indicator.params, actor=actor
    )
    with pytest.raises(ValidationFailed):
        services.indicator_set_publish(set_id=draft.pk, actor=actor)
    assert not IndicatorSet.objects.get(pk=draft.pk).published
    group = indicator.group
    services.indicator_group_update(group_id=group.pk, max_points="23", actor=actor)
    services.indicator_set_publish(set_id=draft.pk, actor=actor)
    assert IndicatorSet.objects.get(pk=draft.pk).published


def test_copy_edit_and_publish_are_audited() -> None:
    from motcua.audit.models import AuditEntry

    draft = _new_version(dt.date(2027, 1, 1))
    services.indicator_set_publish(set_id=draft.pk, actor=UserFactory(is_staff=True))
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-3:] == [
        "indicators.set_copy",
        "indicators.indicator_update",
        "indicators.set_publish",
    ]


def _queries(run: object) -> int:
    with CaptureQueriesContext(connection) as ctx:
        run()  # type: ignore[operator]
    return len(ctx.captured_queries)


def test_a_scorecard_costs_the_same_queries_whatever_the_dossiers() -> None:
    base = DossierFactory()
    subject = subject_of("province", base.receiving_unit.administrative_unit_id)
    roll(*(_finished(base, "on_time") for _ in range(3)))
    few = _queries(lambda: selectors.scorecard(subject=subject, period=Q1))
    roll(*(_finished(base, o) for _ in range(60) for o in ("early", "late")))
    many = _queries(lambda: selectors.scorecard(subject=subject, period=Q1))
    assert few == many == 7


def test_agencies_are_ranked_by_their_score_in_constant_queries() -> None:
    good = DossierFactory()
    bad = DossierFactory(receiving_unit=good.receiving_unit)
    roll(_finished(good, "on_time"), _finished(bad, "late"))
    subject = subject_of("province", good.receiving_unit.administrative_unit_id)
    few = _queries(lambda: selectors.ranking(subject=subject, period=Q1))
    for _ in range(3):
        roll(_finished(DossierFactory(receiving_unit=good.receiving_unit), "early"))
    many = _queries(lambda: selectors.ranking(subject=subject, period=Q1))
    assert few == many == 9
    rules, rows = selectors.ranking(subject=subject, period=Q1)
    assert rules.code == "766-2022"
    by_agency = {r.agency_id: r for r in rows}
    assert by_agency[good.competent_agency_id].rank < by_agency[bad.competent_agency_id].rank
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    with pytest.raises(ValidationFailed):
        selectors.ranking(subject=subject_of("agency", good.competent_agency_id), period=Q1)
