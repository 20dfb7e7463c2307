"""Reads the portal's pages need beyond the catalogue's and the dossiers' own selectors."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Count

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_search

# Counting dossiers per procedure reads the whole dossier table: do it at most this
# often per process, never on every home page view. A stale list is harmless.
POPULAR_CACHE_SECONDS = 15 * 60


def popular_procedures(*, limit: int) -> list[Procedure]:
    """Return the published procedures with the most dossiers, then by name."""
    key = f"portal:popular:{limit}"
    codes: list[str] | None = cache.get(key)
    if codes is None:
        ranked = procedure_search().annotate(dossier_count=Count("dossiers"))
        codes = list(
            ranked.order_by("-dossier_count", "name", "code").values_list("code", flat=True)[:limit]
        )
        cache.set(key, codes, POPULAR_CACHE_SECONDS)
    by_code = {p.code: p for p in procedure_search().filter(code__in=codes)}
    return [by_code[code] for code in codes if code in by_code]
