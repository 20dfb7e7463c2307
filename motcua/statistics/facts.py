"""Facts of live dossiers: computed from the dossiers and what hangs off them, a batch at a time.

``facts_of`` reads a batch of dossiers in a fixed number of queries (the
dossiers, their returns, fees, settled payments, signed results, components
and ratings) and returns each one's ``Fact`` (unsaved). The online level is
the procedure's when the fact was first made (a fact keeps it), so a
procedure that goes fully online later does not rewrite the past.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Min, Q
from django.utils import timezone

from motcua.catalog.history import online_levels_switch
from motcua.catalog.models import ProcedureProvision
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFee,
    DossierState,
    EventKind,
)
from motcua.esign.models import SignedResult
from motcua.organisation.models import Agency
from motcua.payments.models import Method, PaymentLine
from motcua.ratings.models import RatingScore
from motcua.territory.models import UnitLevel

from .models import Fact, Source

OVERALL = "overall"

# How processing ended, from the state a finished dossier is in (processed covers the states
# after it: result returned, waiting for fees owed after processing).
_ENDED_BY_STATE = {
    DossierState.REFUSED: "refused",
    DossierState.STOPPED: "stopped",
    DossierState.WITHDRAWN: "withdrawn",
}

# Compared to tell whether a fact changed (everything but its identity).
COMPARED = tuple(
    f.attname
    for f in Fact._meta.concrete_fields
    if f.attname not in ("id", "dossier_id", "code", "source", "batch")
)


def same(a: Fact, b: Fact) -> bool:
    """Return whether two facts count the same."""
    return all(getattr(a, name) == getattr(b, name) for name in COMPARED)


def _places(agency_ids: set[int]) -> dict[int, tuple[int | None, int | None]]:
    """Return each agency's (province, commune) from its administrative unit; one query."""
    out: dict[int, tuple[int | None, int | None]] = {}
    rows = Agency.objects.filter(pk__in=agency_ids).values_list(
        "pk",
        "administrative_unit_id",
        "administrative_unit__level",
        "administrative_unit__parent_id",
    )
    for pk, unit, level, parent in rows:
        if level == UnitLevel.COMMUNE:
            out[pk] = (parent, unit)
        elif level == UnitLevel.PROVINCE:
            out[pk] = (unit, None)
        else:  # a district (before 2025): its province is one up
            out[pk] = (parent, None)
    return out


Provision = tuple[dt.date, dt.date | None, str, int | None]


def _levels_of(procedures: set[int]) -> dict[int, list[Provision]]:
    """Return each procedure's history of online levels (from, until, level, level 1-4)."""
    out: dict[int, list[Provision]] = defaultdict(list)
    for procedure, start, end, level, legacy in ProcedureProvision.objects.filter(
        procedure__in=procedures
    ).values_list("procedure", "valid_from", "valid_to", "online_level", "legacy_online_level"):
        out[procedure].append((start, end, level, legacy))
    return out


def _level_on(rows: Sequence[Provision], day: dt.date, switch: dt.date) -> str:
    """Return the online level in force on ``day`` ("" when the history does not say).

    From the switch to Decree 42/2022 the level is toàn trình / một phần / none;
    before it, the level 1-4 when there is one.
    """
    for start, end, level, legacy in rows:
        if start <= day and (end is None or day < end):
            if legacy is not None and (day < switch or not level):
                return str(legacy)
            return level or ""
    return ""


