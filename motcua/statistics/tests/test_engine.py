"""The engine: rollups exact under a random history and concurrent refreshes, the late commits
the overlap and the reconciliation catch, open-dossier counts, the set-based rebuild."""

from __future__ import annotations

import datetime as dt
import random
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.test import override_settings
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.models import (
    STATE_STATUS,
    Delivery,
    Dossier,
    DossierEvent,
    DossierState,
    EventKind,
)
from motcua.organisation.models import Agency
from motcua.ratings.models import Criterion, Rating, RatingScore
from motcua.statistics.facts import facts_of, same
from motcua.statistics.measures import NAMES
from motcua.statistics.models import Fact, OpenCount, RefreshState, Rollup, Scope
from motcua.statistics.open_counts import end_of, open_counts_take, period_ends
from motcua.statistics.rebuild import rollups_rebuild
from motcua.statistics.rollup import delta_of, rollup_apply
from motcua.statistics.selectors import Where, open_at
from motcua.statistics.services import (
    facts_sync,
    rollups_catch_up,
    statistics_rebuild,
    statistics_reconcile,
    statistics_refresh,
)
from motcua.testing import (
    CommuneFactory,
    DossierFactory,
    OneStopUnitFactory,
    ProcedureFactory,
)

pytestmark = pytest.mark.django_db

State = DossierState
RowKey = tuple[str, dt.date, str, int, int]


# -- A random history, written the way the workflow's services write it --------------------------


class World:
    """Two units (one of a commune), three procedures, the overall rating criterion."""

    def __init__(self) -> None:
        commune = CommuneFactory()
        self.units: list[Agency] = [
            OneStopUnitFactory(),
            OneStopUnitFactory(administrative_unit=commune),
        ]
        self.procedures: list[Procedure] = [ProcedureFactory() for _ in range(3)]
        self.criterion, _ = Criterion.objects.get_or_create(
            code="overall", defaults={"name": "Mức độ hài lòng chung"}
        )

    def create(self, rng: random.Random, n: int) -> Dossier:
        now = timezone.now()
        received = now - dt.timedelta(days=rng.randrange(0, 70), hours=rng.randrange(24))
        dossier: Dossier = DossierFactory(
            code=f"T-{rng.randrange(10**9)}-{n}",
            procedure=rng.choice(self.procedures),
            receiving_unit=rng.choice(self.units),
            channel=rng.choice([1, 2, 3]),
            submitted_at=received,
            received_at=received,
            due_at=received + dt.timedelta(days=rng.randrange(1, 20)),
        )
        _event(dossier, EventKind.SUBMITTED, now)
        return dossier


def _event(dossier: Dossier, kind: str, at: dt.datetime) -> None:
    DossierEvent.objects.create(
        dossier=dossier, kind=kind, at=at, to_status=dossier.status, to_state=dossier.state
    )


def _move(dossier: Dossier, state: str, kind: str, **fields: Any) -> None:
    """Change the dossier's state and fields, bump its revision, write its timeline row."""
    dossier.state, dossier.status = state, STATE_STATUS[state]
    for name, value in fields.items():
        setattr(dossier, name, value)
    dossier.revision += 1
    dossier.save()
    _event(dossier, kind, timezone.now())


def _finish(dossier: Dossier, rng: random.Random) -> dt.datetime:
    now = timezone.now()
    return min(now, dossier.received_at + dt.timedelta(days=rng.randrange(0, 25), hours=3))


