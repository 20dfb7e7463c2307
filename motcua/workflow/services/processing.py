"""Processing: assignment, forwarding (and inter-agency transfer), rework, result, decisions.

Every action locks the dossier row (``select_for_update``), checks the
workflow rules, and changes state with its timeline entry in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from motcua.calendar import selectors as calendar
from motcua.catalog.selectors import version_case
from motcua.core.errors import Conflict, DomainError, ValidationFailed
from motcua.dossiers.files import Upload, check_upload, files_stored
from motcua.dossiers.models import (
    Delivery,
    Dossier,
    DossierResult,
    DossierState,
    EventKind,
    OfficialKind,
)
from motcua.dossiers.services import dossier_due_at, official_number_issue
from motcua.esign.pdf import pdf_check
from motcua.esign.selectors import signed_valid_exists
from motcua.esign.services import dossier_results_sign, signed_files
from motcua.staff.models import Role
from motcua.staff.selectors import user_agency_roles

from .. import rules, timing
from ..models import DossierStep, StepKind, SupplementPhase, SupplementRequest, TransitionKind
from ..selectors import role_holders
from ..structure import StepDef, version_structure
from ._base import (
    DOSSIER_NOT_FOUND,
    Actor,
    Held,
    _visible_to,
    acting,
    check_assignee,
    close_step,
    finish_dossier,
    hold,
    label,
    open_step,
    required_text,
    step_agency_id,
    targets,
    transition,
)
from .payment import fees_request

CHOOSE_NEXT_STEP = _("Choose the step to send the dossier to.")
RESULT_REQUIRED = _("Record the result document before finishing the processing.")
RESULT_NAME_REQUIRED = _("Give the name of the result document.")
RESULT_FILE_REQUIRED = _("Attach the result document.")
EXTENSION_ONCE = _("The due date has already been extended once; it cannot be extended again.")
EXTENSION_TOO_LATE = _("An extension must be asked at least one working day before the due date.")
EXTENSION_NOT_LATER = _("The new date must come after the current due date.")
RECIPIENT_REQUIRED = _("Say to whom the result was returned.")
ELECTRONIC_RESULT_NOT_PDF = _(
    "An electronic result must be a PDF: it is signed by the agency at the approval. Convert "
    'the document to PDF, or record it as a paper result (untick "Electronic result").'
)
NO_ELECTRONIC_RESULT = _(
    "This dossier has no valid signed electronic result: return it at the counter or by post."
)
RETURN_WAY_UNKNOWN = _("Choose how the result was returned: at the counter or online.")
BY_POST_ON_DELIVERY = _(
    "A result sent by post is returned when the post confirms its delivery: send it from "
    "the postal service's dispatch page."
)
ONLINE = _("Online: the applicant downloads the signed electronic result")
CASE_UNCHANGED = _("The dossier already follows this case.")
CASE_DUE_PAST = _(
    "With this case the due date would already be past: choose it only if the law gives it "
    "to this dossier, and extend the due date with an apology instead."
)


def _open_process_step(held: Held) -> DossierStep:
    step = held.step
    assert step is not None  # noqa: S101 - rules.check refused a dossier at no processing step
    return step


def dossier_assign(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    assignee: Actor,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Assign (or reassign) the dossier's open processing step to ``assignee``.

    By a leader of the step's agency, to anyone holding the step's role
    there. The dossier is then in process (national status 4). Locks the
    dossier row (``select_for_update``).
    """
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.ASSIGN,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        _give(held, actor, assignee, Role.LEADER)
    return held.dossier


