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

``statistics_rebuild`` recomputes every live fact and all the rollups from
the facts (imported facts stay); ``facts_sync`` is the one step both use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.ratings.models import Rating

from .facts import facts_of, same
from .models import Fact, OpenCount, RefreshState, Rollup
from .rollup import Delta, delta_of, rollup_apply

BATCH = 1000


@dataclass(frozen=True)
class RefreshReport:
    dossiers: int
    changed: int
    rows: int


def _state() -> RefreshState:
    """Return the refresh state row, locked (created once)."""
    RefreshState.objects.get_or_create(pk=1)
    return RefreshState.objects.select_for_update().get(pk=1)


def facts_sync(ids: Sequence[int]) -> tuple[int, int]:
    """Bring the facts of dossiers ``ids`` up to date and add the difference to the rollups.

    Locks the batch's facts; must run in a transaction holding the refresh
    state's lock. Returns (facts changed, rollup rows written).
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
    if gone:
        Fact.objects.filter(pk__in=[f.pk for f in gone]).delete()
    if create:
        Fact.objects.bulk_create(create)
    if update:
        fields = [f.name for f in Fact._meta.concrete_fields if f.name not in ("id", "dossier")]
        Fact.objects.bulk_update(update, fields)
    return len(create) + len(update) + len(gone), rollup_apply(delta)


def _batches(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def dirty_dossiers(since: dt.datetime | None) -> list[int]:
    """Return the dossiers whose timeline moved (or that were rated) at or after ``since``."""
    if since is None:
        return list(Dossier.objects.order_by("pk").values_list("pk", flat=True))
    moved = set(
        DossierEvent.objects.filter(at__gte=since).values_list("dossier_id", flat=True).distinct()
    )
    moved.update(Rating.objects.filter(created_at__gte=since).values_list("dossier_id", flat=True))
    return sorted(moved)


def statistics_refresh(*, now: dt.datetime | None = None, batch: int = BATCH) -> RefreshReport:
    """Bring facts and rollups up to date with the dossiers' timelines (see the module)."""
    now = now or timezone.now()
    with transaction.atomic():
        watermark = _state().watermark
    since = (
        watermark - dt.timedelta(seconds=settings.STATISTICS_REFRESH_OVERLAP)
        if watermark is not None
        else None
    )
    ids = dirty_dossiers(since)
    changed = rows = 0
    for chunk in _batches(ids, batch):
        with transaction.atomic():
            _state()
            c, r = facts_sync(chunk)
            changed, rows = changed + c, rows + r
    with transaction.atomic():
        state = _state()
        if state.watermark is None or state.watermark < now:
            state.watermark = now
            state.save(update_fields=["watermark"])
    return RefreshReport(dossiers=len(ids), changed=changed, rows=rows)


def statistics_rebuild(*, batch: int = BATCH) -> RefreshReport:
    """Recompute every live fact, then every rollup from all facts (imported ones too).

    Holds the refresh lock throughout: a refresh waits for it.
    """
    now = timezone.now()
    with transaction.atomic():
        state = _state()
        ids = list(Dossier.objects.order_by("pk").values_list("pk", flat=True))
        changed = 0
        for chunk in _batches(ids, batch):
            c, _rows = facts_sync(chunk)
            changed += c
        Fact.objects.filter(source="live", dossier__isnull=True).delete()
        Rollup.objects.all().delete()
        rows = 0
        last = 0
        while True:
            facts = list(Fact.objects.filter(pk__gt=last).order_by("pk")[:batch])
            if not facts:
                break
            rows += rollup_apply(delta_of(facts))
            last = facts[-1].pk
        OpenCount.objects.all().delete()
        state.watermark, state.rebuilt_at = now, now
        state.save(update_fields=["watermark", "rebuilt_at"])
    return RefreshReport(dossiers=len(ids), changed=changed, rows=rows)
