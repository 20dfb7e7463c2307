"""Writes on process definitions: default templates, new versions, publishing.

A process version is edited only while no dossier has used it; to change a
process in use, revise it (a copy becomes the new draft) and publish the
copy. Dossiers keep the version they started with.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.catalog.models import Procedure
from motcua.core.errors import Conflict, ValidationFailed
from motcua.organisation.models import Agency
from motcua.staff.models import Role

from .models import (
    AgencySource,
    DossierStep,
    Process,
    ProcessStep,
    ProcessTransition,
    ProcessVersion,
    StepKind,
    TransitionKind,
)

NO_STEPS = _("A process needs an intake step, at least one processing step and a return step.")
SHARES_NOT_100 = _("The shares of the processing steps must add up to 100 %.")
NO_WAY_TO_RETURN = _("Every processing step must lead, going forward, to the return step.")
FIXED_NEEDS_AGENCY = _("A step in a named agency needs that agency.")
VERSION_IN_USE = _("This process version was published: revise it to change it.")
INTAKE_ROLE = _("The intake and return steps are done by a receiving officer.")


@dataclass(frozen=True)
class StepSpec:
    """A step of a process to create: its name, kind, role, agency and share of the time."""

    name: str
    kind: StepKind
    role: Role
    agency_source: AgencySource = AgencySource.COMPETENT_AGENCY
    agency: Agency | None = None
    share: Decimal = Decimal(0)


def default_steps(*, partner: Agency | None = None) -> list[StepSpec]:
    """Return the default template: intake -> specialist -> leader -> return.

    With a ``partner`` agency (an inter-agency, "liên thông" procedure), the
    partner's specialist and leader come between the competent agency's
    specialist and leader, and the dossier comes back for the final decision.
    """
    intake = StepSpec(
        "Tiếp nhận hồ sơ", StepKind.INTAKE, Role.RECEIVING_OFFICER, AgencySource.RECEIVING_UNIT
    )
    done = StepSpec(
        "Trả kết quả", StepKind.RETURN, Role.RECEIVING_OFFICER, AgencySource.RECEIVING_UNIT
    )
    if partner is None:
        return [
            intake,
            StepSpec("Thẩm định hồ sơ", StepKind.PROCESS, Role.SPECIALIST, share=Decimal(70)),
            StepSpec("Phê duyệt kết quả", StepKind.PROCESS, Role.LEADER, share=Decimal(30)),
            done,
        ]
    fixed = AgencySource.FIXED
    return [
        intake,
        StepSpec("Thẩm định hồ sơ", StepKind.PROCESS, Role.SPECIALIST, share=Decimal(35)),
        StepSpec(
            "Xử lý liên thông", StepKind.PROCESS, Role.SPECIALIST, fixed, partner, Decimal(30)
        ),
        StepSpec(
            "Phê duyệt liên thông", StepKind.PROCESS, Role.LEADER, fixed, partner, Decimal(10)
        ),
        StepSpec("Phê duyệt kết quả", StepKind.PROCESS, Role.LEADER, share=Decimal(25)),
        done,
    ]


def check_steps(steps: Sequence[StepSpec]) -> None:
    """Raise ValidationFailed unless ``steps`` make a process that can run.

    Exactly one intake step first, one return step last, processing steps in
    between whose shares add up to 100, receiving officers at both ends.
    """
    kinds = [s.kind for s in steps]
    if (
        len(steps) < 3
        or kinds[0] != StepKind.INTAKE
        or kinds[-1] != StepKind.RETURN
        or any(k != StepKind.PROCESS for k in kinds[1:-1])
    ):
        raise ValidationFailed(NO_STEPS)
    if any(s.role != Role.RECEIVING_OFFICER for s in (steps[0], steps[-1])):
        raise ValidationFailed(INTAKE_ROLE)
    if sum((s.share for s in steps[1:-1]), Decimal(0)) != Decimal(100):
        raise ValidationFailed(SHARES_NOT_100)
    if any(s.agency_source == AgencySource.FIXED and s.agency is None for s in steps):
        raise ValidationFailed(FIXED_NEEDS_AGENCY)


@transaction.atomic
def process_version_create(
    *,
    procedure: Procedure,
    steps: Sequence[StepSpec],
    note: str = "",
    publish: bool = True,
    actor: Any = None,
) -> ProcessVersion:
    """Create a new version of ``procedure``'s process from ``steps``, linear both ways.

    Each step leads forward to the next and, between processing steps, back
    to the previous one (a leader returns the dossier for rework; a partner
    agency returns it to the agency that sent it). Locks the process row
    (``select_for_update``) so two versions never get one number.
    """
    check_steps(steps)
    process = _process_locked(procedure)
    number = (
        process.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    version = ProcessVersion.objects.create(process=process, number=number, note=note)
    rows = ProcessStep.objects.bulk_create(
        ProcessStep(
            version=version,
            order=index,
            name=spec.name,
            kind=spec.kind,
            role=spec.role,
            agency_source=spec.agency_source,
            agency=spec.agency,
            share=spec.share,
        )
        for index, spec in enumerate(steps, start=1)
    )
    moves = [
        ProcessTransition(version=version, source=a, target=b, kind=TransitionKind.FORWARD)
        for a, b in itertools.pairwise(rows)
    ]
    moves += [
        ProcessTransition(version=version, source=b, target=a, kind=TransitionKind.BACK)
        for a, b in itertools.pairwise(rows[1:-1])
    ]
    ProcessTransition.objects.bulk_create(moves)
    if publish:
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
        process.current_version = version
        process.save(update_fields=["current_version"])
    audit_record(
        action="process_version.create",
        target=version,
        actor=actor,
        after={"published": publish, **version_snapshot(version)},
    )
    return version


def _process_locked(procedure: Procedure) -> Process:
    # Insert-or-ignore first, so two first uses of a procedure cannot both create its process.
    Process.objects.bulk_create([Process(procedure=procedure)], ignore_conflicts=True)
    return Process.objects.select_for_update().get(procedure=procedure)


def process_version_for(
    *, procedure: Procedure | None = None, procedure_id: int | None = None
) -> ProcessVersion:
    """Return the current process version of a procedure, creating the default if none.

    Locks the process row (``select_for_update``) only when it has to create
    the default, so two dossiers of a new procedure get the same version.
    """
    pk = procedure.pk if procedure is not None else procedure_id
    if pk is None:
        raise ValueError("Give the procedure or its id.")
    current = ProcessVersion.objects.filter(
        process__procedure_id=pk, pk=F("process__current_version")
    ).first()
    if current is not None:
        return current
    procedure = procedure or Procedure.objects.get(pk=pk)
    with transaction.atomic():
        process = _process_locked(procedure)
        if process.current_version_id is not None:
            return ProcessVersion.objects.get(pk=process.current_version_id)
    return process_version_create(procedure=procedure, steps=default_steps())


def process_version_in_use(version: ProcessVersion) -> bool:
    """Tell whether a dossier went through a step of ``version`` (it is then frozen)."""
    return DossierStep.objects.filter(step__version=version).exists()


@transaction.atomic
def process_version_publish(*, version: ProcessVersion, actor: Any = None) -> ProcessVersion:
    """Make ``version`` its process's current version, after checking it can run.

    Locks the process row (``select_for_update``).
    """
    steps = list(version.steps.order_by("order"))
    check_steps(
        [
            StepSpec(
                s.name,
                StepKind(s.kind),
                Role(s.role),
                AgencySource(s.agency_source),
                s.agency,
                s.share,
            )
            for s in steps
        ]
    )
    _check_reaches_return(version, steps)
    process = Process.objects.select_for_update().get(pk=version.process_id)
    before = process.current_version_id
    if version.published_at is None:
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
    process.current_version = version
    process.save(update_fields=["current_version"])
    audit_record(
        action="process_version.publish",
        target=version,
        actor=actor,
        before={"current_version": before},
        after={"current_version": version.pk},
    )
    return version


def _check_reaches_return(version: ProcessVersion, steps: list[ProcessStep]) -> None:
    forward: dict[int, set[int]] = {}
    for source_id, target_id in version.transitions.filter(kind=TransitionKind.FORWARD).values_list(
        "source_id", "target_id"
    ):
        forward.setdefault(source_id, set()).add(target_id)
    end = steps[-1].pk
    reach = {end}
    changed = True
    while changed:
        changed = False
        for source_id, targets in forward.items():
            if source_id not in reach and targets & reach:
                reach.add(source_id)
                changed = True
    if any(s.pk not in reach for s in steps[:-1]):
        raise ValidationFailed(NO_WAY_TO_RETURN)


@transaction.atomic
def process_version_revise(*, version: ProcessVersion, actor: Any = None) -> ProcessVersion:
    """Copy ``version`` into a new, unpublished version that can be edited.

    Locks the process row (``select_for_update``).
    """
    process = Process.objects.select_for_update().get(pk=version.process_id)
    number = (
        process.versions.order_by("-number").values_list("number", flat=True).first() or 0
    ) + 1
    copy = ProcessVersion.objects.create(process=process, number=number, note=version.note)
    old_steps = list(version.steps.order_by("order"))
    new_steps = ProcessStep.objects.bulk_create(
        ProcessStep(
            version=copy,
            order=s.order,
            name=s.name,
            kind=s.kind,
            role=s.role,
            agency_source=s.agency_source,
            agency_id=s.agency_id,
            share=s.share,
        )
        for s in old_steps
    )
    mapping = {old.pk: new for old, new in zip(old_steps, new_steps, strict=True)}
    ProcessTransition.objects.bulk_create(
        ProcessTransition(
            version=copy, source=mapping[t.source_id], target=mapping[t.target_id], kind=t.kind
        )
        for t in version.transitions.all()
    )
    audit_record(
        action="process_version.revise",
        target=copy,
        actor=actor,
        after={"copy_of": version.pk, **version_snapshot(copy)},
    )
    return copy


def process_version_check_editable(version: ProcessVersion) -> None:
    """Raise Conflict unless ``version`` is a draft: never published (dossiers may follow a
    published one, and edits would rewrite their history)."""
    if version.published_at is not None or process_version_in_use(version):
        raise Conflict(VERSION_IN_USE)


def version_snapshot(version: ProcessVersion) -> dict[str, Any]:
    """Return a version's note, steps and moves as the audit log keeps them."""
    return {
        "note": version.note,
        "steps": [
            snapshot(step, STEP_FIELDS)
            for step in ProcessStep.objects.filter(version=version).order_by("order", "id")
        ],
        "transitions": [
            snapshot(move, TRANSITION_FIELDS)
            for move in ProcessTransition.objects.filter(version=version).order_by("id")
        ],
    }


