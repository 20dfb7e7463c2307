"""The action forms of the dossier page: what each one asks, and which service it calls.

A form here only turns posted text into the service's arguments (a person
picked from a list, a step, a date); whether the action is allowed, and
every rule about it, is the service's. Parse errors are raised as the
services raise theirs (``ValidationFailed`` with field errors), so the page
shows both the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.workflow import selectors, services
from motcua.workflow.models import DossierStep, ProcessStep
from motcua.workflow.rules import Action

CHOOSE_PERSON = _("Choose the person from the list.")
CHOOSE_STEP = _("Choose the step from the list.")
BAD_DATETIME = _("Enter a date and time, for example 2026-12-01 16:30.")
CHOOSE_ANSWER = _("Choose whether to accept the withdrawal.")
BAD_REVISION = _("The page is out of date. Reload it and try again.")
UNKNOWN_ACTION = _("There is no such action.")


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Input:
    """One input of an action form."""

    name: str
    label: str | Promise
    kind: str = "textarea"  # textarea, text, select, file, datetime, checkbox, radio
    required: bool = False
    choices: list[Choice] = field(default_factory=list)
    help: str | Promise = ""


@dataclass(frozen=True)
class ActionForm:
    """An action as the dossier page offers it."""

    action: Action
    inputs: list[Input]
    primary: bool = False

    @property
    def label(self) -> str:
        return str(self.action.label)

    @property
    def slug(self) -> str:
        return self.action.value.replace("_", "-")


def _people(users: Any) -> list[Choice]:
    return [Choice(str(u.pk), u.get_full_name() or u.get_username()) for u in users]


def _steps(steps: list[ProcessStep]) -> list[Choice]:
    return [Choice(str(s.pk), s.name) for s in steps]


def action_forms(actions: list[Action], *, step: DossierStep | None) -> list[ActionForm]:
    """Return the forms of ``actions`` (what the user may do now), with their choices."""
    moves = selectors.step_moves(step) if step is not None else selectors.StepMoves([], [])
    note = Input("note", _("Note (optional)"))
    reason = Input("reason", _("Reason"), required=True)
    forms: dict[Action, ActionForm] = {
        Action.CLAIM: ActionForm(Action.CLAIM, [], primary=True),
        Action.ACCEPT: ActionForm(Action.ACCEPT, [note], primary=True),
        Action.RECEIVE_SUPPLEMENT: ActionForm(Action.RECEIVE_SUPPLEMENT, [note], primary=True),
        Action.MARK_PROCESSED: ActionForm(Action.MARK_PROCESSED, [note], primary=True),
        Action.REQUEST_SUPPLEMENT: ActionForm(
            Action.REQUEST_SUPPLEMENT,
            [
                Input(
                    "missing",
                    _("What is missing or must be corrected"),
                    required=True,
                    help=_("One item per line: the applicant gets the whole list at once."),
                ),
                reason,
            ],
        ),
        Action.REFUSE: ActionForm(Action.REFUSE, [Input("reasons", _("Reasons"), required=True)]),
        Action.FORWARD: ActionForm(
            Action.FORWARD,
            [
                *(
                    [Input("to_step", _("Next step"), "select", True, _steps(moves.forward))]
                    if len(moves.forward) > 1
                    else []
                ),
                note,
            ],
            primary=True,
        ),
        Action.SEND_BACK: ActionForm(
            Action.SEND_BACK,
            [
                *(
                    [Input("to_step", _("Send back to step"), "select", True, _steps(moves.back))]
                    if len(moves.back) > 1
                    else []
                ),
                reason,
            ],
        ),
        Action.RECORD_RESULT: ActionForm(
            Action.RECORD_RESULT,
            [
                Input("name", _("Name of the result document"), "text", True),
                Input("file", _("Signed result (PDF or image)"), "file", True),
                Input("is_electronic", _("Electronic result"), "checkbox"),
            ],
        ),
        Action.EXTEND: ActionForm(
            Action.EXTEND,
            [
                Input("new_due_at", _("New due time"), "datetime", True),
                Input("reason", _("Reason and apology"), required=True),
            ],
        ),
        Action.STOP: ActionForm(Action.STOP, [reason]),
        Action.REQUEST_WITHDRAWAL: ActionForm(Action.REQUEST_WITHDRAWAL, [reason]),
        Action.DECIDE_WITHDRAWAL: ActionForm(
            Action.DECIDE_WITHDRAWAL,
            [
                Input(
                    "approve",
                    _("Answer"),
                    "radio",
                    True,
                    [
                        Choice("yes", str(_("Accept the withdrawal"))),
                        Choice("no", str(_("Refuse the withdrawal"))),
                    ],
                ),
                note,
            ],
        ),
        Action.RETURN_RESULT: ActionForm(
            Action.RETURN_RESULT,
            [
                Input(
                    "to_whom",
                    _("Handed to"),
                    "text",
                    True,
                    help=_("Name and ID number of the person who takes the result."),
                )
            ],
            primary=True,
        ),
    }
    if Action.ASSIGN in actions and step is not None:
        people = _people(selectors.assignable_users(step=step))
        forms[Action.ASSIGN] = ActionForm(
            Action.ASSIGN, [Input("assignee", _("Assign to"), "select", True, people)]
        )
    return [forms[a] for a in actions if a in forms]


def _user(value: str, allowed: Any) -> Any:
    try:
        pk = int(value)
    except ValueError:
        pk = 0
    user = allowed.filter(pk=pk).first() if pk else None
    if user is None:
        raise ValidationFailed(CHOOSE_PERSON, field_errors={"assignee": [CHOOSE_PERSON]})
    return user


def _step_id(value: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(CHOOSE_STEP, field_errors={"to_step": [CHOOSE_STEP]}) from None


def parse_datetime_local(value: str, name: str) -> dt.datetime:
    """Parse an ``<input type=datetime-local>`` value in the site's time zone."""
    text = value.strip().replace("T", " ")
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"):
        try:
            naive = dt.datetime.strptime(text, pattern)  # noqa: DTZ007 - made aware below
        except ValueError:
            continue
        return timezone.make_aware(naive)
    raise ValidationFailed(BAD_DATETIME, field_errors={name: [BAD_DATETIME]})


