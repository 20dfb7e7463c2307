"""What a dashboard or report is about (a ``Subject``), the keys summed for it, and its groups.

A province today reads with the provinces merged into it in 2025 (their
figures kept under their old names, summed under today's); an agency with
the agencies it took over (``Agency.successor``, when kept). The groups of a
subject are what its breakdowns list: a province's agencies, one-stop units
and communes; an agency's procedures; a unit's procedures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import fold
from motcua.organisation.models import Agency, AgencyKind
from motcua.territory.models import AdministrativeUnit, UnitLevel

from .models import Scope
from .selectors import Where

KINDS = ("province", "agency", "unit", "procedure", "commune")
UNKNOWN_KIND = _("Unknown subject: use province, agency, unit, procedure or commune.")
NO_SUCH_SUBJECT = _("No such province, agency, unit, procedure or commune.")
NO_PROVINCE = _("No province is set up yet.")

# The breakdowns each kind of subject offers: (group scope, label).
BREAKDOWNS: dict[str, tuple[tuple[str, str], ...]] = {
    "province": (("agency", "a"), ("unit", "u"), ("commune", "c")),
    "agency": (("procedure", "r"),),
    "unit": (("procedure", "x"),),
    "procedure": (),
    "commune": (),
}


@dataclass(frozen=True)
class Subject:
    """What figures are about: a kind, its id, its name, and the rollup keys summed for it."""

    kind: str
    id: int
    name: str
    where: Where
    province_id: int | None = None  # the province it belongs to (targets fall back to it)


def home_province() -> AdministrativeUnit:
    """Return the province this deployment serves: the provincial People's Committee's."""
    unit = (
        AdministrativeUnit.objects.filter(
            agencies__kind=AgencyKind.PEOPLES_COMMITTEE, agencies__is_active=True
        )
        .order_by("pk")
        .first()
    )
    if unit is None:
        raise NotFound(NO_PROVINCE)
    return unit


def province_keys(province_id: int, *, merged: bool = True) -> tuple[int, ...]:
    """Return ``province_id`` and, when ``merged``, the former provinces merged into it."""
    if not merged:
        return (province_id,)
    former = AdministrativeUnit.objects.filter(
        level=UnitLevel.PROVINCE, successors=province_id
    ).values_list("pk", flat=True)
    return (province_id, *sorted(set(former) - {province_id}))


def agency_keys(agency_id: int, *, merged: bool = True) -> tuple[int, ...]:
    """Return ``agency_id`` and, when ``merged``, the agencies it took over (any depth)."""
    if not merged or not hasattr(Agency, "successor"):
        return (agency_id,)
    keys = [agency_id]
    frontier = [agency_id]
    while frontier:
        frontier = list(
            Agency.objects.filter(**{"successor__in": frontier})
            .exclude(pk__in=keys)
            .values_list("pk", flat=True)
        )
        keys.extend(frontier)
    return tuple(keys)


def subject_of(kind: str, pk: int, *, merged: bool = True) -> Subject:
    """Return the subject of ``kind`` and ``pk``; NotFound when it does not exist."""
    if kind not in KINDS:
        raise ValidationFailed(UNKNOWN_KIND)
    if kind in ("province", "commune"):
        unit = AdministrativeUnit.objects.filter(pk=pk).first()
        level = UnitLevel.PROVINCE if kind == "province" else UnitLevel.COMMUNE
        if unit is None or unit.level != level:
            raise NotFound(NO_SUCH_SUBJECT)
        if kind == "province":
            return Subject(
                kind, pk, unit.name, Where(Scope.PROVINCE, province_keys(pk, merged=merged)), pk
            )
        return Subject(kind, pk, unit.name, Where(Scope.COMMUNE, (pk,)), unit.parent_id)
    if kind == "procedure":
        procedure = Procedure.objects.filter(pk=pk).select_related("agency").first()
        if procedure is None:
            raise NotFound(NO_SUCH_SUBJECT)
        return Subject(
            kind,
            pk,
            procedure.name,
            Where(Scope.PROCEDURE, (pk,)),
            _province_of(procedure.agency),
        )
    agency = Agency.objects.filter(pk=pk).select_related("administrative_unit").first()
    if agency is None or (kind == "unit" and not agency.is_one_stop_unit):
        raise NotFound(NO_SUCH_SUBJECT)
    scope = Scope.UNIT if kind == "unit" else Scope.AGENCY
    keys = agency_keys(pk, merged=merged) if kind == "agency" else (pk,)
    return Subject(kind, pk, agency.name, Where(scope, keys), _province_of(agency))


def _province_of(agency: Agency) -> int | None:
    unit = agency.administrative_unit
    if unit.level == UnitLevel.PROVINCE:
        return unit.pk
    return unit.parent_id


def groups_of(subject: Subject, by: str) -> list[tuple[int, str]]:
    """Return the groups (key, name) of ``subject``'s breakdown ``by``; one query.

    ``by``: agency, unit or commune (a province), procedure (an agency or a unit).
    """
    if subject.kind == "province":
        keys = subject.where.keys
        in_province = Q(administrative_unit_id__in=keys) | Q(
            administrative_unit__parent_id__in=keys
        )
        if by == "agency":
            rows = Agency.objects.filter(in_province).filter(procedures__isnull=False).distinct()
            return [(a.pk, a.name) for a in rows.order_by("name")]
        if by == "unit":
            rows = Agency.objects.filter(in_province, is_one_stop_unit=True)
            return [(a.pk, a.name) for a in rows.order_by("name")]
        if by == "commune":
            communes = AdministrativeUnit.objects.filter(
                level=UnitLevel.COMMUNE, parent_id__in=keys
            )
            return [(c.pk, c.name) for c in communes.order_by("name")]
    if by == "procedure" and subject.kind == "agency":
        procedures = Procedure.objects.filter(agency_id__in=subject.where.keys)
        return [(p.pk, p.name) for p in procedures.order_by("name")]
    if by == "procedure" and subject.kind == "unit":
        procedures = Procedure.objects.filter(is_published=True)
        return [(p.pk, p.name) for p in procedures.order_by("name")]
    raise ValidationFailed(UNKNOWN_KIND)


def group_scope(subject: Subject, by: str) -> str:
    """Return the rollup scope of ``subject``'s groups ``by``."""
    for name, scope in BREAKDOWNS.get(subject.kind, ()):
        if name == by:
            return scope
    raise ValidationFailed(UNKNOWN_KIND)