def step(world: World, dossier: Dossier, rng: random.Random) -> None:
    """Make one random transition a dossier in its state may make (or none)."""
    dossier.refresh_from_db()
    s = dossier.state
    roll = rng.random()
    if s == State.SUBMITTED:
        if roll < 0.85:
            _move(dossier, State.IN_PROCESS, EventKind.ACCEPTED)
        else:
            _move(dossier, State.REFUSED, EventKind.REFUSED, finished_at=_finish(dossier, rng))
    elif s == State.IN_PROCESS:
        if roll < 0.15:
            _move(
                dossier,
                State.SUPPLEMENT_REQUESTED,
                EventKind.SUPPLEMENT_REQUESTED,
                supplement_requests=dossier.supplement_requests + 1,
                paused_at=timezone.now(),
            )
        elif roll < 0.25 and dossier.original_due_at is None:
            _move(
                dossier,
                State.IN_PROCESS,
                EventKind.EXTENDED,
                original_due_at=dossier.due_at,
                due_at=dossier.due_at + dt.timedelta(days=3),
            )
        elif roll < 0.32:
            _move(dossier, State.WITHDRAWAL_REQUESTED, EventKind.WITHDRAWAL_REQUESTED)
        elif roll < 0.38:
            _move(dossier, State.PAYMENT_REQUESTED, EventKind.FEES_REQUESTED)
        elif roll < 0.44:
            _move(dossier, State.STOPPED, EventKind.STOPPED, finished_at=_finish(dossier, rng))
        else:
            finished = _finish(dossier, rng)
            late = finished > dossier.due_at
            outcome = "late" if late else rng.choice(["early", "on_time"])
            _move(
                dossier, State.PROCESSED, EventKind.PROCESSED, finished_at=finished, outcome=outcome
            )
    elif s == State.SUPPLEMENT_REQUESTED:
        _move(dossier, State.IN_PROCESS, EventKind.SUPPLEMENT_RECEIVED, paused_at=None)
    elif s == State.PAYMENT_REQUESTED:
        _move(dossier, State.IN_PROCESS, EventKind.FEES_PAID)
    elif s == State.WITHDRAWAL_REQUESTED:
        if roll < 0.6:
            _move(dossier, State.WITHDRAWN, EventKind.WITHDRAWN, finished_at=_finish(dossier, rng))
        else:
            _move(dossier, State.IN_PROCESS, EventKind.WITHDRAWAL_REFUSED)
    elif s == State.PROCESSED:
        via = rng.choice([Delivery.COUNTER, Delivery.POST, Delivery.ONLINE])
        _move(dossier, State.RESULT_RETURNED, EventKind.RESULT_RETURNED, result_returned_via=via)
    elif (
        s == State.RESULT_RETURNED
        and roll < 0.5
        and not Rating.objects.filter(dossier=dossier).exists()
    ):
        rating = Rating.objects.create(
            dossier=dossier,
            agency_id=dossier.competent_agency_id,
            receiving_unit_id=dossier.receiving_unit_id,
            procedure_id=dossier.procedure_id,
            created_at=timezone.now(),
        )
        RatingScore.objects.create(
            rating=rating, criterion=world.criterion, level=rng.randrange(1, 6)
        )


# -- The recount: every fact made afresh from the dossiers, every rollup row from those ----------


def _rows() -> dict[RowKey, tuple[int, ...]]:
    out = {}
    for row in Rollup.objects.values_list("grain", "day", "scope", "key", "key2", *NAMES):
        values = tuple(int(v or 0) for v in row[5:])
        if any(values):
            out[(row[0], row[1], row[2], row[3], row[4])] = values
    return out


def assert_exact() -> None:
    """Compare the kept facts and rollups with a recount from scratch."""
    kept = {f.dossier_id: f for f in Fact.objects.filter(dossier__isnull=False)}
    ids = list(Dossier.objects.values_list("pk", flat=True))
    fresh = facts_of(ids, {k: v for k, v in kept.items() if k is not None})
    assert set(kept) == set(fresh)
    for pk, fact in fresh.items():
        assert same(kept[pk], fact), pk
    expected: dict[RowKey, tuple[int, ...]] = {}
    delta = delta_of([*fresh.values(), *Fact.objects.filter(dossier__isnull=True)])
    for key, changes in delta.rows.items():
        values = tuple(changes.get(n, 0) for n in NAMES)
        if any(values):
            expected[key] = values
    got = _rows()
    assert set(got) == set(expected)
    for key, values in expected.items():
        assert got[key] == values, key


