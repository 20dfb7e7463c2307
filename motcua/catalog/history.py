"""The catalogue's history: how each procedure was offered, and when.

``ProcedureProvision`` rows say, per procedure and period, whether it was
published, its online level (Decree 42/2022: toàn trình, một phần) and its
level under Decree 43/2011 (1-4), its competent agency and level of
government. ``procedure_provision_record`` is the one service that writes
them: the catalogue's services call it whenever a procedure is created or
one of those fields changes, and the import of an old catalogue
(``catalog.history_import``) calls it for the periods it knows.

``online_provision`` counts the procedures published on a date by online
level, by agency and by level of government, from these rows only: its cost
grows with the number of groups, never with dossiers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from motcua.audit.services import audit_record
from motcua.catalog.models import (
    OnlineLevel,
    Procedure,
    ProcedureProvision,
    ProvisionLevel,
    ProvisionSource,
)
from motcua.organisation.models import Agency

SCHEME_CURRENT = "current"  # Decree 42/2022: toàn trình / một phần
SCHEME_LEGACY = "legacy"  # Decree 43/2011: levels 1-4
EARLIEST_DAY = dt.date(2000, 1, 1)  # statistics read no earlier history


@dataclass(frozen=True)
class ProvisionState:
    """What a history row says about a procedure, whatever its period."""

    online_level: str
    legacy_online_level: int | None
    is_published: bool
    agency_id: int
    level: str


def procedure_provision_state(procedure: Procedure) -> ProvisionState:
    """Return how ``procedure`` is offered now, from its own fields."""
    return ProvisionState(
        online_level=procedure.online_level,
        legacy_online_level=procedure.legacy_online_level,
        is_published=procedure.is_published,
        agency_id=procedure.agency_id,
        level=procedure.level,
    )


def _row_state(row: ProcedureProvision) -> ProvisionState:
    return ProvisionState(
        online_level=row.online_level,
        legacy_online_level=row.legacy_online_level,
        is_published=row.is_published,
        agency_id=row.agency_id,
        level=row.level,
    )


def _row_snapshot(row: ProcedureProvision) -> dict[str, Any]:
    return {
        "valid_from": row.valid_from.isoformat(),
        "valid_to": row.valid_to.isoformat() if row.valid_to else None,
        "online_level": row.online_level,
        "legacy_online_level": row.legacy_online_level,
        "is_published": row.is_published,
        "agency": row.agency_id,
        "level": row.level,
        "source": row.source,
    }


def _covers(row: ProcedureProvision, start: dt.date, end: dt.date | None) -> bool:
    if row.valid_from > start:
        return False
    if row.valid_to is None:
        return True
    return end is not None and row.valid_to >= end


@transaction.atomic
def procedure_provision_record(
    *,
    procedure: Procedure,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    state: ProvisionState | None = None,
    source: str = ProvisionSource.CATALOG,
    actor: Any = None,
) -> ProcedureProvision | None:
    """Record that ``procedure`` was offered as ``state`` from ``valid_from`` until ``valid_to``.

    Defaults: from today (local date), with no end, as the procedure's own
    fields say now. ``valid_to`` is excluded (the first day it no longer
    holds). The period replaces what the history said for it: rows that
    overlap it are cut short, cut in two, or removed, so a procedure's rows
    never overlap. Returns the new row, or None when the history already
    says so for the whole period (nothing written: an import run twice
    changes nothing). Locks the procedure row (``select_for_update``) so two
    writers of the same procedure's history queue; writes an audit entry
    with the rows it replaced.
    """
    start = valid_from or timezone.localdate()
    if valid_to is not None and valid_to <= start:
        raise ValueError("valid_to must come after valid_from")
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    wanted = state or procedure_provision_state(locked)
    overlapping = ProcedureProvision.objects.filter(procedure=locked).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=start)
    )
    if valid_to is not None:
        overlapping = overlapping.filter(valid_from__lt=valid_to)
    rows = list(overlapping.order_by("valid_from"))
    if len(rows) == 1 and _row_state(rows[0]) == wanted and _covers(rows[0], start, valid_to):
        return None
    before = [_row_snapshot(r) for r in rows]
    for row in rows:
        keeps_left = row.valid_from < start
        keeps_right = valid_to is not None and (row.valid_to is None or row.valid_to > valid_to)
        if keeps_right and keeps_left:
            right = ProcedureProvision(
                **{
                    f.attname: getattr(row, f.attname)
                    for f in ProcedureProvision._meta.concrete_fields
                    if not f.primary_key
                }
            )
            right.valid_from = valid_to  # type: ignore[assignment]
            right.save()
        if keeps_left:
            row.valid_to = start
            row.save(update_fields=["valid_to"])
        elif keeps_right:
            row.valid_from = valid_to  # type: ignore[assignment]
            row.save(update_fields=["valid_from"])
        else:
            row.delete()
    user = actor if actor is not None and getattr(actor, "pk", None) is not None else None
    created = ProcedureProvision.objects.create(
        procedure=locked,
        valid_from=start,
        valid_to=valid_to,
        online_level=wanted.online_level,
        legacy_online_level=wanted.legacy_online_level,
        is_published=wanted.is_published,
        agency_id=wanted.agency_id,
        level=wanted.level,
        source=source,
        recorded_at=timezone.now(),
        recorded_by=user,
    )
    audit_record(
        action="procedure.provision_record",
        target=locked,
        actor=actor,
        before={"rows": before},
        after={"row": _row_snapshot(created)},
    )
    return created


# --- reads ------------------------------------------------------------------


def online_levels_switch() -> dt.date:
    """Return the day Decree 42/2022's online levels replaced the levels 1-4 (a setting)."""
    return dt.date.fromisoformat(str(settings.CATALOG_ONLINE_LEVELS_SWITCH))