STEP_FIELDS = ("id", "order", "name", "kind", "role", "agency_source", "agency", "share")
TRANSITION_FIELDS = ("id", "source", "target", "kind")
NOT_OF_VERSION = _("These rows belong to another process version.")


def _draft_locked(version: ProcessVersion) -> ProcessVersion:
    locked = ProcessVersion.objects.select_for_update().get(pk=version.pk)
    process_version_check_editable(locked)
    if Process.objects.filter(current_version=locked).exists():
        raise Conflict(VERSION_IN_USE)
    return locked


@transaction.atomic
def process_draft_edit(
    *,
    version: ProcessVersion,
    actor: Any,
    note: str | None = None,
    save: Sequence[ProcessStep | ProcessTransition] = (),
    delete: Sequence[ProcessStep | ProcessTransition] = (),
) -> ProcessVersion:
    """Change a draft process version: its note, steps and moves saved or deleted.

    Locks the version row (``select_for_update``) and refuses (``Conflict``)
    a version that was published; every row must be the version's own. One
    audit entry holds the version's steps and moves before and after.
    Publishing (``process_version_publish``) checks the result can run.
    """
    locked = _draft_locked(version)
    if any(row.version_id != locked.pk for row in (*save, *delete)):
        raise ValidationFailed(NOT_OF_VERSION)
    before = version_snapshot(locked)
    for row in delete:
        if row.pk is not None:
            row.delete()
    for row in save:
        row.save()
    if note is not None and note != locked.note:
        locked.note = note
        locked.save(update_fields=["note"])
        version.note = note
    after = version_snapshot(locked)
    if after != before:
        audit_record(
            action="process_version.edit", target=locked, actor=actor, before=before, after=after
        )
    return locked