def test_a_random_history_with_refreshes_between_matches_a_full_recount() -> None:
    rng = random.Random(13)
    world = World()
    dossiers: list[Dossier] = []
    for round_ in range(12):
        for _ in range(6):
            dossiers.append(world.create(rng, len(dossiers)))
        for dossier in rng.sample(dossiers, min(len(dossiers), 25)):
            step(world, dossier, rng)
        if round_ % 2:
            statistics_refresh()
    statistics_refresh()
    assert_exact()
    # The rebuild (set-based or not) lands on the same rows.
    before = _rows()
    statistics_rebuild()
    assert _rows() == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="threads need a server")
def test_transitions_concurrent_with_refreshes_match_a_full_recount() -> None:
    world = World()
    seed_rng = random.Random(5)
    dossiers = [world.create(seed_rng, n) for n in range(40)]
    stop = threading.Event()
    errors: list[BaseException] = []

    def transitions(index: int) -> None:
        rng = random.Random(100 + index)
        mine = dossiers[index::4]
        try:
            for _ in range(60):
                dossier = rng.choice(mine)
                with transaction.atomic():
                    Dossier.objects.select_for_update().get(pk=dossier.pk)
                    step(world, dossier, rng)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    def refreshes() -> None:
        try:
            while not stop.is_set():
                statistics_refresh()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=transitions, args=(i,)) for i in range(4)]
    refresher = threading.Thread(target=refreshes)
    refresher.start()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    stop.set()
    refresher.join()
    assert not errors, errors
    statistics_refresh()
    assert_exact()


def _watermark() -> dt.datetime:
    watermark = RefreshState.objects.get().watermark
    assert watermark is not None
    return watermark


def test_a_commit_later_than_the_watermark_within_the_overlap_is_counted() -> None:
    world = World()
    rng = random.Random(1)
    dossier = world.create(rng, 0)
    statistics_refresh()
    # A transaction that began before the refresh wrote its timeline row then, committed after.
    written = _watermark() - dt.timedelta(seconds=60)
    dossier.state, dossier.status = State.IN_PROCESS, STATE_STATUS[State.IN_PROCESS]
    dossier.save()
    DossierEvent.objects.create(
        dossier=dossier, kind=EventKind.ACCEPTED, at=written, to_status=dossier.status
    )
    assert statistics_refresh().changed == 1
    assert Fact.objects.get(dossier=dossier).state == State.IN_PROCESS
    assert_exact()


@override_settings(STATISTICS_REFRESH_OVERLAP=60)
def test_a_commit_beyond_the_overlap_is_caught_by_the_daily_reconciliation() -> None:
    world = World()
    rng = random.Random(2)
    dossier = world.create(rng, 0)
    statistics_refresh()
    written = _watermark() - dt.timedelta(seconds=600)
    DossierEvent.objects.filter(dossier=dossier).update(at=written)
    dossier.state, dossier.status = State.STOPPED, STATE_STATUS[State.STOPPED]
    dossier.finished_at = timezone.now()
    dossier.save()
    DossierEvent.objects.create(
        dossier=dossier, kind=EventKind.STOPPED, at=written, to_status=dossier.status
    )
    assert statistics_refresh().changed == 0  # missed: older than the overlap
    assert Fact.objects.get(dossier=dossier).finished_at is None
    report = statistics_reconcile()
    assert (report.dossiers, report.changed) == (1, 1)
    assert Fact.objects.get(dossier=dossier).ended == "stopped"
    assert_exact()
    assert statistics_reconcile().changed == 0


# -- Open dossiers -------------------------------------------------------------------------------


