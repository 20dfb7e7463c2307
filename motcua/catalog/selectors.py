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

Typos and abbreviations are resolved in Python before the query
(``search_terms``), against the catalogue's own words and the
administrators' abbreviations, so both databases still find the same
procedures. pg_trgm's ``%>`` (word similarity over 0.6) is not used to
match: Vietnamese syllables are short, and one wrong letter in a word of
three or four loses half its trigrams ("sih" against "sinh" is 0.5).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Collate
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
    SearchAbbreviation,
)
from motcua.catalog.services import (
    ABBREVIATIONS_CACHE_KEY,
    SEARCH_CACHE_SECONDS,
    VOCABULARY_CACHE_KEY,
    version_is_in_use,
)
from motcua.core.errors import NotFound, ValidationFailed
from motcua.core.text import VI_COLLATION, fold, vi_sort_key
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel

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
    others). Each word may also match what it abbreviates (``search_terms``:
    "lltp" -> "ly lich tu phap") or, when the catalogue has no word holding
    it, the catalogue's words closest to it (a typo: "sih" -> "sinh").
    Exact matches first: the query as typed at the start of the text, then
    anywhere, then the corrected query, then the rest; then most similar
    (trigram word similarity, PostgreSQL) and in Vietnamese order.
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

    terms = search_terms(q)
    if not terms:
        return qs.order_by(Collate("name", VI_COLLATION), "code")
    for term in terms:
        # Both sides are folded to lower case: plain LIKEs, which the trigram index serves.
        matches = Q()
        for alternative in term.alternatives:
            matches |= Q(search_text__contains=alternative)
        qs = qs.filter(matches)
    typed = " ".join(term.word for term in terms)
    corrected = " ".join(term.alternatives[-1] if term.corrected else term.word for term in terms)
    qs = qs.annotate(
        exactness=Case(
            When(search_text__startswith=typed, then=Value(0)),
            When(search_text__contains=typed, then=Value(1)),
            When(search_text__contains=corrected, then=Value(2)),
            default=Value(3),
        )
    )
    if connection.vendor == "postgresql":
        return qs.annotate(rank=TrigramWordSimilarity(corrected, "search_text")).order_by(
            "exactness", "-rank", Collate("name", VI_COLLATION), "code"
        )
    return qs.order_by("exactness", Collate("name", VI_COLLATION), "code")


@dataclass(frozen=True)
class SearchTerm:
    """One word of a query and what it may match: itself, what it abbreviates, corrections.

    ``corrected``: the word matches no word of the catalogue, so its
    alternatives after the first are the closest catalogue words, best last.
    """

    word: str
    alternatives: tuple[str, ...]
    corrected: bool = False
    shown: str = ""  # how the page writes what it was read as: an abbreviation's expansion


MIN_FUZZY_LENGTH = 3
FUZZY_CUTOFF = 0.75
FUZZY_CHOICES = 3


def search_abbreviations() -> dict[str, str]:
    """Return the abbreviations the search expands, as written: {"lltp": "lý lịch tư pháp"}."""
    kept = cache.get(ABBREVIATIONS_CACHE_KEY)
    if isinstance(kept, dict):
        return kept
    found = dict(SearchAbbreviation.objects.values_list("key", "expansion"))
    cache.set(ABBREVIATIONS_CACHE_KEY, found, SEARCH_CACHE_SECONDS)
    return found


def search_vocabulary() -> frozenset[str]:
    """Return the words of the published catalogue's search texts (kept in the cache).

    The catalogue is small (a few thousand procedures), so its words fit in
    memory; the services forget them when a search text changes.
    """
    kept = cache.get(VOCABULARY_CACHE_KEY)
    if isinstance(kept, frozenset):
        return kept
    words: set[str] = set()
    for text in _published().values_list("search_text", flat=True).iterator(chunk_size=500):
        words.update(text.split())
    found = frozenset(words)
    cache.set(VOCABULARY_CACHE_KEY, found, SEARCH_CACHE_SECONDS)
    return found


def search_understood(q: str) -> str:
    """Return what a query was also read as ("khai sih" -> "khai sinh", "lltp" -> "lý lịch tư
    pháp"), or "" when every word was taken as typed: the results page says so. Corrected
    words are the catalogue's folded words (no diacritics)."""
    terms = search_terms(q)
    if not any(term.corrected or len(term.alternatives) > 1 for term in terms):
        return ""
    return " ".join(term.shown or term.alternatives[-1] for term in terms)


def search_terms(q: str) -> list[SearchTerm]:
    """Split a query into folded words, each with what it may match (see ``procedure_search``).

    A known abbreviation matches itself or its expansion. A word of three
    letters or more that no catalogue word holds matches the catalogue words
    closest to it (``difflib`` ratio of at least ``FUZZY_CUTOFF``; the same on
    SQLite and PostgreSQL, so both find the same procedures).
    """
    words = fold(q).split()[:MAX_QUERY_WORDS]
    if not words:
        return []
    abbreviations = search_abbreviations()
    vocabulary: frozenset[str] | None = None
    terms = []
    for word in words:
        if word in abbreviations:
            expansion = abbreviations[word]
            terms.append(SearchTerm(word, (word, fold(expansion)), shown=expansion))
            continue
        if len(word) < MIN_FUZZY_LENGTH:
            terms.append(SearchTerm(word, (word,)))
            continue
        if vocabulary is None:
            vocabulary = search_vocabulary()
        if any(word in known for known in vocabulary):
            terms.append(SearchTerm(word, (word,)))
            continue
        near = [w for w in vocabulary if abs(len(w) - len(word)) <= 2]
        close = difflib.get_close_matches(word, near, n=FUZZY_CHOICES, cutoff=FUZZY_CUTOFF)
        terms.append(SearchTerm(word, (word, *reversed(close)), corrected=bool(close)))
    return terms


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


def procedure_counters(procedure: Procedure) -> list[Agency]:
    """Return the one-stop units where ``procedure`` is received at a counter, in display order.

    The units that log its dossiers (as online intake routes them): a commune
    procedure at the one-stop units of the competent agency's commune, any
    other at the provincial service centre and its branches; the centre
    first, the others in Vietnamese order. Empty when the procedure is not
    received at a counter. A boundary-free procedure may also be handed in at
    any other one-stop unit of the province (the page says so).
    """
    if not procedure.accepts_counter:
        return []
    units = Agency.objects.filter(is_one_stop_unit=True, is_active=True)
    found: list[Agency] = []
    if procedure.level == GovernmentLevel.COMMUNE:
        found = list(units.filter(administrative_unit_id=procedure.agency.administrative_unit_id))
    if not found:
        found = list(units.filter(kind__in=[AgencyKind.SERVICE_CENTRE, AgencyKind.CENTRE_BRANCH]))
    return sorted(found, key=lambda a: (a.kind != AgencyKind.SERVICE_CENTRE, vi_sort_key(a.name)))


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
        .order_by("level_order", Collate("name", VI_COLLATION))
        .values_list("code", "name")
    )
    fields = (
        Field.objects.filter(Exists(published.filter(field=OuterRef("pk"))))
        .order_by(Collate("name", VI_COLLATION))
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