def facts_of(ids: Sequence[int], known: dict[int, Fact] | None = None) -> dict[int, Fact]:
    """Return the facts of the dossiers ``ids`` (unsaved, keyed by dossier id); 9 queries.

    The online level is the procedure's on the day received, from the
    catalogue's history; without a history row, the level the fact already
    had (``known``), else the procedure's today.
    """
    known = known or {}
    dossiers = list(
        Dossier.objects.filter(pk__in=ids)
        .select_related("procedure")
        .only(
            "code", "revision", "receiving_unit_id", "competent_agency_id", "procedure_id",
            "procedure__online_level", "procedure__legacy_online_level", "channel", "state",
            "received_at", "due_at", "original_due_at", "finished_at", "outcome",
            "supplement_requests", "result_returned_via",
        )
    )  # fmt: skip
    if not dossiers:
        return {}
    places = _places({d.receiving_unit_id for d in dossiers})
    levels = _levels_of({d.procedure_id for d in dossiers})
    switch = online_levels_switch()
    returned = dict(
        DossierEvent.objects.filter(dossier__in=ids, kind=EventKind.RESULT_RETURNED)
        .values("dossier")
        .annotate(first=Min("at"))
        .values_list("dossier", "first")
    )
    fee_bearing = set(
        DossierFee.objects.filter(dossier__in=ids, amount__gt=0).values_list("dossier", flat=True)
    )
    paid: dict[tuple[int, bool], dt.datetime] = {}
    for dossier, method, at in (
        PaymentLine.objects.filter(dossier__in=ids, settled=True, payment__paid_at__isnull=False)
        .values("dossier", "payment__method")
        .annotate(first=Min("payment__paid_at"))
        .values_list("dossier", "payment__method", "first")
    ):
        key = (dossier, method == Method.ONLINE)
        paid[key] = min(at, paid.get(key, at))
    signed = dict(
        SignedResult.objects.filter(result__dossier__in=ids)
        .values("result__dossier")
        .annotate(first=Min("signed_at"))
        .values_list("result__dossier", "first")
    )
    components: dict[int, tuple[int, int]] = {
        row["dossier"]: (row["n"], row["digitised"])
        for row in DossierComponent.objects.filter(dossier__in=ids)
        .values("dossier")
        .annotate(n=Count("id"), digitised=Count("id", filter=Q(is_digitised=True)))
    }
    ratings = {
        dossier: (at, level)
        for dossier, at, level in RatingScore.objects.filter(
            rating__dossier__in=ids, criterion__code=OVERALL
        ).values_list("rating__dossier", "rating__created_at", "level")
    }
    local = timezone.localdate
    out: dict[int, Fact] = {}
    for d in dossiers:
        province, commune = places.get(d.receiving_unit_id, (None, None))
        previous = known.get(d.pk)
        received_on = local(d.received_at)
        level = _level_on(levels.get(d.procedure_id, ()), received_on, switch) or (
            previous.online_level
            if previous is not None
            else d.procedure.online_level
            if received_on >= switch or d.procedure.legacy_online_level is None
            else str(d.procedure.legacy_online_level)
        )
        finished = d.finished_at
        returned_at = returned.get(d.pk)
        paid_online = paid.get((d.pk, True))
        paid_counter = paid.get((d.pk, False))
        bearing = d.pk in fee_bearing
        n_components, n_digitised = components.get(d.pk, (0, 0))
        rated = ratings.get(d.pk)
        via = d.result_returned_via if returned_at is not None else ""
        out[d.pk] = Fact(
            dossier_id=d.pk,
            code=d.code,
            source=Source.LIVE,
            revision=d.revision,
            province_id=province,
            commune_id=commune,
            receiving_unit_id=d.receiving_unit_id,
            agency_id=d.competent_agency_id,
            procedure_id=d.procedure_id,
            channel=d.channel,
            online_level=level,
            state=d.state,
            received_at=d.received_at,
            received_on=received_on,
            due_at=d.due_at,
            finished_at=finished,
            finished_on=local(finished) if finished else None,
            ended=_ENDED_BY_STATE.get(DossierState(d.state), "processed") if finished else "",
            outcome=d.outcome if finished else "",
            extended=d.original_due_at is not None,
            supplements=d.supplement_requests,
            processing_seconds=max(0, int((finished - d.received_at).total_seconds()))
            if finished
            else None,
            returned_on=local(returned_at) if returned_at else None,
            returned_via=via,
            fully_online=bool(
                returned_at
                and d.channel == Channel.ONLINE
                and via in ("online", "post")
                and (not bearing or (paid_online is not None and paid_counter is None))
            ),
            fee_bearing=bearing,
            paid_online_on=local(paid_online) if paid_online else None,
            paid_counter_on=local(paid_counter) if paid_counter else None,
            e_result_on=local(signed[d.pk]) if d.pk in signed else None,
            components=n_components,
            digitised=n_digitised,
            reused=0,
            rated_on=local(rated[0]) if rated else None,
            rating=rated[1] if rated else None,
        )
    return out


def group_by_dossier(facts: Sequence[Fact]) -> dict[int, Fact]:
    """Return ``facts`` keyed by their dossier's id (imported facts have none and are left out)."""
    out: dict[int, Fact] = defaultdict()
    for fact in facts:
        if fact.dossier_id is not None:
            out[fact.dossier_id] = fact
    return dict(out)
