"""Imports of a previous system's records into statistics: each upload's batch and its rejections.

An ``ImportBatch`` is one file: its name and SHA-256, who sent it, where it
is in its run (queued, running, done, failed) and its counters, updated a
chunk at a time so the page shows the progress. The facts it writes
(``statistics.Fact``, ``source = import``) carry its id in ``batch``. Each
row refused is an ``ImportRejection`` with its row number, the dossier code
it named and the reason (in Vietnamese, as the staff read it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchKind(models.TextChoices):
    DOSSIERS = "dossiers", _("Dossiers")


class BatchState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    """One imported file and how its import went (see the module's docstring)."""

    kind = models.CharField(
        _("kind"), max_length=10, choices=BatchKind.choices, default=BatchKind.DOSSIERS
    )
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    stored_as = models.CharField(
        _("stored file"), max_length=500, blank=True, help_text=_("Removed once imported.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))
    dry_run = models.BooleanField(_("checked only, nothing written"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=BatchState.choices, default=BatchState.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.pk} {self.file_name}"

    @property
    def percent(self) -> int | None:
        """How far the run is, in percent of the rows (None while the rows are not counted)."""
        if self.state == BatchState.DONE:
            return 100
        if not self.rows_total:
            return None
        return min(100, 100 * self.rows_done // self.rows_total)

    @property
    def is_active(self) -> bool:
        return self.state in (BatchState.QUEUED, BatchState.RUNNING)


class ImportRejection(models.Model):
    """A row of an import refused, and why."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    row = models.PositiveIntegerField(_("row"))
    code = models.CharField(_("dossier code"), max_length=100, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["batch", "row"]
        indexes = [models.Index(fields=["batch", "row"], name="history_rejection_row")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row} {self.code}"
