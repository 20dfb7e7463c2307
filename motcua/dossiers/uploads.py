"""Kept uploads: the files of a refused submission that passed their checks, for the next try.

A page that shows a refused submission again (the portal's form, the
counter's) asks the dossier services to keep files (``Keeping``): when the
submission fails with field errors, each file that passed its checks is
stored under ``pending/`` with a random name and recorded as a
``PendingUpload`` with an unguessable token (``pending_uploads_store``: one
transaction, inside ``files_stored``, so a failure leaves no file), and the
error is a ``SubmissionInvalid`` that says per component input what was kept.
The page lists those files with their tokens; sent back, a token makes its
file count as uploaded again (``Keeping.reuse``), without storing it again:
the dossier's file points at the kept file and the row is deleted in the
dossier's transaction (``pending_uploads_claim``), so a token is used once.
Only the channel, and at the counter the officer, that kept a file may use
it, only for a component of the procedure version being submitted, and only
until ``MOTCUA_KEPT_UPLOADS_HOURS`` have passed; ``pending_uploads_sweep``
(run every hour by ``run_reminders``) then removes the rows and their files,
and files under ``pending/`` that no row holds (a crash between storing and
recording).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Component, ProcedureVersion
from motcua.core.errors import ValidationFailed

from .files import CheckedFile, files_delete, files_stored
from .models import DossierFile, PendingUpload

logger = logging.getLogger(__name__)

PENDING_FOLDER = "pending"
# The page's input of the kept files of ``component-<id>``: one ticked checkbox per token.
KEPT_INPUT = "{}-kept"
KEPT_FILE_GONE = _("A file kept from the last attempt is no longer available: choose it again.")
BATCH = 500
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


@dataclass(frozen=True)
class KeptFile:
    """What a page shows of a kept upload: its token, the name it was chosen under, its size."""

    token: str
    original_name: str
    size: int


class SubmissionInvalid(ValidationFailed):
    """A submission refused with field errors; ``kept`` lists per input the files kept for it."""

    def __init__(
        self,
        message: str | Promise,
        *,
        field_errors: Mapping[str, Sequence[str | Promise]] | None = None,
        kept: Mapping[str, Sequence[KeptFile]] | None = None,
    ) -> None:
        super().__init__(message, field_errors=field_errors)
        self.kept = {key: list(files) for key, files in (kept or {}).items()}


def kept_expiry() -> dt.timedelta:
    """Return how long a kept upload may be used (``MOTCUA_KEPT_UPLOADS_HOURS``)."""
    hours: int = settings.MOTCUA_KEPT_UPLOADS_HOURS
    return dt.timedelta(hours=hours)


def _key(component_id: int) -> str:
    return f"component-{component_id}"


def _shown(row: PendingUpload) -> KeptFile:
    return KeptFile(row.token, row.original_name, row.size)


def pending_uploads_usable(
    *,
    version: ProcedureVersion,
    tokens: Mapping[str, Sequence[str]],
    channel: int,
    kept_by_id: int | None = None,
    now: dt.datetime | None = None,
) -> dict[str, list[PendingUpload]]:
    """Return the kept uploads that ``tokens`` (by component input) may use now, by input.

    A token is honoured only under the input of its own component, for a
    component of ``version``, kept through ``channel`` (at the counter by the
    officer ``kept_by_id``), and before it expired; any other token is
    ignored. At most ``MOTCUA_MAX_FILES`` tokens are read.
    """
    now = now or timezone.now()
    wanted: dict[str, str] = {}  # token -> the input it was sent under
    max_files: int = settings.MOTCUA_MAX_FILES
    for key, values in tokens.items():
        for token in values:
            if len(wanted) < max_files and _TOKEN.fullmatch(str(token)):
                wanted.setdefault(str(token), key)
    if not wanted:
        return {}
    rows = PendingUpload.objects.filter(
        token__in=list(wanted),
        component__version_id=version.pk,
        channel=channel,
        kept_by_id=kept_by_id,
        created_at__gt=now - kept_expiry(),
    ).order_by("id")
    usable: dict[str, list[PendingUpload]] = {}
    for row in rows:
        if wanted[row.token] == _key(row.component_id):
            usable.setdefault(wanted[row.token], []).append(row)
    return usable


def kept_files_listed(
    *,
    version: ProcedureVersion,
    tokens: Mapping[str, Sequence[str]],
    channel: int,
    kept_by_id: int | None = None,
) -> dict[str, list[KeptFile]]:
    """Return what a page shows as kept for ``tokens`` it sent: those still usable, by input.

    For a refusal that did not say what it kept (not a ``SubmissionInvalid``:
    a file too large, a conflict), so the files kept before stay listed.
    """
    usable = pending_uploads_usable(
        version=version, tokens=tokens, channel=channel, kept_by_id=kept_by_id
    )
    return {key: [_shown(row) for row in rows] for key, rows in usable.items()}


def pending_uploads_store(
    *,
    checked: Sequence[CheckedFile[Component]],
    channel: int,
    kept_by_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[PendingUpload]:
    """Keep files that passed their checks: stored under ``pending/``, one row each.

    The files are stored under random names (``files_stored``) and recorded
    in one transaction opened inside it, so if either fails no file is left.
    """
    now = now or timezone.now()
    with files_stored(checked, folder=PENDING_FOLDER) as stored, transaction.atomic():
        return PendingUpload.objects.bulk_create(
            PendingUpload(
                token=secrets.token_urlsafe(32),
                component=one.owner,
                channel=channel,
                kept_by_id=kept_by_id,
                file=name,
                original_name=(one.upload.name or "")[:255],
                content_type=one.content_type,
                size=one.size,
                sha256=one.sha256,
                pages=one.pages,
                created_at=now,
            )
            for one, name in stored
        )


def pending_uploads_claim(*, rows: Mapping[str, Sequence[PendingUpload]]) -> None:
    """Take kept uploads for a dossier: delete their rows, leaving their files to the dossier.

    Runs in the transaction that records the dossier's files, so a rollback
    gives them back. Locks the rows (``select_for_update``): of two
    submissions using one token, the second finds it gone and is refused
    with ``KEPT_FILE_GONE`` under the input it was sent for.
    """
    wanted = {row.pk: key for key, group in rows.items() for row in group}
    if not wanted:
        return
    present = set(
        PendingUpload.objects.select_for_update()
        .filter(pk__in=list(wanted))
        .values_list("pk", flat=True)
    )
    gone = {key for pk, key in wanted.items() if pk not in present}
    if gone:
        raise ValidationFailed(
            KEPT_FILE_GONE, field_errors={key: [KEPT_FILE_GONE] for key in sorted(gone)}
        )
    PendingUpload.objects.filter(pk__in=present).delete()


@dataclass
class Keeping:
    """The files of a submission that keeps them: kept uploads it reuses, new files it checked.

    A page that shows its form again makes one per request and hands it to
    the dossier service, which fills it (``reuse``, ``checked``); when the
    submission fails with field errors inside ``kept_on_failure``, the new
    files are kept and the error says what is kept, reused files included.
    """

    channel: int
    kept_by_id: int | None = None
    now: dt.datetime = field(default_factory=timezone.now)
    reused: dict[str, list[PendingUpload]] = field(default_factory=dict)
    checked: list[CheckedFile[Component]] = field(default_factory=list)

    def reuse(
        self, version: ProcedureVersion, tokens: Mapping[str, Sequence[str]]
    ) -> dict[str, list[PendingUpload]]:
        """Take the kept uploads ``tokens`` may use (``pending_uploads_usable``), by input."""
        self.reused = pending_uploads_usable(
            version=version,
            tokens=tokens,
            channel=self.channel,
            kept_by_id=self.kept_by_id,
            now=self.now,
        )
        return self.reused

    def refused(self, error: ValidationFailed) -> SubmissionInvalid:
        """Keep the new files and return ``error`` saying, per input, every file kept."""
        kept: dict[str, list[KeptFile]] = {}
        reused = [row.pk for rows in self.reused.values() for row in rows]
        # Read again: a file another request took meanwhile is no longer kept.
        for row in PendingUpload.objects.filter(pk__in=reused).order_by("id"):
            kept.setdefault(_key(row.component_id), []).append(_shown(row))
        if self.checked:
            try:
                rows = pending_uploads_store(
                    checked=self.checked,
                    channel=self.channel,
                    kept_by_id=self.kept_by_id,
                    now=self.now,
                )
            except Exception:
                # The refusal matters more than the convenience: say what to correct, and
                # let the person choose the files again (files_stored left none behind).
                logger.exception("could not keep the files of a refused submission")
                rows = []
            for row in rows:
                kept.setdefault(_key(row.component_id), []).append(_shown(row))
        return SubmissionInvalid(error.message, field_errors=error.field_errors, kept=kept)


@contextmanager
def kept_on_failure(keeping: Keeping | None) -> Iterator[None]:
    """Turn field errors raised in the block into a ``SubmissionInvalid`` that keeps files.

    Without ``keeping`` (the API: a client sends its files again) errors pass
    unchanged.
    """
    try:
        yield
    except SubmissionInvalid:
        raise
    except ValidationFailed as error:
        if keeping is None:
            raise
        raise keeping.refused(error) from error


@dataclass(frozen=True)
class SweepReport:
    """What a sweep removed: expired kept uploads (rows and files), and files without a row."""

    expired: int
    orphans: int


def pending_uploads_sweep(*, now: dt.datetime | None = None) -> SweepReport:
    """Remove kept uploads older than ``MOTCUA_KEPT_UPLOADS_HOURS``, and orphaned files.

    Expired rows go in batches, each in its own transaction that skips the
    rows a submission is taking (``select_for_update(skip_locked=True)``);
    their files are deleted once it has committed. Then every file under
    ``pending/`` older than the expiry that neither a kept upload nor a
    dossier's file (a kept upload used by a dossier stays where it was)
    holds is deleted: what a crash between storing and recording left.
    Safe to run in several processes at once.
    """
    now = now or timezone.now()
    before = now - kept_expiry()
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                PendingUpload.objects.select_for_update(skip_locked=True)
                .filter(created_at__lte=before)
                .order_by("id")
                .values_list("pk", "file")[:BATCH]
            )
            PendingUpload.objects.filter(pk__in=[pk for pk, _name in batch]).delete()
        files_delete([name for _pk, name in batch])
        expired += len(batch)
        if len(batch) < BATCH:
            break
    orphans = 0
    old = (name for name in _stored(PENDING_FOLDER) if _modified(name) <= before)
    while names := list(islice(old, BATCH)):
        held = set(PendingUpload.objects.filter(file__in=names).values_list("file", flat=True))
        held.update(
            DossierFile.objects.filter(
                file__startswith=f"{PENDING_FOLDER}/", file__in=names
            ).values_list("file", flat=True)
        )
        lost = [name for name in names if name not in held]
        files_delete(lost)
        orphans += len(lost)
    return SweepReport(expired=expired, orphans=orphans)


def _stored(folder: str) -> Iterator[str]:
    """Yield the names of the files stored under ``folder``, its subfolders included."""
    try:
        folders, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(folders):
        yield from _stored(f"{folder}/{sub}")


def _modified(name: str) -> dt.datetime:
    try:
        return default_storage.get_modified_time(name)
    except FileNotFoundError:  # deleted meanwhile (another sweep, a claim): nothing to do
        return timezone.now()