def _facts_for_open_counts() -> tuple[list[Fact], Dossier]:
    rng = random.Random(3)
    commune = CommuneFactory()
    unit = OneStopUnitFactory(administrative_unit=commune)
    procedure = ProcedureFactory()
    live = DossierFactory(
        receiving_unit=unit, procedure=procedure, state=State.SUPPLEMENT_REQUESTED
    )
    facts = []
    for i in range(80):
        received = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(90))
        finished = received + dt.timedelta(days=rng.randrange(40)) if rng.random() < 0.6 else None
        due = timezone.make_aware(dt.datetime.combine(received, dt.time(9))) + dt.timedelta(
            days=rng.randrange(1, 30), hours=rng.randrange(24)
        )
        state = rng.choice([State.IN_PROCESS, State.SUPPLEMENT_REQUESTED, State.PAYMENT_REQUESTED])
        facts.append(
            Fact(
                code=f"O-{i}",
                source="import",
                province_id=commune.parent_id,
                commune_id=commune.pk,
                receiving_unit_id=unit.pk,
                agency_id=procedure.agency_id,
                procedure_id=procedure.pk,
                channel=1,
                online_level="none",
                state=State.PROCESSED if finished else state,
                received_at=timezone.make_aware(dt.datetime.combine(received, dt.time(9))),
                received_on=received,
                due_at=due if i % 7 else None,
                finished_at=timezone.make_aware(dt.datetime.combine(finished, dt.time(10)))
                if finished
                else None,
                finished_on=finished,
            )
        )
    return Fact.objects.bulk_create(facts), live


def test_open_counts_of_a_past_day_count_the_facts_open_at_its_end() -> None:
    facts, _live = _facts_for_open_counts()
    day = dt.date(2026, 2, 14)
    with transaction.atomic():
        open_counts_take(day=day)
    is_open = [
        f for f in facts if f.received_on <= day and (f.finished_on is None or f.finished_on > day)
    ]
    past = [f for f in is_open if f.due_at is not None and f.due_at < end_of(day)]
    paused = [f for f in is_open if f.finished_on is None and f.state == State.SUPPLEMENT_REQUESTED]
    for scope, key in (
        (Scope.UNIT, facts[0].receiving_unit_id),
        (Scope.PROVINCE, facts[0].province_id),
        (Scope.COMMUNE, facts[0].commune_id),
        (Scope.PROCEDURE, facts[0].procedure_id),
    ):
        assert key is not None
        got = open_at(Where(scope, (key,)), day)
        assert got is not None
        assert (got.open, got.within, got.past) == (
            len(is_open),
            len(is_open) - len(past),
            len(past),
        )
        assert got.paused_supplement == len(paused)
    got = open_at(
        Where(Scope.UNIT_PROCEDURE, (facts[0].receiving_unit_id,), facts[0].procedure_id), day
    )
    assert got is not None and got.open == len(is_open)
    # Taken again: replaced, not added.
    with transaction.atomic():
        open_counts_take(day=day)
    assert open_at(Where(Scope.UNIT, (facts[0].receiving_unit_id,)), day).open == len(is_open)  # type: ignore[union-attr]


def test_todays_open_counts_take_the_paused_states_of_the_live_dossiers() -> None:
    _facts, live = _facts_for_open_counts()
    statistics_refresh()
    today = timezone.localdate()
    got = open_at(Where(Scope.AGENCY, (live.competent_agency_id,)), today)
    assert got is not None and got.paused_supplement >= 1
    fact = Fact.objects.get(dossier=live)
    assert fact.state == State.SUPPLEMENT_REQUESTED
    # The dossier moved since the last refresh: today's count follows the dossier.
    Dossier.objects.filter(pk=live.pk).update(state=State.PAYMENT_REQUESTED)
    before = open_at(Where(Scope.AGENCY, (live.competent_agency_id,)), today)
    with transaction.atomic():
        open_counts_take(day=today)
    after = open_at(Where(Scope.AGENCY, (live.competent_agency_id,)), today)
    assert before is not None and after is not None
    assert after.paused_supplement == before.paused_supplement - 1
    assert after.paused_payment == before.paused_payment + 1


def test_the_rebuild_counts_open_dossiers_at_every_month_end() -> None:
    facts, _live = _facts_for_open_counts()
    statistics_rebuild()
    ends = period_ends(dt.date(2026, 1, 1), timezone.localdate())
    assert ends[:3] == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31)]
    days = set(OpenCount.objects.values_list("day", flat=True))
    assert set(ends) | {timezone.localdate()} >= days
    march = dt.date(2026, 3, 31)
    expected = sum(
        1
        for f in facts
        if f.received_on <= march and (f.finished_on is None or f.finished_on > march)
    )
    got = open_at(Where(Scope.UNIT, (facts[0].receiving_unit_id,)), march)
    assert got is not None and got.open == expected


