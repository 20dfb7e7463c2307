"""A button is shown exactly when its action would be accepted.

For dossiers in every stage of their life, for every persona and every
action, ``selectors.dossier_actions`` (what pages and the API offer) must
agree with what the service does when called (tried in a rolled-back
transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import ProcessingCase
from motcua.core.errors import Conflict, Forbidden, NotFound
from motcua.dossiers.models import Dossier, DossierFee
from motcua.payments.services import payment_record_counter
from motcua.testing import (
    Cast,
    DossierFactory,
    ProcedureFactory,
    cast_create,
    inter_agency_process,
    pdf_upload,
)
from motcua.workflow import services
from motcua.workflow.models import DossierStep
from motcua.workflow.rules import Action
from motcua.workflow.selectors import dossier_actions, role_holders

pytestmark = pytest.mark.django_db

PERSONAS = (
    "receiving_officer",
    "specialist",
    "second_specialist",
    "leader",
    "partner_specialist",
    "partner_leader",
    "outsider",
    "applicant",
)


class _Rollback(Exception):
    pass


def _submitted(cast: Cast, *, partner: bool = False) -> Dossier:
    procedure = ProcedureFactory(agency=cast.agency)
    # A longer legal time when verification is needed: the case can be chosen while in process.
    ProcessingCase.objects.create(
        version=procedure.current_version,
        code="XAC-MINH",
        name="Cần xác minh",
        processing_time_value=15,
    )
    if partner:
        inter_agency_process(procedure, cast.partner)
    return DossierFactory(procedure=procedure, receiving_unit=cast.unit)


def _accepted(cast: Cast, **kwargs: Any) -> Dossier:
    return services.dossier_accept(dossier=_submitted(cast, **kwargs), actor=cast.receiving_officer)


def _stage(name: str, cast: Cast) -> Dossier:
    """Bring a new dossier to the stage ``name`` through the services."""
    officer, specialist, leader = cast.receiving_officer, cast.specialist, cast.leader
    if name == "submitted":
        return _submitted(cast)
    if name == "supplement_at_intake":
        return services.dossier_request_supplement(
            dossier=_submitted(cast), actor=officer, missing=["Tờ khai"], reason="Thiếu"
        )
    if name == "accepted":
        return _accepted(cast)
    if name == "waiting_for_payment":
        dossier = _accepted(cast)
        _fee_add(dossier)
        return services.dossier_request_payment(dossier=dossier, actor=officer)
    dossier = _accepted(cast, partner=name == "at_partner")
    if name == "withdrawal_after_acceptance":
        return services.dossier_withdrawal_request(dossier=dossier, reason="Rút")
    services.dossier_claim(dossier=dossier, actor=specialist)
    if name == "assigned":
        return dossier
    if name == "supplement_in_process":
        return services.dossier_request_supplement(
            dossier=dossier, actor=specialist, missing=["Bản vẽ"], reason="Thiếu"
        )
    services.dossier_result_record(
        dossier=dossier, actor=specialist, name="Kết quả", upload=pdf_upload()
    )
    services.dossier_forward(dossier=dossier, actor=specialist)
    if name in ("at_leader", "at_partner"):
        return dossier
    services.dossier_mark_processed(dossier=dossier, actor=leader)
    if name == "processed":
        return dossier
    return services.dossier_return_result(dossier=dossier, actor=officer, to_whom="An")


def _fee_add(dossier: Dossier) -> None:
    """Give the dossier a fee owed before processing (payments can be requested, recorded)."""
    DossierFee.objects.get_or_create(
        dossier=dossier,
        code="LP",
        defaults={
            "kind": "charge",
            "name": "Lệ phí",
            "basis": "fixed",
            "due": "before",
            "amount": 8000,
            "rule_text": "8.000 đồng",
            "computed_at": timezone.now(),
        },
    )


def _refused(*_args: Any) -> object:
    raise Forbidden("the applicant's action")


STAGES = (
    "submitted",
    "supplement_at_intake",
    "accepted",
    "waiting_for_payment",
    "withdrawal_after_acceptance",
    "assigned",
    "supplement_in_process",
    "at_leader",
    "at_partner",
    "processed",
    "returned",
)


def _call(action: Action, dossier: Dossier, actor: Any, cast: Cast) -> Callable[[], object]:
    """Return a call of the service behind ``action`` with a valid payload."""
    step = DossierStep.objects.filter(dossier=dossier, finished_at=None).first()
    if action == Action.ASSIGN:
        # Anyone holding the step's role may be given it; someone else than the actor if any.
        holders = list(role_holders(role=step.role, agency_id=step.agency_id)) if step else []
        assignee = next((h for h in holders if h.pk != actor.pk), holders[0] if holders else actor)

        def assign() -> object:
            return services.dossier_assign(dossier=dossier, actor=actor, assignee=assignee)

        return assign
    calls: dict[Action, Callable[[], object]] = {
        Action.ACCEPT: lambda: services.dossier_accept(dossier=dossier, actor=actor),
        Action.REFUSE: lambda: services.dossier_refuse(dossier=dossier, actor=actor, reasons="x"),
        Action.REQUEST_SUPPLEMENT: lambda: services.dossier_request_supplement(
            dossier=dossier, actor=actor, missing=["x"], reason="y"
        ),
        Action.RECEIVE_SUPPLEMENT: lambda: services.dossier_receive_supplement(
            dossier=dossier, actor=actor
        ),
        Action.CLAIM: lambda: services.dossier_claim(dossier=dossier, actor=actor),
        Action.CHOOSE_CASE: lambda: services.dossier_case_choose(
            dossier=dossier, actor=actor, case="" if dossier.processing_case else "XAC-MINH"
        ),
        Action.FORWARD: lambda: services.dossier_forward(dossier=dossier, actor=actor),
        Action.SEND_BACK: lambda: services.dossier_send_back(
            dossier=dossier, actor=actor, reason="x"
        ),
        Action.RECORD_RESULT: lambda: services.dossier_result_record(
            dossier=dossier, actor=actor, name="Kết quả", upload=pdf_upload()
        ),
        Action.MARK_PROCESSED: lambda: services.dossier_mark_processed(
            dossier=dossier, actor=actor
        ),
        Action.EXTEND: lambda: services.dossier_extend(
            dossier=dossier,
            actor=actor,
            reason="x",
            new_due_at=dossier.due_at + dt.timedelta(days=30),
        ),
        Action.STOP: lambda: services.dossier_stop(dossier=dossier, actor=actor, reason="x"),
        Action.REQUEST_WITHDRAWAL: lambda: services.dossier_withdrawal_request(
            dossier=dossier, actor=actor, reason="x"
        ),
        Action.DECIDE_WITHDRAWAL: lambda: services.dossier_withdrawal_decide(
            dossier=dossier, actor=actor, approve=True
        ),
        Action.RETURN_RESULT: lambda: services.dossier_return_result(
            dossier=dossier, actor=actor, to_whom="An"
        ),
        Action.REVOKE_RESULT: lambda: services.dossier_result_revoke(
            dossier=dossier, actor=actor, result=f"{dossier.code}-KQ1", reason="x"
        ),
        Action.REPLACE_RESULT: lambda: services.dossier_result_replace(
            dossier=dossier,
            actor=actor,
            result=f"{dossier.code}-KQ1",
            name="Kết quả mới",
            upload=pdf_upload(),
            reason="x",
        ),
        Action.REQUEST_PAYMENT: lambda: services.dossier_request_payment(
            dossier=dossier, actor=actor
        ),
        Action.RECORD_PAYMENT: lambda: payment_record_counter(
            dossier=dossier, actor=actor, method="cash", receipt_number="1"
        ),
        Action.PAY: _refused,  # the applicant's, confirmed by the gateway: no staff service
    }
    return calls[action]


def _holder_kept(dossier: Dossier) -> None:
    """The dossier's current agency is its open step's agency (none without one)."""
    opened = DossierStep.objects.filter(dossier=dossier, finished_at=None).first()
    current = Dossier.objects.values_list("current_agency_id", flat=True).get(pk=dossier.pk)
    assert current == (opened.agency_id if opened else None)


def _accepted_by_service(call: Callable[[], object], dossier: Dossier) -> bool:
    try:
        with transaction.atomic():
            call()
            _holder_kept(dossier)
            raise _Rollback
    except _Rollback:
        return True
    except (Conflict, Forbidden, NotFound):
        return False


@pytest.mark.parametrize("stage", STAGES)
def test_offered_actions_are_exactly_those_the_services_accept(stage: str) -> None:
    cast = cast_create()
    dossier = _stage(stage, cast)
    _fee_add(dossier)  # a fee owed: the payment actions are possible where the state allows
    _holder_kept(dossier)
    # Far from its due date, so an extension is possible where the role allows it.
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() + dt.timedelta(days=20))
    disagreements = []
    offered_to_someone = set()
    for persona in PERSONAS:
        actor = getattr(cast, persona)
        dossier.refresh_from_db()
        offered = set(dossier_actions(user=actor, dossier=dossier))
        offered_to_someone |= offered
        for action in Action:
            accepted = _accepted_by_service(_call(action, dossier, actor, cast), dossier)
            if accepted != (action in offered):
                disagreements.append((persona, action.value, accepted))
    assert disagreements == []
    # Only a returned dossier is done with (but for revoking or replacing its electronic
    # result): at every other stage someone has work to do.
    after_return = {Action.REVOKE_RESULT, Action.REPLACE_RESULT}
    assert bool(offered_to_someone - after_return) == (stage != "returned")
