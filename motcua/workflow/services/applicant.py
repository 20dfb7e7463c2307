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
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict, NotFound, PayloadTooLarge, ValidationFailed
from motcua.dossiers.files import TOO_MANY_FILES, CheckedFile, Upload, check_upload, files_stored
from motcua.dossiers.models import Dossier, DossierComponent, DossierFile

from .. import rules
from ..models import SupplementItem, SupplementRequest
from ._base import DOSSIER_NOT_FOUND, STALE, Held, acting, required_text
from .intake import APPLICANT_ONLINE_LABEL, supplement_received, withdrawal_requested

NOT_IN_REQUEST = _("This item is not part of the supplement request.")
ANSWER_EMPTY = _("Attach at least one file or write a note for the one-stop unit.")
ITEM_INPUT = "item-{}"  # the form's and the API's input of an item's files
NOTE_MAX = 2000
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
    request: SupplementRequest, files: Mapping[int, Sequence[Upload]]
) -> list[CheckedFile[SupplementItem]]:
    """Check every file against an item of ``request``; raise with every problem at once."""
    items = {item.pk: item for item in request.items.all()}
    max_files: int = settings.MOTCUA_MAX_FILES
    if sum(len(group) for group in files.values()) > max_files:
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
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)
    return checked


def supplement_answer_online(
    *,
    dossier: Dossier | int | str,
    applicant_id_number: str,
    files: Mapping[int, Sequence[Upload]],
    note: str = "",
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
    """
    owned = _owned(dossier, applicant_id_number)
    _check_state(owned, rules.Action.RECEIVE_SUPPLEMENT)
    request = open_supplement_request(owned)
    if request is None:  # the state says waiting, but no request is open: nothing to answer
        raise Conflict(rules.NOT_WAITING_FOR_SUPPLEMENT)
    note = note.strip()[:NOTE_MAX]
    checked = _checked_answer(request, files)
    if not checked and not note:
        raise ValidationFailed(ANSWER_EMPTY, field_errors={"note": [ANSWER_EMPTY]})
    with (
        files_stored(checked) as stored,
        acting(owned.pk, actor=None, action=rules.Action.RECEIVE_SUPPLEMENT, now=now) as held,
    ):
        if open_supplement_request(held.dossier.pk) != request:
            raise Conflict(STALE)  # answered or asked again since the files were checked
        _files_recorded(held, stored)
        supplement_received(held, actor=None, note=note, online=True)
    request.refresh_from_db()
    return request


def _files_recorded(held: Held, stored: Sequence[tuple[CheckedFile[SupplementItem], str]]) -> None:
    """Record stored answer files as new files of the dossier's components, one per item.

    An item naming a component of the procedure adds to the dossier's
    component of it; any other item to a component named after the item
    (created once).
    """
    if not stored:
        return
    dossier = held.dossier
    components = list(DossierComponent.objects.filter(dossier=dossier))
    by_catalog = {c.component_id: c for c in components if c.component_id is not None}
    by_name = {c.name: c for c in components}
    targets: dict[int, DossierComponent] = {}
    for one, _name in stored:
        item = one.owner
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
            component=targets[one.owner.pk],
            file=name,
            original_name=(one.upload.name or "")[:255],
            content_type=one.content_type,
            size=one.size,
            sha256=one.sha256,
            pages=one.pages,
        )
        for one, name in stored
    )


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
