"""Ratings: the applicant's one rating of a dossier, per criterion, and the tallies read publicly.

A ``Rating`` is written once per dossier (a unique constraint), after the
result is returned, with one ``RatingScore`` per criterion. ``RatingTally``
rows count the scores by level per criterion for each agency and for each
procedure; the rating's transaction adds to them, so the public page and the
staff page read a handful of tally rows, never the ratings.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LEVELS = (1, 2, 3, 4, 5)


class Level(models.IntegerChoices):
    """The five levels of satisfaction, best first as the form shows them."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neither satisfied nor dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")


class Criterion(models.Model):
    """What an applicant rates (``criteria.CRITERIA`` seeds them, with their source)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(
        _("asked"), default=True, help_text=_("A retired criterion keeps its answers.")
    )

    class Meta:
        verbose_name = _("rating criterion")
        verbose_name_plural = _("rating criteria")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Return the name in the language of the request (Vietnamese first)."""
        if (get_language() or "vi").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Rating(models.Model):
    """An applicant's rating of how their dossier was handled: once per dossier."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="rating"
    )
    # Copies of the dossier's, so a staff list and the tallies need no join.
    agency = models.ForeignKey(
        "organisation.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    receiving_unit = models.ForeignKey(
        "organisation.Agency", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    procedure = models.ForeignKey("catalog.Procedure", on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "-created_at"], name="rating_agency_newest"),
            models.Index(fields=["receiving_unit", "-created_at"], name="rating_unit_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}"


class RatingScore(models.Model):
    """The level given to one criterion in a rating."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)

    class Meta:
        verbose_name = _("rating score")
        verbose_name_plural = _("rating scores")
        constraints = [
            models.UniqueConstraint(fields=["rating", "criterion"], name="rating_score_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="rating_score_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating_id} {self.criterion_id}={self.level}"


class RatingTally(models.Model):
    """How many scores of each level a criterion got for one agency or one procedure."""

    agency = models.ForeignKey(
        "organisation.Agency", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    level_1 = models.PositiveIntegerField(default=0)
    level_2 = models.PositiveIntegerField(default=0)
    level_3 = models.PositiveIntegerField(default=0)
    level_4 = models.PositiveIntegerField(default=0)
    level_5 = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("rating tally")
        verbose_name_plural = _("rating tallies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(agency__isnull=True, procedure__isnull=False)
                | models.Q(agency__isnull=False, procedure__isnull=True),
                name="rating_tally_one_scope",
            ),
            models.UniqueConstraint(
                fields=["agency", "criterion"],
                condition=models.Q(agency__isnull=False),
                name="rating_tally_agency_unique",
            ),
            models.UniqueConstraint(
                fields=["procedure", "criterion"],
                condition=models.Q(procedure__isnull=False),
                name="rating_tally_procedure_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id or self.procedure_id} {self.criterion_id}"

    @property
    def counts(self) -> dict[int, int]:
        """Return the count of each level, best first."""
        return {n: getattr(self, f"level_{n}") for n in sorted(LEVELS, reverse=True)}

    @property
    def total(self) -> int:
        return sum(self.counts.values())
