"""Reads of the procedure catalogue: search, the published procedure, filter options, and
the processing-time cases of a version (kept in the cache once a dossier uses it).

Search matches the folded ``search_text`` column (lower case, no diacritics,
"đ" -> "d", computed by ``motcua.core.text.fold`` when a version is
published) with the query folded by the same function. PostgreSQL's
``unaccent`` is not used for matching on purpose: it is not IMMUTABLE, so
an index on ``unaccent(name)`` needs a wrapper function, and a Python-side
fold gives SQLite and PostgreSQL exactly the same matches. PostgreSQL adds a
GIN trigram index on the column (``LIKE '%word%'`` becomes an index scan)
and ranks by trigram word similarity.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Exists, OuterRef, Prefetch, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from motcua.catalog.cases import ORDINARY, UNKNOWN_CASE, CaseDef
from motcua.catalog.models import (
    Component,
    Fee,
    FeeExemption,
    Field,
    OnlineLevel,
    Procedure,
    ProcedureVersion,
    ProcessingCase,
)
from motcua.catalog.services import version_is_in_use
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import fold
from motcua.organisation.models import Agency, GovernmentLevel

PROCEDURE_NOT_FOUND = _("Procedure not found.")
INVALID_FILTERS = _("Some search filters are not valid.")
UNKNOWN_LEVEL = _("Unknown level of government.")
UNKNOWN_ONLINE_LEVEL = _("Unknown online level.")

MAX_QUERY_WORDS = 10


def _published() -> QuerySet[Procedure]:
    return Procedure.objects.filter(is_published=True, current_version__isnull=False)


def procedure_search(
    *,
    q: str = "",
    agency: str | None = None,
    field: str | None = None,
    level: str | None = None,
    online: str | None = None,
) -> QuerySet[Procedure]:
    """Return published procedures matching every word of ``q`` and the filters.

    ``agency`` and ``field`` are codes; ``level`` a ``GovernmentLevel`` and
    ``online`` an ``OnlineLevel`` value (raises ``ValidationFailed`` for
    others). Most relevant first on PostgreSQL, by name on SQLite.
    """
    errors = {}
    if level and level not in GovernmentLevel.values:
        errors["level"] = [UNKNOWN_LEVEL]
    if online and online not in OnlineLevel.values:
        errors["online"] = [UNKNOWN_ONLINE_LEVEL]
    if errors:
        raise ValidationFailed(INVALID_FILTERS, field_errors=errors)

    qs = _published().select_related("agency", "field")
    if agency:
        qs = qs.filter(agency__code=agency)
    if field:
        qs = qs.filter(field__code=field)
    if level:
        qs = qs.filter(level=level)
    if online:
        qs = qs.filter(online_level=online)

    folded = fold(q)
    words = folded.split()[:MAX_QUERY_WORDS]
    for word in words:
        # Both sides are folded to lower case: a plain LIKE, which the trigram index serves.
        qs = qs.filter(search_text__contains=word)
    if words and connection.vendor == "postgresql":
        return qs.annotate(rank=TrigramWordSimilarity(folded, "search_text")).order_by(
            "-rank", "name", "code"
        )
    return qs.order_by("name", "code")


def procedure_get_published(*, code: str) -> Procedure:
    """Return the published procedure ``code`` with its version, components, fees, exemptions
    and processing-time cases.

    Raises ``NotFound`` when no published procedure has this code.
    """
    version_qs = ProcedureVersion.objects.prefetch_related(
        Prefetch("components", queryset=Component.objects.order_by("order", "id")),
        Prefetch("fees", queryset=Fee.objects.order_by("id")),
        Prefetch("fee_exemptions", queryset=FeeExemption.objects.order_by("id")),
        Prefetch("processing_cases", queryset=ProcessingCase.objects.order_by("order", "id")),
    )
    procedure = (
        _published()
        .select_related("agency", "agency__administrative_unit", "field")
        .prefetch_related(Prefetch("current_version", queryset=version_qs))
        .filter(code=code)
        .first()
    )
    if procedure is None:
        raise NotFound(PROCEDURE_NOT_FOUND)
    return procedure


@dataclass(frozen=True)
class Choice:
    """One option of a filter: the value sent back and its label."""

    value: str
    label: str


@dataclass(frozen=True)
class FilterOptions:
    """The options of the search form's filters, each list in display order."""

    agencies: list[Choice]
    fields: list[Choice]
    levels: list[Choice]
    online_levels: list[Choice]