# -- The set-based rebuild -----------------------------------------------------------------------


def _varied_facts() -> list[Fact]:
    """The facts of ``_facts_for_open_counts`` with every measure's columns varied at random."""
    facts, _live = _facts_for_open_counts()
    rng = random.Random(9)
    for f in facts:
        f.outcome = rng.choice(["early", "on_time", "late"]) if f.finished_on else ""
        ends = ["processed", "refused", "stopped", "withdrawn"]
        f.ended = rng.choice(ends) if f.finished_on else ""
        f.processing_seconds = rng.randrange(90 * 86400) if f.finished_on else None
        f.returned_on = f.finished_on if rng.random() < 0.7 else None
        f.returned_via = rng.choice(["counter", "post", "online"])
        f.fully_online = rng.random() < 0.3
        f.paid_online_on = f.received_on if rng.random() < 0.3 else None
        f.paid_counter_on = f.received_on if rng.random() < 0.2 else None
        f.e_result_on = f.finished_on if rng.random() < 0.5 else None
        f.rated_on = f.finished_on if rng.random() < 0.4 else None
        f.rating = rng.randrange(1, 6)
        f.components, f.digitised, f.reused = rng.randrange(6), rng.randrange(3), rng.randrange(2)
        f.online_level = rng.choice(["full", "partial", "none", "3", "4"])
        f.channel = rng.choice([1, 2, 3])
        f.extended = rng.random() < 0.3
        f.supplements = rng.randrange(3)
        f.fee_bearing = rng.random() < 0.5
    Fact.objects.bulk_update(facts, [f.name for f in Fact._meta.concrete_fields if f.name != "id"])
    return facts


def test_the_set_based_rebuild_gives_the_rows_of_the_python_deltas() -> None:
    _varied_facts()
    with transaction.atomic():
        rollups_rebuild(sql=False)
    python = _rows()
    with transaction.atomic():
        written = rollups_rebuild(sql=True)
    assert _rows() == python
    assert python  # something was counted
    assert written == Rollup.objects.count()
    # Sparse: a measure that counts nothing in a row is NULL, never 0.
    zero = Q()
    for name in NAMES:
        zero |= Q(**{name: 0})
    assert not Rollup.objects.filter(zero).exists()
    assert Rollup.objects.filter(received__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="connections at once")
def test_the_rebuild_from_several_connections_gives_the_rows_of_the_python_deltas() -> None:
    facts = _varied_facts()
    with transaction.atomic():
        rollups_rebuild(sql=False)
    python = _rows()
    # The facts are committed (a transactional test): the workers' connections read them.
    with transaction.atomic():
        written = rollups_rebuild(sql=True, workers=3)
    assert _rows() == python
    assert written == Rollup.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('statistics_rollup_next')")
        assert cursor.fetchone()[0] is None
    # The swapped-in table takes the refresh's upserts.
    with transaction.atomic():
        rollup_apply(delta_of(facts[:2]))
    assert _rows() != python


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the swap of tables")
def test_the_rebuilt_table_takes_the_old_ones_place_under_its_names() -> None:
    facts, _live = _facts_for_open_counts()
    with transaction.atomic():
        rollups_rebuild(sql=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, contype FROM pg_constraint WHERE conrelid = %s::regclass",
            [Rollup._meta.db_table],
        )
        assert sorted(cursor.fetchall()) == [
            ("rollup_unique", "u"),
            ("statistics_rollup_pkey", "p"),
        ]
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Rollup._meta.db_table])
        assert cursor.fetchone()[0] == "public.statistics_rollup_id_seq"
        cursor.execute("SELECT to_regclass('statistics_rollup_next')")
        assert cursor.fetchone()[0] is None
    # The refresh's upsert finds the unique constraint; the identity gives new rows their ids.
    before = Rollup.objects.filter(scope=Scope.AGENCY, grain="m").aggregate(n=Sum("received"))
    with transaction.atomic():
        rollup_apply(delta_of(facts[:3]))
    after = Rollup.objects.filter(scope=Scope.AGENCY, grain="m").aggregate(n=Sum("received"))
    assert after["n"] == before["n"] + 3


