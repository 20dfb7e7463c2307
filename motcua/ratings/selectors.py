"""Reads of ratings: the public aggregates (from tallies), the staff's list, the form's criteria."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from motcua.staff.selectors import AnyUser, user_agency_roles

from .models import Criterion, Level, Rating, RatingTally

OVERALL = "overall"
SATISFIED_LEVELS = (Level.VERY_SATISFIED, Level.SATISFIED)
STAFF_PAGE = 50


@dataclass(frozen=True)
class LevelShare:
    level: int
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class CriterionSummary:
    """The scores a criterion got in one scope: a count and a share per level."""

    code: str
    label: str
    total: int
    levels: list[LevelShare]

    @property
    def satisfied_percent(self) -> float:
        """Return the share of "very satisfied" and "satisfied", as the reports give it."""
        return round(sum(s.percent for s in self.levels if s.level in SATISFIED_LEVELS), 1)


@dataclass
class ScopeSummary:
    """The ratings of an agency or a procedure: how many, and each criterion's summary."""

    id: int
    name: str
    code: str
    criteria: list[CriterionSummary] = field(default_factory=list)

    @property
    def overall(self) -> CriterionSummary | None:
        return next((c for c in self.criteria if c.code == OVERALL), None)

    @property
    def ratings(self) -> int:
        """Return how many ratings the scope got (the most answers of a criterion)."""
        return max((c.total for c in self.criteria), default=0)


def _summary(tally: RatingTally, criterion: Criterion) -> CriterionSummary:
    counts = tally.counts
    total = sum(counts.values())
    return CriterionSummary(
        code=criterion.code,
        label=criterion.label,
        total=total,
        levels=[
            LevelShare(
                level=level,
                label=str(Level(level).label),
                count=count,
                percent=round(100 * count / total, 1) if total else 0.0,
            )
            for level, count in counts.items()
        ],
    )


def _grouped(tallies: Iterable[RatingTally], scope: str) -> list[ScopeSummary]:
    out: dict[int, ScopeSummary] = {}
    for tally in tallies:
        owner: Any = getattr(tally, scope)
        summary = out.setdefault(owner.pk, ScopeSummary(owner.pk, owner.name, owner.code))
        summary.criteria.append(_summary(tally, tally.criterion))
    return sorted(out.values(), key=lambda s: (-s.ratings, s.name))


def _tallies() -> QuerySet[RatingTally]:
    return RatingTally.objects.select_related("criterion").order_by(
        "criterion__order", "criterion_id"
    )


def agency_summaries(*, agency_ids: Iterable[int] | None = None) -> list[ScopeSummary]:
    """Return the ratings of each agency (all, or ``agency_ids``), most rated first: one query."""
    tallies = _tallies().filter(agency__isnull=False).select_related("agency")
    if agency_ids is not None:
        tallies = tallies.filter(agency_id__in=list(agency_ids))
    return _grouped(tallies, "agency")


def procedure_summaries() -> list[ScopeSummary]:
    """Return the ratings of each procedure, most rated first: one query."""
    tallies = _tallies().filter(procedure__isnull=False).select_related("procedure")
    return _grouped(tallies, "procedure")


def criteria_asked() -> list[Criterion]:
    """Return the criteria the rating form asks, in order."""
    return list(Criterion.objects.filter(is_active=True).order_by("order", "id"))


def staff_ratings(*, user: AnyUser, limit: int = STAFF_PAGE) -> list[Rating]:
    """Return the newest ratings of dossiers the user's agencies decided or received.

    Scoped like dossiers (the deciding agency and the receiving unit are
    copied on the rating, each with its index); comments included: staff
    read them, the public does not. Two queries: the ratings (with dossier
    code and procedure) and their scores.
    """
    mine = sorted(user_agency_roles(user=user))
    if not mine:
        return []
    return list(
        Rating.objects.filter(Q(agency_id__in=mine) | Q(receiving_unit_id__in=mine))
        .select_related("dossier", "procedure", "agency")
        .prefetch_related("scores__criterion")
        .order_by("-created_at", "-id")[:limit]
    )