def filter_options() -> FilterOptions:
    """Return the filter options: agencies and fields that have published procedures."""
    published = _published()
    agencies = (
        Agency.objects.filter(Exists(published.filter(agency=OuterRef("pk"))))
        .annotate(
            level_order=Case(
                When(level=GovernmentLevel.PROVINCE, then=Value(0)),
                When(level=GovernmentLevel.COMMUNE, then=Value(1)),
                default=Value(2),
            )
        )
        .order_by("level_order", "name")
        .values_list("code", "name")
    )
    fields = (
        Field.objects.filter(Exists(published.filter(field=OuterRef("pk"))))
        .order_by("name")
        .values_list("code", "name")
    )
    return FilterOptions(
        agencies=[Choice(code, name) for code, name in agencies],
        fields=[Choice(code, name) for code, name in fields],
        levels=[
            Choice(str(value), str(label))
            for value, label in GovernmentLevel.choices
            if value != GovernmentLevel.MINISTRY
            or published.filter(level=GovernmentLevel.MINISTRY).exists()
        ],
        online_levels=[Choice(str(value), str(label)) for value, label in OnlineLevel.choices],
    )


CASES_CACHE_KEY = "motcua.catalog.cases.{}"
CASES_CACHE_SECONDS = 24 * 3600
VERSION_NOT_FOUND = _("Procedure version not found.")


def version_cases(version_id: int) -> tuple[CaseDef, ...]:
    """Return the processing-time cases of a version: the ordinary one first, then the others.

    Kept in the cache once a dossier uses the version: such a version is
    never edited again (``services.VERSION_IN_USE``), so what it holds stays
    true, and the workflow reads it with no query. A version no dossier uses
    yet may still be corrected in the admin, so it is read every time (the
    version, whether it is in use, its cases). Raises ``NotFound`` for an
    unknown version.
    """
    key = CASES_CACHE_KEY.format(version_id)
    kept = cache.get(key)
    if isinstance(kept, tuple):
        return kept
    version = (
        ProcedureVersion.objects.filter(pk=version_id)
        .only("processing_time_value", "processing_time_unit", "same_day_cutoff_applies")
        .first()
    )
    if version is None:
        raise NotFound(VERSION_NOT_FOUND)
    # Asked before the rows are read: content read after a dossier used it is final.
    in_use = version_is_in_use(version)
    ordinary = CaseDef(
        code=ORDINARY,
        name="",
        value=Decimal(version.processing_time_value),
        unit=version.processing_time_unit,
        same_day_cutoff_applies=version.same_day_cutoff_applies,
    )
    others = tuple(
        CaseDef(
            code=row["code"],
            name=row["name"],
            value=Decimal(row["processing_time_value"]),
            unit=row["processing_time_unit"],
            order=row["order"],
            note=row["note"],
            legal_basis=row["legal_basis"],
        )
        for row in ProcessingCase.objects.filter(version_id=version_id)
        .order_by("order", "id")
        .values(
            "code",
            "name",
            "processing_time_value",
            "processing_time_unit",
            "order",
            "note",
            "legal_basis",
        )
    )
    found = (ordinary, *others)
    if in_use:
        cache.set(key, found, CASES_CACHE_SECONDS)
    return found


def version_case(version_id: int, code: str) -> CaseDef:
    """Return the case ``code`` of a version (``ORDINARY``, "", for its own time).

    Raises ``ValidationFailed`` (field ``case``) when the version has no such
    case, and ``NotFound`` for an unknown version.
    """
    for case in version_cases(version_id):
        if case.code == code:
            return case
    raise ValidationFailed(UNKNOWN_CASE, field_errors={"case": [UNKNOWN_CASE]})


def case_time(version_id: int, code: str) -> tuple[Decimal, str]:
    """Return the legal time (value, unit) of a version's case ``code``; see ``version_case``."""
    case = version_case(version_id, code)
    return case.value, case.unit
