"""Reads the portal's pages need beyond the catalogue's and the dossiers' own selectors."""

from __future__ import annotations

from django.db.models import Count

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_search


def popular_procedures(*, limit: int) -> list[Procedure]:
    """Return the published procedures with the most dossiers, then by name."""
    qs = procedure_search().annotate(dossier_count=Count("dossiers"))
    return list(qs.order_by("-dossier_count", "name", "code")[:limit])
