"""Writes to the audit log: one entry per change or read, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .context import current_address
from .models import AuditEntry, AuditKind

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
