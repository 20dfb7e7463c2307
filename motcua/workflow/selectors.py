"""Reads of the workflow: dossiers due soon and overdue, within the user's scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone

from motcua.dossiers.models import STATE_STATUS, Dossier, DossierState
from motcua.staff.selectors import AnyUser, dossier_scope

# States whose clock runs; a dossier waiting for a supplement has its clock stopped.
RUNNING_STATES = (DossierState.SUBMITTED, DossierState.ACCEPTED, DossierState.IN_PROCESS)
# Filter on the national status these states alone map to, so the
# (competent_agency, status, due_at) index serves the lists.
RUNNING_STATUSES = sorted({STATE_STATUS[s] for s in RUNNING_STATES})


def dossiers_due_soon(
    *, user: AnyUser, within: dt.timedelta, now: dt.datetime | None = None
) -> QuerySet[Dossier]:
    """Return the open dossiers ``user`` may see that fall due in the next ``within``.

    One query over the indexed ``due_at`` column, earliest first.
    """
    now = now or timezone.now()
    return (
        Dossier.objects.filter(dossier_scope(user=user))
        .filter(status__in=RUNNING_STATUSES, due_at__gte=now, due_at__lt=now + within)
        .order_by("due_at", "id")
    )


def dossiers_overdue(*, user: AnyUser, now: dt.datetime | None = None) -> QuerySet[Dossier]:
    """Return the open dossiers ``user`` may see whose due time has passed, oldest first."""
    now = now or timezone.now()
    return (
        Dossier.objects.filter(dossier_scope(user=user))
        .filter(status__in=RUNNING_STATUSES, due_at__lt=now)
        .order_by("due_at", "id")
    )
