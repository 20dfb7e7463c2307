"""Revoke or replace an issued electronic result (leaders of the deciding agency).

The old signed result stays on record, marked (``motcua.esign``); the
verification page says it was revoked or replaced, and by which result. The
timeline has an entry of its own kind (``RESULT_REVOKED``, ``RESULT_REPLACED``),
public, its note the codes and the reason, which the applicant reads.
Locks the dossier row (``select_for_update``) like every action.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from motcua.core.errors import NotFound, ValidationFailed
from motcua.dossiers.files import Upload, check_upload, files_stored
from motcua.dossiers.models import Dossier, DossierResult, DossierState, EventKind
from motcua.esign.pdf import pdf_check
from motcua.esign.services import result_replace, result_revoke, result_sign, signed_files
from motcua.staff.models import Role

from .. import rules
from ._base import Actor, acting, label, required_text, transition
from .processing import RESULT_FILE_REQUIRED, RESULT_NAME_REQUIRED

NO_SUCH_RESULT = _("This dossier has no result with this code.")
REPLACEMENT_NOT_PDF = _("The replacing result must be a PDF: it is signed by the agency.")


def _result(dossier: Dossier, code: str) -> DossierResult:
    found = DossierResult.objects.filter(dossier_id=dossier.pk, code=code.strip()).first()
    if found is None:
        raise NotFound(NO_SUCH_RESULT, field_errors={"result": [NO_SUCH_RESULT]})
    return found


def dossier_result_revoke(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    result: str,
    reason: str,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Revoke the signed electronic result coded ``result``, with the reason.

    Locks the dossier row (``select_for_update``) and the signed result's row.
    """
    reason = required_text(reason, "reason")
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.REVOKE_RESULT,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        found = _result(held.dossier, result)
        result_revoke(result=found, actor=actor, reason=reason, now=held.now)
        transition(
            held,
            to_state=DossierState(held.dossier.state),
            actor=actor,
            kind=EventKind.RESULT_REVOKED,
            note=f"{found.code}: {reason}",
            actor_label=label(Role.LEADER),
        )
    return held.dossier


def dossier_result_replace(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    result: str,
    name: str,
    upload: Upload | None,
    reason: str,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Replace the signed result coded ``result`` by a new one (a PDF), signed now.

    The new result gets the next code (``-KQ<n>``) and the deciding agency's
    signature; the old one is marked replaced by it. The uploaded and the
    signed files are deleted again if anything fails. Locks the dossier row
    (``select_for_update``) and the old signed result's row.
    """
    reason = required_text(reason, "reason")
    name = required_text(name, "name", RESULT_NAME_REQUIRED)
    if upload is None:
        raise ValidationFailed(RESULT_FILE_REQUIRED, field_errors={"file": [RESULT_FILE_REQUIRED]})
    errors: dict[str, list[Any]] = {}
    checked = check_upload(name, upload, "file", errors)
    if checked is None:
        raise ValidationFailed(errors["file"][0], field_errors=errors)
    if checked.content_type != "application/pdf":
        raise ValidationFailed(REPLACEMENT_NOT_PDF, field_errors={"file": [REPLACEMENT_NOT_PDF]})
    upload.seek(0)
    pdf_check(upload.read())
    upload.seek(0)
    with (
        files_stored([checked], folder="results") as stored,
        signed_files() as written,
        acting(
            dossier,
            actor=actor,
            action=rules.Action.REPLACE_RESULT,
            expected_revision=expected_revision,
            now=now,
        ) as held,
    ):
        locked = held.dossier
        old = _result(locked, result)
        number = DossierResult.objects.filter(dossier_id=locked.pk).count() + 1
        new = DossierResult.objects.create(
            dossier=locked,
            number=number,
            code=f"{locked.code}-KQ{number}",
            name=name,
            file=stored[0][1],
            original_name=(upload.name or "")[:255],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            is_electronic=True,
            recorded_by_id=actor.pk,
            recorded_at=held.now,
        )
        signed = result_sign(
            result=new,
            agency=locked.competent_agency,
            actor=actor,
            now=held.now,
            written=written,
        )
        result_replace(old=old, new=signed, actor=actor, reason=reason, now=held.now)
        transition(
            held,
            to_state=DossierState(locked.state),
            actor=actor,
            kind=EventKind.RESULT_REPLACED,
            note=f"{old.code} → {new.code}: {reason}",
            actor_label=label(Role.LEADER),
        )
    return held.dossier
