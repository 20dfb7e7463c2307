"""Reads of the annual review: what a request asks for (year, province, template), the templates."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound, ValidationFailed
from motcua.statistics.scopes import home_province, subject_of
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel

from .models import ReviewSection, ReviewTemplate
from .providers import ReviewInput

FIRST_YEAR = 2000
BAD_YEAR = _("Choose a year from 2000 to this year.")
BAD_PROVINCE = _("Choose a province from the list.")
NO_TEMPLATE = _("No active annual review template covers this year.")
NO_SUCH_TEMPLATE = _("No such annual review template.")
NO_SUCH_SECTION = _("No such section.")


def year_of(value: str | None) -> int:
    """Return the year asked for (this year when empty); ValidationFailed for another value."""
    this_year = timezone.localdate().year
    if not value:
        return this_year
    text = value.strip()
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= this_year:
        raise ValidationFailed(BAD_YEAR, field_errors={"nam": [BAD_YEAR]})
    return int(text)


def review_input(*, year: int, province: str | None) -> ReviewInput:
    """Return the review asked for: ``province`` (an id; the home province when empty)."""
    if not province:
        pk = home_province().pk
    elif province.strip().isdigit():
        pk = int(province)
    else:
        raise ValidationFailed(BAD_PROVINCE, field_errors={"tinh": [BAD_PROVINCE]})
    return ReviewInput(year=year, province=subject_of("province", pk))


def templates_for(year: int) -> list[ReviewTemplate]:
    """Return the active templates that cover ``year``, newest first; one query."""
    return list(ReviewTemplate.objects.filter(active=True, year_from__lte=year))


def template_for(year: int, value: str | None) -> ReviewTemplate:
    """Return the template asked for (an id), or the newest active one covering ``year``."""
    if value:
        if not value.strip().isdigit():
            raise NotFound(NO_SUCH_TEMPLATE)
        found = ReviewTemplate.objects.filter(pk=int(value)).first()
        if found is None:
            raise NotFound(NO_SUCH_TEMPLATE)
        return found
    chosen = ReviewTemplate.objects.filter(active=True, year_from__lte=year).first()
    if chosen is None:
        raise NotFound(NO_TEMPLATE)
    return chosen


def template_get(pk: int) -> ReviewTemplate:
    """Return template ``pk``; NotFound when missing."""
    found = ReviewTemplate.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(NO_SUCH_TEMPLATE)
    return found


def sections_of(template: ReviewTemplate) -> list[ReviewSection]:
    """Return the sections of ``template`` in order; one query."""
    return list(template.sections.order_by("position", "pk"))


def section_get(pk: int) -> ReviewSection:
    """Return section ``pk`` with its template; NotFound when missing."""
    found = ReviewSection.objects.filter(pk=pk).select_related("template").first()
    if found is None:
        raise NotFound(NO_SUCH_SECTION)
    return found


def provinces() -> list[tuple[int, str]]:
    """Return today's provinces (id, name) for the choice of the page; one query."""
    rows = AdministrativeUnit.objects.filter(level=UnitLevel.PROVINCE, era=UnitEra.CURRENT)
    return list(rows.order_by("name").values_list("pk", "name"))