SEARCH_LIMIT = 20  # procedures found by a search in the subject picker


def subject_choices(readable: list[int] | None, *, search: str = "") -> dict[str, Any]:
    """Return what a reader may pick a subject from: the province, agencies, units, communes.

    ``readable``: the agencies the reader reads (``permissions.readable_agencies``), None
    for the whole province (then the province and its communes too). ``search``: procedures
    whose name holds it (at most ``SEARCH_LIMIT``). Three queries at most.
    """
    agencies = Agency.objects.filter(is_active=True).order_by("name")
    if readable is not None:
        agencies = agencies.filter(pk__in=readable)
    rows = list(agencies.values_list("pk", "name", "is_one_stop_unit"))
    search = search[:100]
    out: dict[str, Any] = {
        "agencies": [(pk, name) for pk, name, unit in rows if not unit],
        "units": [(pk, name) for pk, name, unit in rows if unit],
        "province": None,
        "communes": [],
        "procedures": [],
        "search": search,
    }
    if readable is None:
        province = home_province()
        out["province"] = (province.pk, province.name)
        out["communes"] = list(
            AdministrativeUnit.objects.filter(level=UnitLevel.COMMUNE, parent_id=province.pk)
            .order_by("name")
            .values_list("pk", "name")
        )
    if search.strip():
        found = Procedure.objects.filter(search_text__contains=fold(search))
        if readable is not None:
            found = found.filter(agency_id__in=readable)
        out["procedures"] = list(found.order_by("name").values_list("pk", "name")[:SEARCH_LIMIT])
    return out


def picked(value: str) -> tuple[str, str]:
    """Return the (kind, id) of the picker's one select (``chon=agency:12``); ("", "") if none."""
    kind, _sep, pk = value.strip().partition(":")
    return kind, pk
