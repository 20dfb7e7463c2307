"""Writes to the audit log: one entry per change (in the caller's transaction) or read, and the
retention purge."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from .context import current_address
from .models import AuditChannel, AuditEntry, AuditKind, ReadAction

NOT_IN_TRANSACTION = "audit_record must run in the transaction of the change it records"


def _json(value: Any) -> Any:
    """Return ``value`` as JSON can hold it (dates as ISO text, decimals as text, models as pk)."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json(v) for v in value]
    if isinstance(value, bool | int | float | str) or value is None:
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Return the values of ``fields`` of ``instance`` as JSON (foreign keys as their ids)."""
    out: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        out[name] = _json(getattr(instance, attname))
    return out


def changed(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> bool:
    """Tell whether two snapshots differ."""
    return dict(before or {}) != dict(after or {})


def audit_record(
    *,
    action: str,
    target: models.Model | tuple[str, str, str],
    actor: Any = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    note: str = "",
    kind: str = AuditKind.CHANGE,
    at: dt.datetime | None = None,
) -> AuditEntry:
    """Write one audit entry for ``action`` on ``target`` by ``actor``, in the current transaction.

    ``target`` is a model instance or ``(object_type, object_id, text)``.
    ``before``/``after`` are JSON-ready snapshots (``snapshot``). The client
    address comes from the request being served (``AuditContextMiddleware``).
    Raises RuntimeError outside a transaction: an entry must commit or roll
    back with its change.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(NOT_IN_TRANSACTION)
    if isinstance(target, models.Model):
        object_type = target._meta.label_lower
        object_id = "" if target.pk is None else str(target.pk)
        text = str(target)
    else:
        object_type, object_id, text = target
    user = actor if actor is not None and getattr(actor, "pk", None) is not None else None
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        kind=kind,
        action=action,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        address=current_address(),
        object_type=object_type,
        object_id=object_id[:64],
        object_repr=text[:255],
        before=_json(before) if before is not None else None,
        after=_json(after) if after is not None else None,
        note=note,
    )


DOSSIER_TYPE = "dossiers.dossier"


def audit_read(
    *,
    action: ReadAction,
    target: tuple[str, int | str, str],
    actor: Any,
    channel: AuditChannel,
    note: str = "",
) -> AuditEntry:
    """Write one entry of kind ``read``: who read what, when, from where, through which channel.

    One INSERT and no other query: ``target`` is ``(object_type, object_id,
    text)`` from what the view already holds (for a dossier's documents: the
    dossier's id and code, the document in ``note``). The caller writes it
    once the read succeeded, so a refused read leaves nothing. Outside a
    transaction it commits on its own (there is no change to go with); a
    failure to write it fails the request: a read that cannot be traced is
    not served.
    """
    object_type, object_id, text = target
    user = actor if actor is not None and getattr(actor, "pk", None) is not None else None
    return AuditEntry.objects.create(
        at=timezone.now(),
        kind=AuditKind.READ,
        action=action,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        address=current_address(),
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=text[:255],
        note=note,
        channel=channel,
    )


def audit_dossier_read(
    *,
    action: ReadAction,
    dossier_id: int,
    code: str,
    actor: Any,
    channel: AuditChannel,
    note: str = "",
) -> AuditEntry:
    """Write the read of a dossier or of one of its documents (which one in ``note``).

    Every read of a dossier is about the dossier (object ``dossiers.dossier``
    and its id), so "who read this dossier" is one lookup on the object index.
    """
    return audit_read(
        action=action,
        target=(DOSSIER_TYPE, dossier_id, code),
        actor=actor,
        channel=channel,
        note=note,
    )


def audit_dossiers_read(
    *,
    action: ReadAction,
    dossiers: Iterable[tuple[int, str]],
    actor: Any,
    channel: AuditChannel,
    note: str = "",
) -> list[AuditEntry]:
    """Write the read of several dossiers at once (a list showing them), one entry each, in
    one INSERT: ``dossiers`` are ``(id, code)`` pairs."""
    user = actor if actor is not None and getattr(actor, "pk", None) is not None else None
    at, address = timezone.now(), current_address()
    return AuditEntry.objects.bulk_create(
        AuditEntry(
            at=at,
            kind=AuditKind.READ,
            action=action,
            actor=user,
            actor_name=user.get_username() if user is not None else "",
            address=address,
            object_type=DOSSIER_TYPE,
            object_id=str(pk),
            object_repr=code[:255],
            note=note,
            channel=channel,
        )
        for pk, code in dossiers
    )


@dataclass(frozen=True)
class PurgeReport:
    """What one purge deleted: how many entries of which kinds, older than when."""

    kinds: tuple[str, ...]
    before: dt.datetime
    deleted: int


PURGE_ACTION = "audit.purge"


def audit_purge(*, now: dt.datetime | None = None) -> list[PurgeReport]:
    """Delete the entries older than the province keeps them, and record each purge.

    Reads go after ``MOTCUA_AUDIT_READ_RETENTION_DAYS``; changes and sign-ins
    only when ``MOTCUA_AUDIT_CHANGE_RETENTION_DAYS`` is set (0: kept for
    ever). Each purge that deleted something writes an entry (how many, up
    to which time) in the transaction of its delete; that entry is a change,
    kept as long as changes are.
    """
    now = now or timezone.now()
    plans = [
        ((AuditKind.READ.value,), settings.MOTCUA_AUDIT_READ_RETENTION_DAYS),
        (
            (AuditKind.CHANGE.value, AuditKind.ACCESS.value),
            settings.MOTCUA_AUDIT_CHANGE_RETENTION_DAYS,
        ),
    ]
    reports = []
    for kinds, days in plans:
        if days <= 0:
            continue
        before = now - dt.timedelta(days=days)
        with transaction.atomic():
            deleted = AuditEntry.objects.purge_older(kinds=kinds, before=before)
            if deleted:
                audit_record(
                    action=PURGE_ACTION,
                    target=("audit.auditentry", "", "audit log"),
                    after={
                        "kinds": list(kinds),
                        "before": before,
                        "deleted": deleted,
                        "days": days,
                    },
                    at=now,
                )
        reports.append(PurgeReport(kinds=kinds, before=before, deleted=deleted))
    return reports


def _fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name != "id"]


def audited_save(*, instance: models.Model, actor: Any) -> models.Model:
    """Save an administrator's configuration row with its audit entry (before and after).

    For rows that are plain settings (message templates, rating criteria):
    rows with rules of their own go through their app's services.
    """
    model = type(instance)
    fields = _fields(model)
    with transaction.atomic():
        old = model._default_manager.filter(pk=instance.pk).first() if instance.pk else None
        before = snapshot(old, fields) if old is not None else None
        instance.save()
        after = snapshot(instance, fields)
        if changed(before, after):
            audit_record(
                action=f"{model._meta.label_lower}.save",
                target=instance,
                actor=actor,
                before=before,
                after=after,
            )
    return instance


def audited_delete(*, instance: models.Model, actor: Any) -> None:
    """Delete an administrator's configuration row with its audit entry (what it was)."""
    with transaction.atomic():
        audit_record(
            action=f"{instance._meta.label_lower}.delete",
            target=instance,
            actor=actor,
            before=snapshot(instance, _fields(type(instance))),
        )
        instance.delete()