def dossier_claim(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Take the dossier's open, unassigned processing step for oneself.

    By a holder of the step's role in its agency. Locks the dossier row
    (``select_for_update``): of two specialists taking it at once, one gets it.
    """
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.CLAIM,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        _give(held, actor, actor, _open_process_step(held).role)
    return held.dossier


def _give(held: Held, actor: Actor, assignee: Actor, acting_as: str) -> None:
    step = _open_process_step(held)
    if assignee.pk != actor.pk:  # taking it oneself: the rules checked the role already
        check_assignee(step.role, step.agency_id, assignee)
    step.assignee_id = assignee.pk
    step.assigned_at = held.now
    step.save(update_fields=["assignee", "assigned_at"])
    transition(
        held,
        to_state=DossierState.IN_PROCESS,
        actor=actor,
        kind=EventKind.ASSIGNED,
        note=assignee.get_username(),
        actor_label=label(acting_as),
        is_public=False,
    )


@dataclass(frozen=True)
class BulkOutcome:
    """What a bulk action did: the codes it changed and why each other one was refused."""

    done: list[str]
    refused: dict[str, str]


def dossiers_assign(
    *, codes: Sequence[str], actor: Actor, assignee: Actor, now: dt.datetime | None = None
) -> BulkOutcome:
    """Assign several dossiers to ``assignee``, each in its own transaction.

    A dossier that cannot be assigned (someone acted on it meanwhile, not in
    process) is reported with the reason; the others are assigned. A code of a
    dossier ``actor`` may not see gets the answer of a code that does not exist:
    the codes are looked up among the dossiers they may see only, so nothing of
    other agencies' dossiers is read, told or locked (each assignment locks its
    dossier with ``select_for_update`` through ``dossier_assign``).
    """
    visible = Dossier.objects.filter(_visible_to(user_agency_roles(user=actor)))
    # A code holding a NUL is no dossier's (and PostgreSQL refuses it in a query).
    wanted = [code for code in codes if "\x00" not in code]
    ids = dict(visible.filter(code__in=wanted).values_list("code", "pk"))
    done: list[str] = []
    refused: dict[str, str] = {}
    for code in dict.fromkeys(codes):
        if code not in ids:
            refused[code] = str(DOSSIER_NOT_FOUND)
            continue
        try:
            dossier_assign(dossier=ids[code], actor=actor, assignee=assignee, now=now)
        except DomainError as exc:
            refused[code] = str(exc.message)
        else:
            done.append(code)
    return BulkOutcome(done, refused)


def _pick(choices: list[StepDef], to_step: int | None) -> StepDef:
    if to_step is not None:
        for choice in choices:
            if choice.id == to_step:
                return choice
        raise ValidationFailed(
            rules.NOT_A_NEXT_STEP, field_errors={"to_step": [rules.NOT_A_NEXT_STEP]}
        )
    if len(choices) == 1:
        return choices[0]
    if not choices:
        raise Conflict(rules.NOT_A_NEXT_STEP)
    raise ValidationFailed(CHOOSE_NEXT_STEP, field_errors={"to_step": [CHOOSE_NEXT_STEP]})


def dossier_forward(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    to_step: int | None = None,
    assignee: Actor | None = None,
    note: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Finish the open step and hand the dossier to the next one (``to_step`` if several).

    A step in another agency is an inter-agency transfer, and so is the way
    back. The return step is reached by ``dossier_mark_processed``. Locks
    the dossier row (``select_for_update``).
    """
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.FORWARD,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        step = _open_process_step(held)
        choices = [t for t in targets(step, TransitionKind.FORWARD) if t.kind != StepKind.RETURN]
        target = _pick(choices, to_step)
        _move(held, actor, step, target, assignee=assignee, note=note.strip(), back=False)
    return held.dossier