def online_levels_scheme(as_of: dt.date) -> str:
    """Return the scheme of online levels in force on ``as_of``: current or legacy (1-4)."""
    return SCHEME_LEGACY if as_of < online_levels_switch() else SCHEME_CURRENT


def share(part: int, whole: int) -> Decimal | None:
    """Return ``part`` as a percentage of ``whole`` with one decimal (None when whole is 0)."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Tally:
    """Procedures published, by online level (both schemes: a row may carry both)."""

    published: int = 0
    full: int = 0
    partial: int = 0
    not_online: int = 0
    unclassified: int = 0  # no level under Decree 42/2022 (an old catalogue's row)
    level_1: int = 0
    level_2: int = 0
    level_3: int = 0
    level_4: int = 0
    no_legacy_level: int = 0

    def add(self, online_level: str, legacy_online_level: int | None, n: int) -> None:
        self.published += n
        if online_level == OnlineLevel.FULL:
            self.full += n
        elif online_level == OnlineLevel.PARTIAL:
            self.partial += n
        elif online_level == OnlineLevel.NONE:
            self.not_online += n
        else:
            self.unclassified += n
        if legacy_online_level in (1, 2, 3, 4):
            name = f"level_{legacy_online_level}"
            setattr(self, name, getattr(self, name) + n)
        else:
            self.no_legacy_level += n

    @property
    def online(self) -> int:
        return self.full + self.partial

    @property
    def level_3_4(self) -> int:
        return self.level_3 + self.level_4

    @property
    def share_full(self) -> Decimal | None:
        return share(self.full, self.published)

    @property
    def share_partial(self) -> Decimal | None:
        return share(self.partial, self.published)

    @property
    def share_online(self) -> Decimal | None:
        return share(self.online, self.published)

    @property
    def share_level_3(self) -> Decimal | None:
        return share(self.level_3, self.published)

    @property
    def share_level_4(self) -> Decimal | None:
        return share(self.level_4, self.published)

    @property
    def share_level_3_4(self) -> Decimal | None:
        return share(self.level_3_4, self.published)


@dataclass
class AgencyTally:
    agency_id: int
    code: str
    name: str
    is_active: bool
    tally: Tally = field(default_factory=Tally)


@dataclass
class LevelTally:
    level: str
    label: str
    tally: Tally = field(default_factory=Tally)


@dataclass
class ProvisionCounts:
    """The procedures published on ``as_of``; ``scheme`` says which levels were in force."""

    as_of: dt.date
    scheme: str
    switch: dt.date
    under_successors: bool
    total: Tally
    by_agency: list[AgencyTally]
    by_level: list[LevelTally]


def provisions_as_of(as_of: dt.date) -> QuerySet[ProcedureProvision]:
    """Return the history rows in force on ``as_of`` (one per procedure at most)."""
    return ProcedureProvision.objects.filter(valid_from__lte=as_of).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=as_of)
    )


def _scope(
    rows: QuerySet[ProcedureProvision],
    agency_ids: Sequence[int] | None,
    province_id: int | None,
) -> QuerySet[ProcedureProvision]:
    if agency_ids is not None:
        ids = list(agency_ids)
        # An old agency counts with the one that took over its work (two mergers deep).
        rows = rows.filter(
            Q(agency_id__in=ids)
            | Q(agency__successor_id__in=ids)
            | Q(agency__successor__successor_id__in=ids)
        )
    if province_id is not None:
        # The province's own agencies and its communes'; a former province's (and its
        # districts' and communes') when it merged into this one.
        unit = "agency__administrative_unit"
        rows = rows.filter(
            Q(**{f"{unit}_id": province_id})
            | Q(**{f"{unit}__parent_id": province_id})
            | Q(**{f"{unit}__parent__parent_id": province_id})
            | Q(**{f"{unit}__default_successor_id": province_id})
            | Q(**{f"{unit}__parent__default_successor_id": province_id})
            | Q(**{f"{unit}__parent__parent__default_successor_id": province_id})
        )
    return rows


def _final(agency_id: int, agencies: dict[int, Agency]) -> int:
    seen = {agency_id}
    current = agencies.get(agency_id)
    while current is not None and current.successor_id and current.successor_id not in seen:
        seen.add(current.successor_id)
        agency_id = current.successor_id
        current = agencies.get(agency_id)
    return agency_id


def online_provision(
    *,
    as_of: dt.date,
    agency_ids: Sequence[int] | None = None,
    province_id: int | None = None,
    under_successors: bool = False,
) -> ProvisionCounts:
    """Count the procedures published on ``as_of`` by online level, agency and level.

    Both schemes are counted (a row may carry an online level and a level
    1-4); ``scheme`` says which one was in force (``online_levels_scheme``).
    ``agency_ids`` keeps the procedures of those agencies and of the former
    agencies they took over; ``province_id`` those of the province's
    agencies (a former province merged into it included). With
    ``under_successors`` a former agency's procedures count under the agency
    that took over its work. Two queries, whatever the number of procedures.
    """
    rows = _scope(provisions_as_of(as_of).filter(is_published=True), agency_ids, province_id)
    groups = list(
        rows.values("agency_id", "level", "online_level", "legacy_online_level")
        .annotate(n=Count("id"))
        .order_by()
    )
    ids = {g["agency_id"] for g in groups}
    agencies = {
        a.pk: a
        for a in Agency.objects.filter(
            Q(pk__in=ids) | Q(successor__isnull=False) | Q(predecessors__isnull=False)
        )
        .distinct()
        .only("pk", "code", "name", "is_active", "successor_id")
    }
    total = Tally()
    by_agency: dict[int, AgencyTally] = {}
    by_level: dict[str, LevelTally] = {}
    for g in groups:
        n, online, legacy = g["n"], g["online_level"], g["legacy_online_level"]
        total.add(online, legacy, n)
        key = _final(g["agency_id"], agencies) if under_successors else g["agency_id"]
        if key not in by_agency:
            agency = agencies.get(key)
            by_agency[key] = AgencyTally(
                agency_id=key,
                code=agency.code if agency else "",
                name=agency.name if agency else "",
                is_active=agency.is_active if agency else False,
            )
        by_agency[key].tally.add(online, legacy, n)
        level = g["level"]
        if level not in by_level:
            by_level[level] = LevelTally(level=level, label=str(ProvisionLevel(level).label))
        by_level[level].tally.add(online, legacy, n)
    order = list(ProvisionLevel.values)
    return ProvisionCounts(
        as_of=as_of,
        scheme=online_levels_scheme(as_of),
        switch=online_levels_switch(),
        under_successors=under_successors,
        total=total,
        by_agency=sorted(by_agency.values(), key=lambda a: (-a.tally.published, a.name)),
        by_level=sorted(by_level.values(), key=lambda lv: order.index(lv.level)),
    )


def procedures_published_between(
    *,
    start: dt.date,
    end: dt.date,
    agency_ids: Sequence[int] | None = None,
    province_id: int | None = None,
) -> int:
    """Count the procedures that became published from ``start`` to ``end`` (both included).

    A procedure counts once per time it went from not published (or not in
    the catalogue) to published in the period: a row published from a day
    in the period, with no published row of the same procedure ending that
    day. A change of online level or agency of a published procedure is no
    publication. One query.
    """
    continues = ProcedureProvision.objects.filter(
        procedure_id=OuterRef("procedure_id"),
        valid_to=OuterRef("valid_from"),
        is_published=True,
    )
    rows = ProcedureProvision.objects.filter(
        is_published=True, valid_from__gte=start, valid_from__lte=end
    ).filter(~Exists(continues))
    return _scope(rows, agency_ids, province_id).count()
