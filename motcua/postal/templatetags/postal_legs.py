"""Template tag: the postal legs of a dossier, for the tracking page and the applicant's page."""

from __future__ import annotations

from django import template

from motcua.dossiers.models import Dossier

from ..legs import Leg, dossier_postal_legs

register = template.Library()


@register.simple_tag
def postal_legs(dossier: Dossier, public: bool = True) -> list[Leg]:
    """Return the dossier's postal legs (two queries; none when it does not use the post)."""
    return dossier_postal_legs(dossier, public=public)
