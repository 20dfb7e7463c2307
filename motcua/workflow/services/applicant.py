"""What the applicant does on their own dossier: answer a supplement request online, ask to
withdraw.

The applicant is no staff user: ``acting`` runs with ``actor`` None and the
rules' applicant half (``rules.check_applicant``). Who the applicant is comes
from the caller (the page or the API checked it: ``workflow.applicant_access``)
as the identification number the dossier was submitted under; every service
checks it again against the dossier, before locking anything, so another
person's dossier is "not found" whatever its state, and nothing of it is
read or locked.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from motcua.dossiers.files import (
    TOO_MANY_FILES,
    CheckedFile,
    Upload,
    check_upload,
    files_delete,
    files_stored,
)
from motcua.dossiers.models import Dossier, DossierComponent, DossierFile
from motcua.dossiers.uploads import (
    KEPT_FILE_GONE,
    PENDING_FOLDER,
    KeptFile,
    SubmissionInvalid,
    kept_expiry,
)

from .. import rules
from ..models import KeptAnswerFile, SupplementItem, SupplementRequest
from ._base import DOSSIER_NOT_FOUND, STALE, Held, acting, required_text
from .intake import APPLICANT_ONLINE_LABEL, supplement_received, withdrawal_requested

NOT_IN_REQUEST = _("This item is not part of the supplement request.")
ANSWER_EMPTY = _("Attach at least one file or write a note for the one-stop unit.")
ITEM_INPUT = "item-{}"  # the form's and the API's input of an item's files
NOTE_MAX = 2000
SWEEP_BATCH = 500
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32), as kept uploads'
logger = logging.getLogger(__name__)
ONLINE_LABEL = APPLICANT_ONLINE_LABEL  # who the timeline says answered: the applicant, online


def _owned(dossier: Dossier | int | str, applicant_id_number: str) -> Dossier:
    """Return the dossier if it was submitted under ``applicant_id_number``, unlocked.

    Anything else (another person's dossier, an unknown code, a blank number)
    is NotFound, the same answer as a code that does not exist.
    """
    number = (applicant_id_number or "").strip()
    if not number:
        raise NotFound(DOSSIER_NOT_FOUND)
    if isinstance(dossier, str):
        found = Q(code=dossier.strip())
    else:
        found = Q(pk=dossier if isinstance(dossier, int) else dossier.pk)
    owned = (
        Dossier.objects.filter(found, applicant_id_number=number)
        .select_related("procedure_version")
        .first()
    )
    if owned is None:
        raise NotFound(DOSSIER_NOT_FOUND)
    return owned


def _check_state(dossier: Dossier, action: rules.Action) -> None:
    """Refuse, before any file is stored, an action the dossier's state does not allow now.

    Checked again under the lock (``acting``): this read only spares storing
    files for a request bound to fail.
    """
    rules.check_applicant(action, applicant_situation(dossier))


def applicant_situation(dossier: Dossier) -> rules.Situation:
    """Return what the applicant's rules need of ``dossier``: its state (no query)."""
    return rules.Situation(
        state=dossier.state,
        receiving_unit_id=dossier.receiving_unit_id,
        competent_agency_id=dossier.competent_agency_id,
    )


def open_supplement_request(dossier: Dossier | int) -> SupplementRequest | None:
    """Return the dossier's supplement request waiting for an answer, with its items."""
    dossier_id = dossier if isinstance(dossier, int) else dossier.pk
    return (
        SupplementRequest.objects.filter(dossier_id=dossier_id, received_at__isnull=True)
        .prefetch_related("items")
        .order_by("-number")
        .first()
    )


def _checked_answer(
    request: SupplementRequest, files: Mapping[int, Sequence[Upload]], kept: int = 0
) -> tuple[list[CheckedFile[SupplementItem]], dict[str, list[Any]]]:
    """Check every file against an item of ``request``; return those that passed and the
    problems, by input (``kept``: files kept from the last try, counted against the limit)."""
    items = {item.pk: item for item in request.items.all()}
    max_files: int = settings.MOTCUA_MAX_FILES
    if sum(len(group) for group in files.values()) + kept > max_files:
        raise PayloadTooLarge(format_lazy(TOO_MANY_FILES, max=max_files))
    errors: dict[str, list[Any]] = {}
    checked: list[CheckedFile[SupplementItem]] = []
    for item_id, group in files.items():
        key = ITEM_INPUT.format(item_id)
        item = items.get(item_id)
        if item is None:
            if group:
                errors[key] = [NOT_IN_REQUEST]
            continue
        for upload in group:
            one = check_upload(item, upload, key, errors)
            if one is not None:
                checked.append(one)
    return checked, errors


def kept_answer_files_usable(
    request: SupplementRequest, tokens: Mapping[int, Sequence[str]], *, now: dt.datetime
) -> dict[int, list[KeptAnswerFile]]:
    """Return the kept answer files ``tokens`` (by item id) may use now, by item id.

    A token counts only under its own item, an item of ``request``, before it
    expired (``MOTCUA_KEPT_UPLOADS_HOURS``); any other is ignored. At most
    ``MOTCUA_MAX_FILES`` tokens are read.
    """
    items = {item.pk for item in request.items.all()}
    max_files: int = settings.MOTCUA_MAX_FILES
    wanted: dict[str, int] = {}
    for item_id, values in tokens.items():
        for token in values:
            if item_id in items and len(wanted) < max_files and _TOKEN.fullmatch(str(token)):
                wanted.setdefault(str(token), item_id)
    if not wanted:
        return {}
    rows = (
        KeptAnswerFile.objects.filter(
            token__in=list(wanted), item_id__in=items, created_at__gt=now - kept_expiry()
        )
        .select_related("item")
        .order_by("id")
    )
    usable: dict[int, list[KeptAnswerFile]] = {}
    for row in rows:
        if wanted[row.token] == row.item_id:
            usable.setdefault(row.item_id, []).append(row)
    return usable


def kept_answer_files_listed(
    dossier: Dossier, tokens: Mapping[int, Sequence[str]]
) -> dict[str, list[KeptFile]]:
    """Return what the answer page lists as kept for ``tokens`` it sent: those still usable,
    by item input (for a refusal that did not say what it kept)."""
    request = open_supplement_request(dossier)
    if request is None or not tokens:
        return {}
    usable = kept_answer_files_usable(request, tokens, now=timezone.now())
    return {ITEM_INPUT.format(k): [_shown(r) for r in rows] for k, rows in usable.items()}


def _shown(row: KeptAnswerFile) -> KeptFile:
    return KeptFile(row.token, row.original_name, row.size)


def _refused(
    errors: dict[str, list[Any]],
    checked: Sequence[CheckedFile[SupplementItem]],
    reused: Mapping[int, Sequence[KeptAnswerFile]],
    *,
    keep_files: bool,
    now: dt.datetime,
) -> ValidationFailed:
    """Return the refusal of an answer; with ``keep_files``, keep the files that passed.

    The kept files are stored under ``pending/`` and recorded in one
    transaction opened inside ``files_stored`` (a failure leaves no file; the
    refusal is then said without keeping anything).
    """
    first = next(iter(errors.values()))[0]
    if not keep_files:
        return ValidationFailed(first, field_errors=errors)
    kept: dict[str, list[KeptFile]] = {
        ITEM_INPUT.format(item_id): [_shown(row) for row in rows]
        for item_id, rows in reused.items()
    }
    try:
        with files_stored(checked, folder=PENDING_FOLDER) as stored, transaction.atomic():
            rows = KeptAnswerFile.objects.bulk_create(
                KeptAnswerFile(
                    token=secrets.token_urlsafe(32),
                    item=one.owner,
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
    except Exception:
        logger.exception("could not keep the files of a refused supplement answer")
        rows = []
    for row in rows:
        kept.setdefault(ITEM_INPUT.format(row.item_id), []).append(_shown(row))
    return SubmissionInvalid(first, field_errors=errors, kept=kept)


def _kept_claim(reused: Mapping[int, Sequence[KeptAnswerFile]]) -> None:
    """Take kept answer files for the dossier: delete their rows (locked), leaving the files.

    In the answer's transaction: a rollback gives them back. Of two answers
    using one token, the second finds it gone and is refused.
    """
    wanted = {row.pk: item_id for item_id, rows in reused.items() for row in rows}
    if not wanted:
        return
    present = set(
        KeptAnswerFile.objects.select_for_update()
        .filter(pk__in=list(wanted))
        .values_list("pk", flat=True)
    )
    gone = sorted({item_id for pk, item_id in wanted.items() if pk not in present})
    if gone:
        raise ValidationFailed(
            KEPT_FILE_GONE,
            field_errors={ITEM_INPUT.format(item_id): [KEPT_FILE_GONE] for item_id in gone},
        )
    KeptAnswerFile.objects.filter(pk__in=present).delete()


def supplement_answer_online(
    *,
    dossier: Dossier | int | str,
    applicant_id_number: str,
    files: Mapping[int, Sequence[Upload]],
    note: str = "",
    kept: Mapping[int, Sequence[str]] | None = None,
    keep_files: bool = False,
    now: dt.datetime | None = None,
) -> SupplementRequest:
    """Answer the dossier's open supplement request online: files per item and a note.

    ``files`` maps the id of an item of the open request to its uploads. The
    files pass the submission's checks (size, type by content, opened) and
    are stored under random names before the transaction; in it, under the
    dossier's lock (``acting``: ``select_for_update`` of the dossier and its
    open step), they become new files of the dossier's components (the
    item's component, or a component named after the item), the request is
    closed as received online, the clock resumes where it stopped (the due
    dates move on by the working time it was stopped: the counter's
    ``supplement_received``) and the timeline says so. A dossier not
    waiting for a supplement (a second answer included) is a Conflict; an
    item of no open request, a bad file, or neither file nor note is
    refused; nothing is stored then, and files already stored are deleted.
    Returns the request it closed.

    With ``keep_files`` (the page, which shows the form again), an answer
    refused with field errors keeps the files that passed their checks
    (``KeptAnswerFile``) and raises ``SubmissionInvalid`` saying, per item
    input, what is kept; ``kept`` gives back, by item id, the tokens of files
    kept by an earlier try: they count as uploaded again and become the
    dossier's files without being stored again.
    """
    owned = _owned(dossier, applicant_id_number)
    _check_state(owned, rules.Action.RECEIVE_SUPPLEMENT)
    request = open_supplement_request(owned)
    if request is None:  # the state says waiting, but no request is open: nothing to answer
        raise Conflict(rules.NOT_WAITING_FOR_SUPPLEMENT)
    note = note.strip()[:NOTE_MAX]
    moment = now or timezone.now()
    reused = kept_answer_files_usable(request, kept or {}, now=moment) if keep_files else {}
    checked, errors = _checked_answer(request, files, sum(len(r) for r in reused.values()))
    if not errors and not checked and not reused and not note:
        errors["note"] = [ANSWER_EMPTY]
    if errors:
        raise _refused(errors, checked, reused, keep_files=keep_files, now=moment)
    with (
        files_stored(checked) as stored,
        acting(owned.pk, actor=None, action=rules.Action.RECEIVE_SUPPLEMENT, now=now) as held,
    ):
        if open_supplement_request(held.dossier.pk) != request:
            raise Conflict(STALE)  # answered or asked again since the files were checked
        _kept_claim(reused)
        answer = [
            _AnswerFile(
                one.owner,
                name,
                one.upload.name or "",
                one.content_type,
                one.size,
                one.sha256,
                one.pages,
            )
            for one, name in stored
        ]
        answer += [
            _AnswerFile(
                row.item,
                str(row.file.name),
                row.original_name,
                row.content_type,
                row.size,
                row.sha256,
                row.pages,
            )
            for rows in reused.values()
            for row in rows
        ]
        _files_recorded(held, answer)
        supplement_received(held, actor=None, note=note, online=True)
    request.refresh_from_db()
    return request


@dataclass(frozen=True)
class _AnswerFile:
    """A file of the answer, new or kept from the last try: its item and where it lies."""

    item: SupplementItem
    name: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    pages: int | None


def _files_recorded(held: Held, answer: Sequence[_AnswerFile]) -> None:
    """Record the answer's files as new files of the dossier's components, one per item.

    An item naming a component of the procedure adds to the dossier's
    component of it; any other item to a component named after the item
    (created once).
    """
    if not answer:
        return
    dossier = held.dossier
    components = list(DossierComponent.objects.filter(dossier=dossier))
    by_catalog = {c.component_id: c for c in components if c.component_id is not None}
    by_name = {c.name: c for c in components}
    targets: dict[int, DossierComponent] = {}
    for one in answer:
        item = one.item
        if item.pk in targets:
            continue
        target = by_catalog.get(item.component_id) if item.component_id else None
        target = target or by_name.get(item.name)
        if target is None:
            target = DossierComponent.objects.create(
                dossier=dossier, component_id=item.component_id, name=item.name
            )
            by_name[item.name] = target
            if item.component_id:
                by_catalog[item.component_id] = target
        targets[item.pk] = target
    DossierFile.objects.bulk_create(
        DossierFile(
            component=targets[one.item.pk],
            file=one.name,
            original_name=one.original_name[:255],
            content_type=one.content_type,
            size=one.size,
            sha256=one.sha256,
            pages=one.pages,
        )
        for one in answer
    )


def kept_answer_files_sweep(*, now: dt.datetime | None = None) -> int:
    """Remove kept answer files older than ``MOTCUA_KEPT_UPLOADS_HOURS``; return how many.

    In batches, each in its own transaction that skips the rows an answer is
    taking (``select_for_update(skip_locked=True)``); the files are deleted
    once it has committed. Safe to run in several processes at once.
    """
    before = (now or timezone.now()) - kept_expiry()
    removed = 0
    while True:
        with transaction.atomic():
            batch = list(
                KeptAnswerFile.objects.select_for_update(skip_locked=True)
                .filter(created_at__lte=before)
                .order_by("id")
                .values_list("pk", "file")[:SWEEP_BATCH]
            )
            KeptAnswerFile.objects.filter(pk__in=[pk for pk, _name in batch]).delete()
        files_delete([name for _pk, name in batch])
        removed += len(batch)
        if len(batch) < SWEEP_BATCH:
            return removed


def applicant_withdrawal_request(
    *,
    dossier: Dossier | int | str,
    applicant_id_number: str,
    reason: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Ask, as the applicant, to withdraw the dossier (national status 7), with the reason.

    The agency answers it as it answers a request recorded at the counter
    (``dossier_withdrawal_decide``, the back office's "answer the withdrawal
    request"). Locks the dossier row (``select_for_update``, through ``acting``).
    """
    reason = required_text(reason, "reason")[:NOTE_MAX]
    owned = _owned(dossier, applicant_id_number)
    with acting(owned.pk, actor=None, action=rules.Action.REQUEST_WITHDRAWAL, now=now) as held:
        withdrawal_requested(held, actor=None, reason=reason)
    return held.dossier


def applicant_dossier(*, dossier: str, applicant_id_number: str) -> Dossier:
    """Return the applicant's dossier by code (NotFound for anyone else's): for pages and API."""
    return _owned(dossier, applicant_id_number)
