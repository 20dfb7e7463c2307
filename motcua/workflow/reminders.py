"""Warn before a step is due, escalate when it is overdue: the periodic job of the workflow.

``reminders_run(now=...)`` finds, with indexed queries on open steps:

- steps due within ``MOTCUA_WARN_BEFORE_WORKING_HOURS`` working hours: a
  warning to the assignee, or to every holder of the step's role in its
  agency while nobody holds it;
- steps past their due time: a notice to the assignee (or the role's
  holders) and an escalation to the leaders of the step's agency;
- online dossiers whose 8-working-hour answer time is near or past: a
  warning, then an escalation, to the receiving officers of the unit.

Paused dossiers (waiting for a supplement) are left alone: their clock is
stopped. Each notice has a key (what it is about) and a person gets a key
once, so running the job again, or in two processes at once, writes nothing
twice; the e-mails go out afterwards from the notices still pending, each
claimed by one worker. The working-time threshold is computed once per run,
and rows are read in batches of ``BATCH``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motcua.calendar import selectors as calendar
from motcua.core.names import person_name
from motcua.dossiers.models import Dossier, DossierState
from motcua.notifications.models import NotificationKind
from motcua.notifications.services import Notice, notices_create, notifications_email_all
from motcua.staff.models import Role, StaffRole

from .models import DossierStep, StepKind
from .selectors import RUNNING_STATES

BATCH = 500
T = TypeVar("T")


@dataclass(frozen=True)
class RunReport:
    """What one run did: notices written, by kind, and e-mails sent."""

    due_soon: int
    overdue: int
    emailed: int


def _batches(rows: Iterable[T]) -> Iterator[list[T]]:
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        yield batch


def _holders(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], list[int]]:
    """Return the active holders of each (agency, role), in one query."""
    if not pairs:
        return {}
    wanted = Q(pk__in=[])
    for agency_id, role in pairs:
        wanted |= Q(agency_id=agency_id, role=role)
    out: dict[tuple[int, str], list[int]] = defaultdict(list)
    for agency_id, role, user_id in (
        StaffRole.objects.filter(wanted, is_active=True, user__is_active=True)
        .order_by("user_id")
        .values_list("agency_id", "role", "user_id")
    ):
        out[(agency_id, role)].append(user_id)
    return out


def _local(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y") if moment else ""


def _step_texts(step: DossierStep, kind: NotificationKind) -> tuple[str, str, str]:
    """Return the subject, the body for those who hold the step, and the body for leaders."""
    values: dict[str, Any] = {
        "step": step.step.name,
        "code": step.dossier.code,
        "procedure": step.dossier.procedure.name,
        "due": _local(step.due_at),
    }
    if step.assignee is not None:
        values["holder"] = person_name(step.assignee)
        holder = _("It is assigned to %(holder)s.") % values
    else:
        holder = _("Nobody has taken it yet.")
    if kind == NotificationKind.DUE_SOON:
        subject = _("Dossier %(code)s: step due at %(due)s") % values
        body = _(
            "The step “%(step)s” of dossier %(code)s (%(procedure)s) is due at "
            "%(due)s. Finish it or hand it on before then."
        )
    else:
        subject = _("Dossier %(code)s: step overdue since %(due)s") % values
        body = _(
            "The step “%(step)s” of dossier %(code)s (%(procedure)s) was due at "
            "%(due)s and is not finished."
        )
    body %= values
    to_holders = body if step.assignee is not None else f"{body} {holder}"
    return subject, to_holders, f"{body} {holder}"


def _step_notices(steps: list[DossierStep], kind: NotificationKind) -> list[Notice]:
    pairs: set[tuple[int, str]] = set()
    for step in steps:
        if step.assignee_id is None:
            pairs.add((step.agency_id, step.role))
        if kind == NotificationKind.OVERDUE:
            pairs.add((step.agency_id, Role.LEADER))
    holders = _holders(pairs)
    notices = []
    for step in steps:
        subject, body, to_leaders = _step_texts(step, kind)
        people = {
            person: body
            for person in (
                [step.assignee_id] if step.assignee_id else holders[(step.agency_id, step.role)]
            )
        }
        if kind == NotificationKind.OVERDUE:
            for leader in holders[(step.agency_id, Role.LEADER)]:
                people.setdefault(leader, to_leaders)
        notices += [
            Notice(
                recipient_id=person,
                dossier_id=step.dossier_id,
                kind=kind,
                key=f"step:{step.pk}:{kind}",
                subject=subject,
                body=text,
            )
            for person, text in people.items()
        ]
    return notices


def _intake_notices(dossiers: list[Dossier], kind: NotificationKind) -> list[Notice]:
    holders = _holders({(d.receiving_unit_id, Role.RECEIVING_OFFICER) for d in dossiers})
    notices = []
    for dossier in dossiers:
        values = {
            "code": dossier.code,
            "procedure": dossier.procedure.name,
            "due": _local(dossier.intake_due_at),
        }
        if kind == NotificationKind.DUE_SOON:
            subject = _("Dossier %(code)s: answer the applicant by %(due)s") % values
            body = _(
                "Dossier %(code)s (%(procedure)s), submitted online, must be accepted, "
                "refused or sent back for a supplement by %(due)s."
            )
        else:
            subject = _("Dossier %(code)s: the answer is overdue since %(due)s") % values
            body = _(
                "Dossier %(code)s (%(procedure)s), submitted online, has had no answer since "
                "%(due)s."
            )
        notices += [
            Notice(
                recipient_id=person,
                dossier_id=dossier.pk,
                kind=kind,
                key=f"intake:{dossier.pk}:{kind}",
                subject=subject,
                body=body % values,
            )
            for person in holders[(dossier.receiving_unit_id, Role.RECEIVING_OFFICER)]
        ]
    return notices


def _windows(now: dt.datetime, soon: dt.datetime, field: str) -> dict[NotificationKind, Q]:
    """Return the filters of due soon (now to ``soon``) and overdue (before now) on ``field``."""
    return {
        NotificationKind.DUE_SOON: Q(**{f"{field}__gte": now, f"{field}__lte": soon}),
        NotificationKind.OVERDUE: Q(**{f"{field}__lt": now}),
    }


def reminders_run(*, now: dt.datetime | None = None) -> RunReport:
    """Write the due-soon warnings and overdue escalations, then send their e-mails.

    Safe to run in several processes at once: see the module's docstring.
    The notices are written in the site's language (``LANGUAGE_CODE``),
    whoever calls this.
    """
    now = now or timezone.now()
    # "Due soon" is one threshold for the whole run: due_at <= now + N working hours.
    hours = settings.MOTCUA_WARN_BEFORE_WORKING_HOURS
    soon = calendar.due_date(start=now, working_hours=hours).due_at
    # Served by the partial index on open steps' due_at (step_open_due).
    open_steps = (
        DossierStep.objects.filter(
            finished_at__isnull=True,
            due_at__isnull=False,
            dossier__state__in=RUNNING_STATES,
        )
        .exclude(step__kind=StepKind.RETURN)
        .select_related("step", "assignee", "dossier__procedure")
        .order_by("due_at", "id")
    )
    # Served by the partial index on online dossiers waiting for an answer.
    waiting = (
        Dossier.objects.filter(state=DossierState.SUBMITTED, intake_due_at__isnull=False)
        .select_related("procedure")
        .order_by("intake_due_at", "id")
    )
    counts = {NotificationKind.DUE_SOON: 0, NotificationKind.OVERDUE: 0}
    with translation.override(settings.LANGUAGE_CODE):
        for kind, window in _windows(now, soon, "due_at").items():
            for steps in _batches(open_steps.filter(window).iterator(chunk_size=BATCH)):
                created = notices_create(notices=_step_notices(steps, kind), now=now)
                counts[kind] += len(created)
        for kind, window in _windows(now, soon, "intake_due_at").items():
            for dossiers in _batches(waiting.filter(window).iterator(chunk_size=BATCH)):
                created = notices_create(notices=_intake_notices(dossiers, kind), now=now)
                counts[kind] += len(created)
    return RunReport(
        due_soon=counts[NotificationKind.DUE_SOON],
        overdue=counts[NotificationKind.OVERDUE],
        emailed=notifications_email_all(now=now),
    )
