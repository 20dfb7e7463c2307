"""Writes of statistics: keeping facts and rollups up to date with the dossiers.

``statistics_refresh`` (run by the periodic job) re-reads the dossiers whose
timeline moved since its last run, less an overlap
(``STATISTICS_REFRESH_OVERLAP``): a transaction that wrote its timeline row
before the last run but committed after it is still seen. Re-reading an
unchanged dossier changes nothing (its fact compares equal), so the overlap
costs reads, never counts. Each batch runs in one transaction under the lock
of the one ``RefreshState`` row, locks the batch's facts, and applies the
difference between each old and new fact to the rollups: refreshes run one
at a time and a number is never counted twice or lost.

A transaction longer than the overlap would be missed: ``statistics_reconcile``
(the daily job) re-syncs every dossier changed in the last two days
(``Dossier.updated_at``), which catches it, and freezes yesterday's counts of
open dossiers. Each refresh takes today's (``open_counts``).

An import writes its new facts a chunk at a time without their rollups and
adds them all at its end, set-based (``rollups_catch_up``: the imported facts
after ``RefreshState.imports_counted``); the refresh does the same first thing
each run, so an import stopped half-way is counted within a minute all the same.

``statistics_rebuild`` recomputes every live fact (Python batches, facts only),
then all the rollups from the facts in the database (``rebuild``: set-based on
PostgreSQL, Python deltas elsewhere; imported facts stay), then the open counts
at every month end of the history and today. ``facts_sync`` is the one step the
refresh, the reconciliation and the rebuild share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.payments.models import PaymentLine
from motcua.ratings.models import Rating

from .facts import facts_of, same
from .models import Fact, OpenCount, RefreshState, Source
from .open_counts import open_counts_take, open_counts_take_many, period_ends
from .rebuild import rollups_add_sql, rollups_rebuild
from .rollup import Delta, rollup_apply

BATCH = 1000
# The reconciliation re-reads the dossiers changed in this many last days.
RECONCILE_DAYS = 2


@dataclass(frozen=True)
class RefreshReport:
    dossiers: int
    changed: int
    rows: int


def _state() -> RefreshState:
    """Return the refresh state row, locked (created once)."""
    RefreshState.objects.get_or_create(pk=1)
    return RefreshState.objects.select_for_update().get(pk=1)


def facts_sync(ids: Sequence[int], *, rollups: bool = True) -> tuple[int, int]:
    """Bring the facts of dossiers ``ids`` up to date and add the difference to the rollups.

    Locks the batch's facts; must run in a transaction holding the refresh
    state's lock. ``rollups=False`` (the rebuild, which recomputes them after):
    the facts only. Returns (facts changed, rollup rows written); 11 queries at
    most (the facts locked, ``facts_of``'s 8, delete, create, update; plus the
    rollups' upsert).
    """
    old: dict[int, Fact] = {
        f.dossier_id: f
        for f in Fact.objects.select_for_update().filter(dossier_id__in=ids)
        if f.dossier_id is not None
    }
    new = facts_of(ids, old)
    delta = Delta()
    create: list[Fact] = []
    update: list[Fact] = []
    for pk, fact in new.items():
        previous = old.get(pk)
        if previous is not None and same(previous, fact):
            continue
        if previous is not None:
            delta.add(previous, -1)
            fact.pk = previous.pk
            fact.source, fact.batch = previous.source, previous.batch
            update.append(fact)
        else:
            create.append(fact)
        delta.add(fact, 1)
    gone = [f for pk, f in old.items() if pk not in new]
    for fact in gone:
        delta.add(fact, -1)
    if not rollups:
        delta = Delta()
    if gone:
        Fact.objects.filter(pk__in=[f.pk for f in gone]).delete()
    if create:
        Fact.objects.bulk_create(create)
    if update:
        # One INSERT ... ON CONFLICT (id) DO UPDATE: bulk_update's CASE per field and row costs
        # seconds for a batch of 1,000.
        fields = [f.name for f in Fact._meta.concrete_fields if f.name not in ("id", "dossier")]
        Fact.objects.bulk_create(
            update, update_conflicts=True, unique_fields=["id"], update_fields=fields
        )
    return len(create) + len(update) + len(gone), rollup_apply(delta)


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def dirty_dossiers(since: dt.datetime | None) -> list[int]:
    """Return the dossiers whose timeline moved, or that were rated or refunded, since ``since``."""
    if since is None:
        return list(Dossier.objects.order_by("pk").values_list("pk", flat=True))
    moved = set(
        DossierEvent.objects.filter(at__gte=since).values_list("dossier_id", flat=True).distinct()
    )
    moved.update(Rating.objects.filter(created_at__gte=since).values_list("dossier_id", flat=True))
    # A fee paid back in full unsettles its payment's lines and writes no dossier event.
    moved.update(
        PaymentLine.objects.filter(payment__refunds__settled_at__gte=since).values_list(
            "dossier_id", flat=True
        )
    )
    return sorted(moved)


def rollups_catch_up() -> int:
    """Add the imported facts not yet counted to the rollups; return how many there were.

    An import writes its new facts a chunk at a time and counts them here at its end: the
    facts after ``RefreshState.imports_counted`` (every fact is written under the refresh
    lock and ids only grow) up to the last fact now, its imported ones added set-based in
    the database (``rebuild.rollups_add_sql``); the mark then moves to that last fact (live
    facts are counted when written), so each run reads only the facts written since the
    last, never the history. One transaction under the lock; 4 queries when nothing is new.
    """
    with transaction.atomic():
        state = _state()
        last = Fact.objects.aggregate(last=Max("pk"))["last"]
        if last is None or last <= state.imports_counted:
            return 0
        where = Q(source=Source.IMPORT, pk__gt=state.imports_counted, pk__lte=last)
        count = Fact.objects.filter(where).count()
        if count:
            rollups_add_sql(where)
        state.imports_counted = last
        state.save(update_fields=["imports_counted"])
        return count


def statistics_refresh(*, now: dt.datetime | None = None, batch: int = BATCH) -> RefreshReport:
    """Bring facts and rollups up to date with the dossiers' timelines (see the module)."""
    now = now or timezone.now()
    rollups_catch_up()
    with transaction.atomic():
        watermark = _state().watermark
    since = (
        watermark - dt.timedelta(seconds=settings.STATISTICS_REFRESH_OVERLAP)
        if watermark is not None
        else None
    )
    ids = dirty_dossiers(since)
    changed, rows = _sync(ids, batch)
    with transaction.atomic():
        state = _state()
        if state.watermark is None or state.watermark < now:
            state.watermark = now
            state.save(update_fields=["watermark"])
        open_counts_take(day=timezone.localdate(now))
    return RefreshReport(dossiers=len(ids), changed=changed, rows=rows)


def _sync(ids: list[int], batch: int) -> tuple[int, int]:
    """Sync the facts of ``ids``, a batch per transaction under the refresh lock."""
    changed = rows = 0
    for chunk in _batches(ids, batch):
        with transaction.atomic():
            _state()
            c, r = facts_sync(chunk)
            changed, rows = changed + c, rows + r
    return changed, rows


def statistics_reconcile(
    *, now: dt.datetime | None = None, days: int = RECONCILE_DAYS, batch: int = BATCH
) -> RefreshReport:
    """Re-sync the facts of every dossier changed in the last ``days`` days (the daily job).

    Catches what the refresh's overlap missed (a transaction that committed
    longer than the overlap after its timeline row's time); re-reading an
    unchanged dossier changes nothing. Then freezes yesterday's open counts.
    """
    now = now or timezone.now()
    ids = list(
        Dossier.objects.filter(updated_at__gte=now - dt.timedelta(days=days))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    changed, rows = _sync(ids, batch)
    with transaction.atomic():
        _state()
        today = timezone.localdate(now)
        open_counts_take(day=today - dt.timedelta(days=1))
        open_counts_take(day=today)
    return RefreshReport(dossiers=len(ids), changed=changed, rows=rows)


def statistics_rebuild(
    *, batch: int = BATCH, sql: bool | None = None, facts: bool = True
) -> RefreshReport:
    """Recompute every live fact, every rollup from all facts (imported ones too), open counts.

    Holds the refresh lock throughout: a refresh waits for it. The rollups are
    recomputed set-based on PostgreSQL (``sql``: force one way); the open
    counts are taken at every month end of the facts' history and today.
    ``facts`` False: the facts are taken as they are (the refresh and the daily
    reconciliation keep them), only the rollups and open counts are recomputed:
    all in the database, minutes for millions of facts, where re-reading every
    dossier's timeline goes through Python a batch at a time.
    """
    now = timezone.now()
    with transaction.atomic():
        state = _state()
        ids = list(Dossier.objects.order_by("pk").values_list("pk", flat=True)) if facts else []
        changed = 0
        for chunk in _batches(ids, batch):
            c, _rows = facts_sync(chunk, rollups=False)
            changed += c
        if facts:
            Fact.objects.filter(source="live", dossier__isnull=True).delete()
        OpenCount.objects.all().delete()
        today = timezone.localdate(now)
        first = Fact.objects.order_by("received_on").values_list("received_on", flat=True).first()
        if first is not None:
            open_counts_take_many(days=period_ends(first, today))
        open_counts_take(day=today)
        state.watermark, state.rebuilt_at = now, now
        state.save(update_fields=["watermark", "rebuilt_at"])
        # Last: on PostgreSQL the new rollups take the old ones' place, locked until the commit.
        # Every fact is counted below, imported ones too.
        state.imports_counted = Fact.objects.aggregate(last=Max("pk"))["last"] or 0
        state.save(update_fields=["imports_counted"])
        # The facts as they are (committed) can be read by other connections at once.
        workers = 1 if facts else settings.STATISTICS_REBUILD_WORKERS
        rows = rollups_rebuild(sql=sql, workers=workers)
    return RefreshReport(dossiers=len(ids), changed=changed, rows=rows)