def dossier_mark_processed(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    note: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Approve the result at the last processing step: the dossier is processed (status 9).

    Hands the dossier to the return step of the unit that received it; the
    result document must be recorded first. Each electronic result is signed
    by the step's agency here (``motcua.esign``), in the same transaction: a
    signature that fails refuses the approval and leaves nothing behind. This
    ends the processing for the on-time verdict. Locks the dossier row
    (``select_for_update``).
    """
    with (
        signed_files() as written,
        acting(
            dossier,
            actor=actor,
            action=rules.Action.MARK_PROCESSED,
            expected_revision=expected_revision,
            now=now,
        ) as held,
    ):
        step = _open_process_step(held)
        end = [t for t in targets(step, TransitionKind.FORWARD) if t.kind == StepKind.RETURN]
        if not DossierResult.objects.filter(dossier_id=held.dossier.pk).exists():
            raise Conflict(RESULT_REQUIRED)
        # The approval signs the electronic results, all or none (the files go on failure).
        dossier_results_sign(
            dossier=held.dossier, agency=step.agency, actor=actor, now=held.now, written=written
        )
        close_step(held, actor, note=note.strip())
        open_step(held, end[0], actor=actor)
        finish_dossier(held)
        transition(
            held,
            to_state=DossierState.PROCESSED,
            actor=actor,
            kind=EventKind.PROCESSED,
            note=note.strip(),
            actor_label=label(step.role),
        )
        fees_request(held, actor=actor, automatic=True)  # the "after" fees: the result waits
    return held.dossier


def dossier_send_back(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    reason: str,
    to_step: int | None = None,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Return the dossier to an earlier step for rework, with the reason.

    The earlier step's last assignee gets it back. Locks the dossier row
    (``select_for_update``).
    """
    reason = required_text(reason, "reason")
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.SEND_BACK,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        step = _open_process_step(held)
        target = _pick(targets(step, TransitionKind.BACK), to_step)
        previous = (
            DossierStep.objects.filter(dossier_id=held.dossier.pk, step_id=target.id)
            .exclude(assignee=None)
            .order_by("-started_at", "-id")
            .values_list("assignee_id", flat=True)
            .first()
        )
        # Back to whoever did the step before, if they still hold its role there.
        assignee = None
        if previous is not None:
            assignee = (
                role_holders(role=target.role, agency_id=step_agency_id(target, held.dossier))
                .filter(pk=previous)
                .first()
            )
        _move(held, actor, step, target, assignee=assignee, note=reason, back=True)
    return held.dossier


def _move(
    held: Held,
    actor: Actor,
    step: DossierStep,
    target: StepDef,
    *,
    assignee: Actor | None,
    note: str,
    back: bool,
) -> None:
    from_agency = step.agency_id
    close_step(held, actor, note=note)
    opened = open_step(held, target, actor=actor, assignee=assignee)
    if opened.agency_id != from_agency:
        kind = EventKind.TRANSFERRED
    else:
        kind = EventKind.RETURNED if back else EventKind.FORWARDED
    transition(
        held,
        to_state=DossierState.IN_PROCESS,
        actor=actor,
        kind=kind,
        note=note,
        actor_label=label(step.role),
    )


def dossier_result_record(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    name: str,
    upload: Upload | None,
    is_electronic: bool = True,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> DossierResult:
    """Record a result document of the dossier, coded ``<dossier code>-KQ<n>``.

    By whoever may act on the open processing step. The file is checked by
    content before anything is written and deleted again if recording fails.
    Locks the dossier row (``select_for_update``).
    """
    name = required_text(name, "name", RESULT_NAME_REQUIRED)
    if upload is None:
        raise ValidationFailed(RESULT_FILE_REQUIRED, field_errors={"file": [RESULT_FILE_REQUIRED]})
    errors: dict[str, list[Any]] = {}
    checked = check_upload(name, upload, "file", errors)
    if checked is None:
        raise ValidationFailed(errors["file"][0], field_errors=errors)
    if is_electronic:
        if checked.content_type != "application/pdf":
            raise ValidationFailed(
                ELECTRONIC_RESULT_NOT_PDF, field_errors={"file": [ELECTRONIC_RESULT_NOT_PDF]}
            )
        upload.seek(0)
        pdf_check(upload.read())  # it must open for signing: encrypted or broken is refused now
        upload.seek(0)
    with (
        files_stored([checked], folder="results") as stored,
        acting(
            dossier,
            actor=actor,
            action=rules.Action.RECORD_RESULT,
            expected_revision=expected_revision,
            now=now,
        ) as held,
    ):
        locked = held.dossier
        number = DossierResult.objects.filter(dossier_id=locked.pk).count() + 1
        result = DossierResult.objects.create(
            dossier=locked,
            number=number,
            code=f"{locked.code}-KQ{number}",
            name=name,
            file=stored[0][1],
            original_name=(upload.name or "")[:255],
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            is_electronic=is_electronic,
            recorded_by_id=actor.pk,
            recorded_at=held.now,
        )
        transition(
            held,
            to_state=DossierState.IN_PROCESS,
            actor=actor,
            kind=EventKind.RESULT_RECORDED,
            note=f"{result.code} {name}",
            is_public=False,
        )
    return result


def dossier_extend(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    reason: str,
    new_due_at: dt.datetime,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Extend the due date with an apology to the applicant (form 04).

    Allowed once per dossier, and only until one working day before the due
    date. Locks the dossier row (``select_for_update``).
    """
    reason = required_text(reason, "reason")
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.EXTEND,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        locked = held.dossier
        if locked.original_due_at is not None:
            raise Conflict(EXTENSION_ONCE)
        if calendar.due_date(start=held.now, working_days=1).due_at > locked.due_at:
            raise Conflict(EXTENSION_TOO_LATE)
        if new_due_at <= locked.due_at:
            raise ValidationFailed(
                EXTENSION_NOT_LATER, field_errors={"new_due_at": [EXTENSION_NOT_LATER]}
            )
        locked.original_due_at = locked.due_at
        locked.due_at = new_due_at
        transition(
            held,
            to_state=DossierState(locked.state),
            actor=actor,
            kind=EventKind.EXTENDED,
            note=reason,
            actor_label=label(Role.LEADER),
            # The apology is a numbered letter of the deciding agency (form 04).
            document_number=official_number_issue(
                agency=locked.competent_agency, kind=OfficialKind.LETTER, at=held.now
            ),
        )
    return held.dossier


def dossier_stop(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    reason: str,
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Stop processing with a notice to the applicant (form 05); processing ends here.

    Locks the dossier row (``select_for_update``).
    """
    reason = required_text(reason, "reason")
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.STOP,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        held.dossier.paused_at = None
        close_step(held, actor, note=reason, judged=False)
        finish_dossier(held)
        transition(
            held,
            to_state=DossierState.STOPPED,
            actor=actor,
            kind=EventKind.STOPPED,
            note=reason,
            actor_label=label(Role.LEADER),
            # The notice is a numbered document of the deciding agency (form 05).
            document_number=official_number_issue(
                agency=held.dossier.competent_agency, kind=OfficialKind.NOTICE, at=held.now
            ),
        )
    return held.dossier


def dossier_return_result(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    to_whom: str,
    via: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Return the result (national status 10) and record to whom and how (``Delivery``).

    Only after the dossier is processed, by a receiving officer of the unit
    that received it. Online (``Delivery.ONLINE``) needs a valid signed
    electronic result, which the applicant downloads; ``to_whom`` may then be
    empty (the applicant). Locks the dossier row (``select_for_update``).
    """
    via = via or Delivery.COUNTER
    if via not in Delivery.values:
        raise ValidationFailed(RETURN_WAY_UNKNOWN, field_errors={"via": [RETURN_WAY_UNKNOWN]})
    if via == Delivery.POST:  # only the post's confirmation returns it (dossier_result_delivered)
        raise ValidationFailed(BY_POST_ON_DELIVERY, field_errors={"via": [BY_POST_ON_DELIVERY]})
    if via == Delivery.ONLINE and not to_whom.strip():
        to_whom = str(ONLINE)
    to_whom = required_text(to_whom, "to_whom", RECIPIENT_REQUIRED)
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.RETURN_RESULT,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        if via == Delivery.ONLINE and not signed_valid_exists(dossier_id=held.dossier.pk):
            raise Conflict(NO_ELECTRONIC_RESULT)
        held.dossier.result_returned_to = to_whom
        held.dossier.result_returned_via = via
        close_step(held, actor, note=to_whom, judged=False)
        transition(
            held,
            to_state=DossierState.RESULT_RETURNED,
            actor=actor,
            kind=EventKind.RESULT_RETURNED,
            note=to_whom,
            actor_label=label(Role.RECEIVING_OFFICER),
        )
    return held.dossier


def dossier_case_choose(
    *,
    dossier: Dossier | int | str,
    actor: Actor,
    case: str,
    note: str = "",
    expected_revision: int | None = None,
    now: dt.datetime | None = None,
) -> Dossier:
    """Change the processing-time case of a dossier in process; its due date follows.

    The due date becomes the case's legal time from receipt, pushed by the
    supplement pauses since, and the open step's by its share of that time.
    Refused after an extension (the rules), for an unknown or unchanged
    case (ValidationFailed) and when the new due date is already past
    (Conflict). Locks the dossier row (``select_for_update``).
    """
    with acting(
        dossier,
        actor=actor,
        action=rules.Action.CHOOSE_CASE,
        expected_revision=expected_revision,
        now=now,
    ) as held:
        locked = held.dossier
        chosen = version_case(locked.procedure_version_id, case.strip())
        if chosen.code == locked.processing_case:
            raise ValidationFailed(CASE_UNCHANGED, field_errors={"case": [CASE_UNCHANGED]})
        legal_due = dossier_due_at(locked.procedure_version, locked.received_at, case=chosen.code)
        due = legal_due
        for paused_at, resumed_at in SupplementRequest.objects.filter(
            dossier=locked, phase=SupplementPhase.PROCESSING, received_at__isnull=False
        ).values_list("requested_at", "received_at"):
            if resumed_at is not None:
                due = timing.pushed_by_pause(due, paused_at=paused_at, now=resumed_at)
        if due <= held.now:
            raise Conflict(CASE_DUE_PAST)
        locked.processing_case = chosen.code
        locked.due_at = due
        step = held.step
        if step is not None and step.due_at is not None:
            legal = timing.legal_hours(
                locked.procedure_version, received_at=locked.received_at, legal_due=legal_due
            )
            share = version_structure(step.step.version_id).step(step.step_id).share
            step.due_at = timing.step_due_at(
                start=step.started_at, share=share, legal=legal, dossier_due_at=due
            )
            step.save(update_fields=["due_at"])
        transition(
            held,
            to_state=DossierState(locked.state),
            actor=actor,
            kind=EventKind.CASE_CHOSEN,
            note="\n".join(
                part for part in (f"{chosen.label}: {chosen.text}", note.strip()) if part
            ),
            actor_label=label(Role(step.role) if step is not None else Role.LEADER),
        )
    return held.dossier


POSTAL_SERVICE = _("Public postal service")
DELIVERED_BY_POST = _("Delivered by post on %(date)s to %(recipient)s (postal order %(order)s).")


def dossier_result_delivered(
    *,
    dossier: Dossier | int,
    at: dt.datetime,
    recipient: str,
    order_number: str,
    now: dt.datetime | None = None,
) -> Dossier:
    """Record the result returned by post (national status 10) once the post confirmed delivery.

    A system step, no officer: the post's delivery confirmation (``postal.tracking``)
    is the proof, as the gateway's is for an online payment. Only a processed
    dossier (``rules.RESULT_BEFORE_PROCESSED`` otherwise, ``Conflict``); the
    timeline says when and to whom the post delivered it, and the applicant
    gets the same message as for a return at the counter. Locks the dossier
    row (``select_for_update``); runs in the caller's transaction if any.
    """
    recipient = recipient.strip()[:200] or "-"
    with transaction.atomic():
        held = hold(dossier, None, None, now or timezone.now())
        if held.dossier.state != DossierState.PROCESSED:
            raise Conflict(rules.RESULT_BEFORE_PROCESSED)
        with translation.override(settings.LANGUAGE_CODE):
            note = str(DELIVERED_BY_POST) % {
                "date": f"{timezone.localtime(at):%d/%m/%Y}",
                "recipient": recipient,
                "order": order_number,
            }
            actor_label = str(POSTAL_SERVICE)
        held.dossier.result_returned_to = recipient
        held.dossier.result_returned_via = Delivery.POST
        close_step(held, None, note=note, judged=False)
        transition(
            held,
            to_state=DossierState.RESULT_RETURNED,
            actor=None,
            kind=EventKind.RESULT_RETURNED,
            note=note,
            actor_label=actor_label,
        )
    return held.dossier
