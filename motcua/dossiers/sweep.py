"""Files a crash left behind: stored files that no row holds, and temporary uploads.

A file is written before the transaction that records it opens
(``files.files_stored``), and deleted if that transaction fails; a process
killed in between (kill -9, a lost machine) leaves the file without its row.
Django writes a large upload to ``FILE_UPLOAD_TEMP_DIR`` while the request
runs and deletes it after; a killed process leaves it there. ``orphan_files_sweep``
removes both once they are older than ``MOTCUA_ORPHAN_GRACE_MINUTES``, a time
no request or transaction lasts, so a file being written or recorded now is
never touched; ``run_reminders`` runs it every hour.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from .files import files_delete

logger = logging.getLogger(__name__)
BATCH = 500
# The hourly sweep reads the dated folders (``dossiers/2026/12/06``) of these last days only;
# ``sweep_orphan_files --all`` reads every folder.
RECENT_DAYS = 3


@dataclass(frozen=True)
class OrphanReport:
    """What a sweep removed: stored files without a row, temporary uploads."""

    stored: int
    temporary: int


def orphan_grace() -> dt.timedelta:
    """Return how old a file must be before a sweep may remove it."""
    minutes: int = settings.MOTCUA_ORPHAN_GRACE_MINUTES
    return dt.timedelta(minutes=minutes)


def file_fields() -> list[tuple[type[models.Model], str]]:
    """Return every (model, field name) whose rows hold a stored file."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]


def stored_folders() -> list[str]:
    """Return the top folders the file fields store under (``dossiers``, ``results``, ...)."""
    folders = {
        str(field.upload_to).split("/", 1)[0]
        for model, name in file_fields()
        if isinstance(field := model._meta.get_field(name), models.FileField)
        and isinstance(field.upload_to, str)
    }
    return sorted(folder for folder in folders if folder)


def held_names(names: list[str]) -> set[str]:
    """Return those of ``names`` that a row holds.

    One statement (a UNION over every file field) reads one snapshot, so a
    file moving between rows in a transaction (a kept upload taken by a
    dossier) is seen held by one of them.
    """
    queries: list[QuerySet[models.Model, str]] = [
        model._default_manager.filter(**{f"{name}__in": names})
        .order_by()  # a compound statement takes no ORDER BY in its parts
        .values_list(name, flat=True)
        for model, name in file_fields()
    ]
    if not queries:
        return set()
    first, *others = queries
    return set(first.union(*others))


def orphan_files_sweep(
    *, now: dt.datetime | None = None, grace: dt.timedelta | None = None, everything: bool = False
) -> OrphanReport:
    """Remove stored files no row holds and temporary uploads, older than the grace period.

    Reads the dated folders of the last ``RECENT_DAYS`` (``everything``: all).
    Never removes a file a row holds, nor one modified within ``grace``
    (default ``MOTCUA_ORPHAN_GRACE_MINUTES``). Safe to run in several
    processes at once.
    """
    now = now or timezone.now()
    before = now - (orphan_grace() if grace is None else grace)
    since = None if everything else (before - dt.timedelta(days=RECENT_DAYS)).date()
    stored = 0
    for folder in stored_folders():
        old = (name for name in _stored(folder, since) if _modified(name) <= before)
        while names := list(islice(old, BATCH)):
            held = held_names(names)
            lost = [name for name in names if name not in held]
            files_delete(lost)
            stored += len(lost)
    report = OrphanReport(stored=stored, temporary=_temporary_sweep(before))
    if report.stored or report.temporary:
        logger.warning(
            "removed %d stored files without a row and %d temporary uploads (left by a crash)",
            report.stored,
            report.temporary,
        )
    return report


def _temporary_sweep(before: dt.datetime) -> int:
    """Delete the files in ``FILE_UPLOAD_TEMP_DIR`` last written before ``before``."""
    folder: str | None = settings.FILE_UPLOAD_TEMP_DIR
    if not folder:
        return 0
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime <= before.timestamp():
                os.unlink(entry.path)
                removed += 1
        except FileNotFoundError:  # finished meanwhile: its request deleted it
            continue
    return removed


def _stored(folder: str, since: dt.date | None) -> Iterator[str]:
    """Yield the files under ``folder``, leaving out dated folders that end before ``since``."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(folders):
        path = f"{folder}/{sub}"
        if since is None or not _ends_before(path, since):
            yield from _stored(path, since)


def _ends_before(path: str, since: dt.date) -> bool:
    """Tell whether the dated folder ``path`` (``x/2026[/12[/06]]``) ends before ``since``."""
    parts = path.split("/")[1:]
    if not 1 <= len(parts) <= 3 or not all(part.isdigit() for part in parts):
        return False
    year, month, day = (int(part) for part in [*parts, "0", "0"][:3])
    try:
        if day:
            last = dt.date(year, month, day)
        elif month:  # the month's last day
            last = (dt.date(year, month, 28) + dt.timedelta(days=4)).replace(day=1)
            last -= dt.timedelta(days=1)
        else:
            last = dt.date(year, 12, 31)
    except ValueError:
        return False
    return last < since


def _modified(name: str) -> dt.datetime:
    try:
        return default_storage.get_modified_time(name)
    except FileNotFoundError:  # deleted meanwhile (another sweep, a rollback): nothing to do
        return timezone.now()
