"""The annual review's templates: a template is ordered sections of Vietnamese prose with figures.

A section's ``body`` is Django template text rendered by the review's own
sandboxed engine (``render.py``) with the year's figures (``f.<code>``); its
optional chart is a kind and, for bar charts, the codes of the figures drawn.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChartKind(models.TextChoices):
    NONE = "", _("No chart")
    CHANNELS = "channels", _("Dossiers received by channel, month by month")
    ON_TIME = "on_time", _("On-time rate, month by month")
    BARS = "bars", _("The section's figures, this year and the previous year")


class ReviewTemplate(models.Model):
    """A template of the annual review, used for the years from ``year_from`` while active."""

    name = models.CharField(_("name"), max_length=200)
    issuer = models.CharField(
        _("issuing body"),
        max_length=200,
        help_text=_("As printed in the heading, e.g. Sở Khoa học và Công nghệ."),
    )
    title = models.CharField(
        _("title"), max_length=300, help_text=_("Template text: {{ year }}, {{ province }}.")
    )
    year_from = models.PositiveSmallIntegerField(_("used from the year"))
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("annual review template")
        verbose_name_plural = _("annual review templates")
        ordering = ["-year_from", "name"]

    def __str__(self) -> str:
        return self.name


class ReviewSection(models.Model):
    """One section of a template: a heading, prose with figures, and maybe a chart."""

    template = models.ForeignKey(ReviewTemplate, on_delete=models.CASCADE, related_name="sections")
    position = models.PositiveSmallIntegerField(_("position"))
    heading = models.CharField(_("heading"), max_length=300)
    body = models.TextField(
        _("text"),
        help_text=_(
            "Vietnamese prose with figures: {{ f.received }}, {{ f.online_share|so_voi }}. "
            "A blank line starts a paragraph; a line starting with '- ' is a bullet."
        ),
    )
    chart = models.CharField(
        _("chart"), max_length=10, choices=ChartKind.choices, default=ChartKind.NONE, blank=True
    )
    chart_title = models.CharField(_("chart title"), max_length=200, blank=True)
    chart_figures = models.CharField(
        _("figures of the chart"),
        max_length=500,
        blank=True,
        help_text=_("Figure codes separated by commas (bar charts)."),
    )

    class Meta:
        verbose_name = _("annual review section")
        verbose_name_plural = _("annual review sections")
        ordering = ["template", "position", "pk"]

    def __str__(self) -> str:
        return self.heading

    @property
    def chart_codes(self) -> list[str]:
        return [code.strip() for code in self.chart_figures.split(",") if code.strip()]