def revision_of(post: Mapping[str, Any]) -> int:
    """Return the revision the page was drawn from (the services refuse a stale one)."""
    try:
        return int(post.get("revision", ""))
    except ValueError:
        raise ValidationFailed(BAD_REVISION) from None


Service = Callable[..., Any]


def service_call(
    action: Action,
    post: Mapping[str, Any],
    files: Mapping[str, UploadedFile[Any]],
    *,
    step: DossierStep | None,
) -> tuple[Service, dict[str, Any]]:
    """Return the service of ``action`` and its arguments read from the posted form."""

    def text(name: str) -> str:
        return str(post.get(name, ""))

    if action == Action.ACCEPT:
        return services.dossier_accept, {"note": text("note")}
    if action == Action.REFUSE:
        return services.dossier_refuse, {"reasons": text("reasons")}
    if action == Action.REQUEST_SUPPLEMENT:
        missing = [line.strip() for line in text("missing").splitlines() if line.strip()]
        return services.dossier_request_supplement, {"missing": missing, "reason": text("reason")}
    if action == Action.RECEIVE_SUPPLEMENT:
        return services.dossier_receive_supplement, {"note": text("note")}
    if action == Action.ASSIGN:
        allowed = (
            selectors.assignable_users(step=step)
            if step is not None
            else get_user_model().objects.none()
        )
        return services.dossier_assign, {"assignee": _user(text("assignee"), allowed)}
    if action == Action.CLAIM:
        return services.dossier_claim, {}
    if action == Action.FORWARD:
        return services.dossier_forward, {
            "to_step": _step_id(text("to_step")),
            "note": text("note"),
        }
    if action == Action.SEND_BACK:
        return services.dossier_send_back, {
            "to_step": _step_id(text("to_step")),
            "reason": text("reason"),
        }
    if action == Action.RECORD_RESULT:
        return services.dossier_result_record, {
            "name": text("name"),
            "upload": files.get("file"),
            "is_electronic": bool(post.get("is_electronic")),
        }
    if action == Action.MARK_PROCESSED:
        return services.dossier_mark_processed, {"note": text("note")}
    if action == Action.EXTEND:
        return services.dossier_extend, {
            "new_due_at": parse_datetime_local(text("new_due_at"), "new_due_at"),
            "reason": text("reason"),
        }
    if action == Action.STOP:
        return services.dossier_stop, {"reason": text("reason")}
    if action == Action.REQUEST_WITHDRAWAL:
        return services.dossier_withdrawal_request, {"reason": text("reason")}
    if action == Action.DECIDE_WITHDRAWAL:
        if text("approve") not in ("yes", "no"):
            raise ValidationFailed(CHOOSE_ANSWER, field_errors={"approve": [CHOOSE_ANSWER]})
        return services.dossier_withdrawal_decide, {
            "approve": text("approve") == "yes",
            "note": text("note"),
        }
    if action == Action.RETURN_RESULT:
        return services.dossier_return_result, {"to_whom": text("to_whom")}
    raise ValidationFailed(UNKNOWN_ACTION)