# -- Query counts --------------------------------------------------------------------------------


def test_facts_sync_costs_a_constant_number_of_queries_per_batch(
    django_assert_num_queries: Any,
) -> None:
    world = World()
    rng = random.Random(4)
    small = [world.create(rng, n).pk for n in range(3)]
    large = [world.create(rng, n).pk for n in range(3, 23)]
    with transaction.atomic():
        with django_assert_num_queries(12):  # lock, facts_of's 9, create, rollups
            facts_sync(small)
        with django_assert_num_queries(12):
            facts_sync(large)
    Dossier.objects.filter(pk__in=small + large).update(
        state=State.STOPPED, finished_at=timezone.now()
    )
    with transaction.atomic(), django_assert_num_queries(12):  # lock, 9, update, rollups
        facts_sync(small + large)
    with transaction.atomic(), django_assert_num_queries(10):  # nothing changed: nothing written
        facts_sync(small + large)


def test_the_refresh_command_reconciles_and_rebuilds() -> None:
    world = World()
    world.create(random.Random(6), 0)
    call_command("statistics_refresh", "--reconcile", verbosity=0)
    assert Fact.objects.count() == 1
    rollup_apply(delta_of(Fact.objects.all()))  # counted twice on purpose
    call_command("statistics_refresh", "--rebuild", verbosity=0)
    assert_exact()


@override_settings(STATISTICS_REBUILD_WORKERS=1)  # other connections would not see the test's rows
def test_the_rollups_alone_are_rebuilt_from_the_facts_as_they_are() -> None:
    world = World()
    dossier = world.create(random.Random(6), 0)
    call_command("statistics_refresh", verbosity=0)
    rollup_apply(delta_of(Fact.objects.all()))  # counted twice on purpose
    kept = Fact.objects.get()
    # A dossier changed behind the refresh's back: --rollups does not re-read it.
    Dossier.objects.filter(pk=dossier.pk).update(
        state=State.STOPPED, finished_at=timezone.now() + dt.timedelta(days=3)
    )
    call_command("statistics_refresh", "--rebuild", "--rollups", verbosity=0)
    fact = Fact.objects.get()
    assert same(fact, kept)
    expected = {k: v for k, v in delta_of([fact]).rows.items() if any(v.values())}
    assert set(_rows()) == set(expected)


def test_the_enqueuer_enqueues_the_refresh_and_the_daily_reconciliation_once() -> None:
    from django_tasks_db.models import DBTaskResult

    from motcua.statistics.tasks import reconcile_task, refresh_task

    out = StringIO()
    call_command("run_reminders", "--times", "1", stdout=out)
    call_command("run_reminders", "--times", "1", stdout=out)
    ready = DBTaskResult.objects.ready()
    assert ready.filter(task_path=refresh_task.module_path).count() == 1
    assert ready.filter(task_path=reconcile_task.module_path).count() == 1


def test_the_migration_marks_the_facts_imported_before_it_as_counted() -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module("motcua.statistics.migrations.0003_imports_counted")
    facts, _live = _facts_for_open_counts()  # imported facts, counted chunk by chunk then
    migration.counted_so_far(apps, None)
    assert RefreshState.objects.get(pk=1).imports_counted == Fact.objects.latest("pk").pk
    rollup_apply(delta_of(facts))
    before = _rows()
    assert rollups_catch_up() == 0  # nothing counted twice
    assert _rows() == before


def test_the_catch_up_moves_its_mark_past_live_facts_and_reads_only_what_is_new(
    django_assert_num_queries: Any,
) -> None:
    world = World()
    rng = random.Random(8)
    for n in range(3):
        world.create(rng, n)
    statistics_refresh()  # catches up first, then writes the live facts
    assert rollups_catch_up() == 0  # the next run: nothing imported, the mark moves on
    last = Fact.objects.latest("pk").pk
    assert RefreshState.objects.get(pk=1).imports_counted == last  # past the live facts too
    with transaction.atomic(), django_assert_num_queries(5):  # savepoint, lock (2), last, release
        assert rollups_catch_up() == 0
    assert Fact.objects.filter(source="live").count() == 3
