"""Facts, rollups and the figures read from them (the core the dashboards and reports stand on)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent, DossierState, EventKind, Status
from motcua.statistics import periods
from motcua.statistics.facts import facts_of
from motcua.statistics.measures import MEASURES
from motcua.statistics.models import Fact, Rollup, Scope
from motcua.statistics.rollup import delta_of, rollup_apply
from motcua.statistics.selectors import Where, facts_behind, figures, series
from motcua.statistics.services import statistics_rebuild, statistics_refresh
from motcua.testing import DossierFactory

pytestmark = pytest.mark.django_db


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _event(dossier: Dossier, kind: str, at: dt.datetime, to: int = Status.NEW) -> None:
    DossierEvent.objects.create(dossier=dossier, kind=kind, at=at, to_status=to)


def _random_facts(n: int, seed: int = 7) -> list[Fact]:
    rng = random.Random(seed)
    base = DossierFactory()
    facts = []
    for i in range(n):
        received = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(200))
        finished = received + dt.timedelta(days=rng.randrange(40)) if rng.random() < 0.7 else None
        facts.append(
            Fact(
                code=f"F-{seed}-{i}",
                source="import",
                receiving_unit_id=base.receiving_unit_id,
                agency_id=base.competent_agency_id,
                procedure_id=base.procedure_id,
                channel=rng.choice([1, 2, 3]),
                online_level=rng.choice(["full", "partial", "none", "3", "4"]),
                state="processed" if finished else "in_process",
                received_at=_at(received),
                received_on=received,
                finished_at=_at(finished) if finished else None,
                finished_on=finished,
                ended=rng.choice(["processed", "refused", "stopped"]) if finished else "",
                outcome=rng.choice(["early", "on_time", "late", ""]) if finished else "",
                extended=rng.random() < 0.2,
                supplements=rng.randrange(3),
                processing_seconds=rng.randrange(40 * 86400) if finished else None,
                returned_on=finished if finished and rng.random() < 0.8 else None,
                returned_via=rng.choice(["counter", "post", "online"]),
                fully_online=rng.random() < 0.3,
                fee_bearing=rng.random() < 0.5,
                paid_online_on=received if rng.random() < 0.3 else None,
                paid_counter_on=received if rng.random() < 0.2 else None,
                e_result_on=finished if finished and rng.random() < 0.5 else None,
                components=rng.randrange(5),
                digitised=rng.randrange(3),
                rated_on=finished if finished and rng.random() < 0.3 else None,
                rating=rng.randrange(1, 6),
            )
        )
    return Fact.objects.bulk_create(facts)


def test_each_measure_counts_the_same_facts_in_python_and_in_sql() -> None:
    facts = _random_facts(120)
    by_pk = {f.pk: f for f in facts}
    for measure in MEASURES:
        python = {f.pk: measure.amount(f) for f in facts if measure.amount(f)}
        sql = Fact.objects.filter(measure.q, **{f"{measure.on}__isnull": False}).values_list(
            "pk", flat=True
        )
        counted = {pk: measure.amount(by_pk[pk]) if measure.weight else 1 for pk in sql}
        assert python == {pk: n for pk, n in counted.items() if n}, measure.name


def test_figures_sum_the_months_inside_and_the_days_at_the_edges() -> None:
    facts = _random_facts(300)
    rollup_apply(delta_of(facts))
    agency = facts[0].agency_id
    period = periods.Period(dt.date(2026, 2, 10), dt.date(2026, 5, 20))
    got = figures(where=Where(Scope.AGENCY, (agency,)), period=period)
    inside = [f for f in facts if period.start <= f.received_on <= period.end]
    assert got.totals["received"] == len(inside)
    assert got.totals["recv_online"] == sum(1 for f in inside if f.channel == 2)
    ended = [f for f in facts if f.finished_on and period.start <= f.finished_on <= period.end]
    assert got.totals["fin_late"] == sum(1 for f in ended if f.outcome == "late")
    assert got.totals["proc_seconds"] == sum(f.processing_seconds or 0 for f in ended)
    before = [f for f in facts if f.received_on < period.start]
    assert got.carried_over == len(before) - sum(
        1 for f in facts if f.finished_on and f.finished_on < period.start
    )
    months = series(where=Where(Scope.AGENCY, (agency,)), period=period, names=["received"])
    assert [m for m, _ in months] == [dt.date(2026, m, 1) for m in (2, 3, 4, 5)]
    assert sum(v["received"] for _, v in months) == len(inside)
    behind = facts_behind(where=Where(Scope.AGENCY, (agency,)), period=period, measure="fin_late")
    assert behind.count() == got.totals["fin_late"]


def test_refresh_follows_a_dossier_through_its_timeline() -> None:
    received = timezone.now() - dt.timedelta(days=3)
    dossier = DossierFactory(received_at=received, submitted_at=received)
    _event(dossier, EventKind.SUBMITTED, received)
    report = statistics_refresh()
    assert report.changed == 1
    today = periods.Period(timezone.localdate(received), timezone.localdate())
    where = Where(Scope.UNIT, (dossier.receiving_unit_id,))
    assert figures(where=where, period=today).totals["received"] == 1
    # Nothing moved: nothing changes.
    assert statistics_refresh().changed == 0
    # Processed late: the fact changes once, the old counts are taken away.
    done = timezone.now()
    dossier.state, dossier.status = DossierState.PROCESSED, Status.PROCESSED
    dossier.finished_at, dossier.outcome = done, "late"
    dossier.save()
    _event(dossier, EventKind.PROCESSED, done, Status.PROCESSED)
    assert statistics_refresh().changed == 1
    totals = figures(where=where, period=today).totals
    assert (totals["received"], totals["finished"], totals["fin_late"], totals["processed"]) == (
        1,
        1,
        1,
        1,
    )
    assert figures(where=where, period=today).totals.on_time_rate == 0.0


def test_rebuild_gives_what_the_refresh_kept() -> None:
    for i in range(5):
        at = timezone.now() - dt.timedelta(days=40 + i)
        d = DossierFactory(received_at=at, submitted_at=at, channel=1 + i % 3)
        _event(d, EventKind.SUBMITTED, at)
    statistics_refresh()
    kept = sorted(Rollup.objects.values_list("scope", "key", "grain", "day", "received"))
    statistics_rebuild()
    assert sorted(Rollup.objects.values_list("scope", "key", "grain", "day", "received")) == kept


def test_facts_of_reads_a_batch_in_constant_queries(django_assert_num_queries: object) -> None:
    ids = [DossierFactory().pk for _ in range(4)]
    with django_assert_num_queries(9):  # type: ignore[operator]
        assert len(facts_of(ids)) == 4


def test_a_fact_takes_the_online_level_of_the_day_received_from_the_catalogue_s_history() -> None:
    from motcua.catalog.history import procedure_provision_record, procedure_provision_state

    dossier = DossierFactory(
        received_at=_at(dt.date(2021, 5, 4)),
        submitted_at=_at(dt.date(2021, 5, 4)),
    )
    later = DossierFactory(procedure=dossier.procedure)
    procedure = dossier.procedure
    state = dataclasses.replace(
        procedure_provision_state(procedure), online_level="partial", legacy_online_level=3
    )
    procedure_provision_record(
        procedure=procedure, valid_from=dt.date(2019, 1, 1), valid_to=dt.date(2023, 1, 1),
        state=state, source="import",
    )  # fmt: skip
    full = dataclasses.replace(state, online_level="full", legacy_online_level=None)
    procedure_provision_record(
        procedure=procedure, valid_from=dt.date(2023, 1, 1), state=full, source="catalog"
    )
    facts = facts_of([dossier.pk, later.pk])
    assert facts[dossier.pk].online_level == "3"  # level 3 before Decree 42/2022's levels
    assert facts[later.pk].online_level == "full"


def test_facts_added_set_based_give_the_rows_the_python_deltas_give() -> None:
    from django.db.models import Q

    from motcua.statistics.rebuild import rollups_add_sql

    facts = _random_facts(150, seed=11)
    first, second = facts[:70], facts[70:]
    rollup_apply(delta_of(first))
    rollups_add_sql(Q(pk__in=[f.pk for f in second]))
    columns = ("grain", "day", "scope", "key", "key2", *(m.name for m in MEASURES))
    added = sorted(Rollup.objects.values_list(*columns))
    Rollup.objects.all().delete()
    rollup_apply(delta_of(facts))
    assert sorted(Rollup.objects.values_list(*columns)) == added
