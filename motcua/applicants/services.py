"""Writes on applicants: sign-in from an identity, drafts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.files import Upload, check_component_files
from motcua.dossiers.models import Channel
from motcua.dossiers.uploads import pending_uploads_store, pending_uploads_usable

from .claims import Identity
from .models import Applicant, Draft

USERNAME_PREFIX = "vneid:"
IDENTITY_FIELDS = ("id_number", "kind", "name", "birthdate", "phone", "email", "tax_code", "loa")
# Inputs of the submission form a draft keeps (files are kept apart, as tokens).
_DRAFT_SKIP = ("csrfmiddlewaretoken", "idempotency_key", "save_draft")


def applicant_sign_in(*, identity: Identity, now: dt.datetime | None = None) -> Applicant:
    """Return the applicant of ``identity``, created on its first sign-in, updated after.

    The applicant is found by the provider's subject; what the identity says
    now (name, number, contacts, level) replaces what it said before. Its
    user has no usable password and no staff flag: it signs in only through
    the identity provider. Locks the applicant's row (``select_for_update``)
    so two sign-ins at once update it in turn.
    """
    now = now or timezone.now()
    values = {name: getattr(identity, name) for name in IDENTITY_FIELDS}
    with transaction.atomic():
        applicant = (
            Applicant.objects.select_for_update()
            .select_related("user")
            .filter(subject=identity.subject)
            .first()
        )
        if applicant is None:
            user = get_user_model().objects.create_user(
                username=f"{USERNAME_PREFIX}{identity.subject}"[:150]
            )
            applicant = Applicant.objects.create(
                user=user, subject=identity.subject, signed_in_at=now, **values
            )
        else:
            for name, value in values.items():
                setattr(applicant, name, value)
            applicant.signed_in_at = now
            applicant.save(update_fields=[*values, "signed_in_at"])
    return applicant


def draft_save(
    *,
    applicant: Applicant,
    procedure: Procedure,
    data: Mapping[str, Any],
    files: Mapping[str, Sequence[Upload]],
    kept: Mapping[str, Sequence[str]],
    now: dt.datetime | None = None,
) -> Draft:
    """Save the applicant's submission form for ``procedure`` to finish later.

    The answers are kept as typed (nothing is validated: a draft may be
    incomplete); each new file that passes its checks is kept as a kept upload
    of the applicant (``PendingUpload``, online channel) and a file that does
    not is left out; kept files already listed stay if still usable. One
    draft per applicant and procedure: saving again replaces it.
    """
    now = now or timezone.now()
    version = procedure.current_version
    assert version is not None  # noqa: S101 - only published procedures are submitted
    user_id = applicant.user_id
    reused = pending_uploads_usable(
        version=version, tokens=kept, channel=Channel.ONLINE, kept_by_id=user_id, now=now
    )
    errors: dict[str, list[Any]] = {}
    checked = check_component_files(version, files, errors, require_all=False)
    stored = pending_uploads_store(
        checked=[c for c in checked if f"component-{c.owner.pk}" not in errors],
        channel=Channel.ONLINE,
        kept_by_id=user_id,
        now=now,
    )
    tokens: dict[str, list[str]] = {
        key: [row.token for row in rows] for key, rows in reused.items()
    }
    for row in stored:
        tokens.setdefault(f"component-{row.component_id}", []).append(row.token)
    answers = {
        name: _value(data, name)
        for name in data
        if name not in _DRAFT_SKIP and not name.startswith("component-")
    }
    with transaction.atomic():
        draft, _created = Draft.objects.update_or_create(
            applicant=applicant,
            procedure=procedure,
            defaults={"data": answers, "kept": tokens, "updated_at": now},
        )
    return draft


def _value(data: Mapping[str, Any], name: str) -> Any:
    getlist = getattr(data, "getlist", None)
    values = getlist(name) if getlist is not None else [data[name]]
    values = [str(v)[:2000] for v in values]
    return values if len(values) > 1 else (values[0] if values else "")


def draft_discard(*, applicant: Applicant, procedure_id: int) -> int:
    """Delete the applicant's draft for a procedure (its kept files expire on their own)."""
    deleted, _rows = Draft.objects.filter(applicant=applicant, procedure_id=procedure_id).delete()
    return deleted
