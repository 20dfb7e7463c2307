"""The staff API's permission matrix: every role x every action x own agency / another agency.

For each action a dossier is put in a state where the action is possible,
once in the cast's agency (received by its one-stop unit, decided by the
Department of Justice) and once in another agency (where giang holds every
role). Every persona then calls the action's endpoint with a valid body:

- the people the table below names get 200 and the dossier changes;
- staff who can see the dossier but hold no role for the action get 403;
- staff of other agencies get 404 (the dossier is not theirs to know of);
- someone without any staff role gets 403;

and every refused call leaves the dossier exactly as it was (state, status,
revision, timeline, steps, results, stored files). The table is checked
against what ``rules.check`` predicts for each persona (``predicted``), and a
second matrix calls every action on dossiers in states that do not allow it:
409 for everyone who may see them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from motcua.core.errors import Conflict, Forbidden
from motcua.dossiers.models import (
    Dossier,
    DossierEvent,
    DossierFee,
    DossierResult,
    DossierState,
)
from motcua.staff.selectors import user_agency_roles
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create, pdf_upload
from motcua.workflow import rules, selectors, services
from motcua.workflow.models import DossierStep
from motcua.workflow.situation import situation_of

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
# Who may do each action on a dossier of the cast's agency, in a state that allows it.
OWN_AGENCY: dict[str, set[str]] = {
    "accept": {"receiving_officer"},
    "refuse": {"receiving_officer"},
    "request-supplement": {"receiving_officer"},
    "request-withdrawal": {"receiving_officer"},
    "receive-supplement": {"receiving_officer"},
    "assign": {"leader"},
    "claim": {"specialist", "second_specialist"},
    "forward": {"specialist", "leader"},
    "record-result": {"specialist", "leader"},
    "extend": {"leader"},
    "stop": {"leader"},
    "send-back": {"leader"},
    "mark-processed": {"leader"},
    "decide-withdrawal": {"leader"},
    "return-result": {"receiving_officer"},
    "revoke-result": {"leader"},
    "replace-result": {"leader"},
    "request-payment": {"receiving_officer"},
    "record-payment": {"receiving_officer"},
}
# Staff of the cast's agency and unit see its dossiers; the partner agency's only once
# the dossier went through one of its steps (never here: single-agency process).
SEES_OWN = {"receiving_officer", "specialist", "second_specialist", "leader"}


class Roles:
    """Who plays the officer, specialist and leader on one side of the matrix."""

    def __init__(self, cast: Cast, side: str) -> None:
        own = side == "own"
        self.officer = cast.receiving_officer if own else cast.outsider
        self.specialist = cast.specialist if own else cast.outsider
        self.leader = cast.leader if own else cast.outsider
        self.agency = cast.agency if own else cast.other_agency
        self.unit = cast.unit if own else cast.other_agency


def _submitted(roles: Roles) -> Dossier:
    now = timezone.now()
    return DossierFactory(
        procedure=ProcedureFactory(agency=roles.agency),
        receiving_unit=roles.unit,
        submitted_at=now,
        intake_due_at=now + dt.timedelta(days=1),
    )


def _accepted(roles: Roles) -> Dossier:
    dossier = _submitted(roles)
    services.dossier_accept(dossier=dossier, actor=roles.officer)
    return dossier


def _assigned(roles: Roles) -> Dossier:
    dossier = _accepted(roles)
    services.dossier_claim(dossier=dossier, actor=roles.specialist)
    return dossier


def _at_leader(roles: Roles) -> Dossier:
    dossier = _assigned(roles)
    services.dossier_result_record(
        dossier=dossier, actor=roles.specialist, name="Kết quả", upload=pdf_upload()
    )
    services.dossier_forward(dossier=dossier, actor=roles.specialist)
    return dossier


def _supplement(roles: Roles) -> Dossier:
    dossier = _submitted(roles)
    services.dossier_request_supplement(
        dossier=dossier, actor=roles.officer, missing=["Giấy chứng sinh"], reason="Thiếu"
    )
    return dossier


def _withdrawal(roles: Roles) -> Dossier:
    dossier = _assigned(roles)
    services.dossier_withdrawal_request(dossier=dossier, actor=roles.officer, reason="Không cần")
    return dossier


def _processed(roles: Roles) -> Dossier:
    dossier = _at_leader(roles)
    services.dossier_mark_processed(dossier=dossier, actor=roles.leader)
    return dossier


def _returned(roles: Roles) -> Dossier:
    dossier = _processed(roles)
    services.dossier_return_result(dossier=dossier, actor=roles.officer, to_whom="Nguyễn Văn An")
    return dossier


def _fee_add(dossier: Dossier) -> None:
    DossierFee.objects.create(
        dossier=dossier,
        code="LP",
        kind="charge",
        name="Lệ phí",
        basis="fixed",
        due="before",
        amount=8000,
        rule_text="8.000 đồng",
        computed_at=timezone.now(),
    )


def _owing(roles: Roles) -> Dossier:
    """Accepted, with a fee owed (added after acceptance: not requested yet)."""
    dossier = _accepted(roles)
    _fee_add(dossier)
    return dossier


def _waiting_for_payment(roles: Roles) -> Dossier:
    dossier = _owing(roles)
    services.dossier_request_payment(dossier=dossier, actor=roles.officer)
    return dossier


Stage = Callable[[Roles], Dossier]
Body = Callable[[Roles, Dossier], dict[str, Any]]


def _extend(roles: Roles, dossier: Dossier) -> dict[str, Any]:
    assert dossier.due_at is not None
    later = timezone.localtime(dossier.due_at + dt.timedelta(days=3))
    return {"new_due_at": later.isoformat(), "reason": "Cần xác minh thêm"}


CASES: dict[str, tuple[Stage, Body]] = {
    "accept": (_submitted, lambda r, d: {}),
    "refuse": (_submitted, lambda r, d: {"reasons": "Không thuộc thẩm quyền"}),
    "request-supplement": (
        _submitted,
        lambda r, d: {"missing": ["Giấy chứng sinh"], "reason": "Thiếu giấy tờ"},
    ),
    "request-withdrawal": (_submitted, lambda r, d: {"reason": "Người nộp xin rút"}),
    "receive-supplement": (_supplement, lambda r, d: {}),
    "assign": (_accepted, lambda r, d: {"assignee": r.specialist.username}),
    "claim": (_accepted, lambda r, d: {}),
    "forward": (_assigned, lambda r, d: {}),
    "record-result": (_assigned, lambda r, d: {"name": "Giấy khai sinh", "file": pdf_upload()}),
    "extend": (_assigned, _extend),
    "stop": (_assigned, lambda r, d: {"reason": "Có tranh chấp"}),
    "send-back": (_at_leader, lambda r, d: {"reason": "Cần sửa"}),
    "mark-processed": (_at_leader, lambda r, d: {}),
    "decide-withdrawal": (_withdrawal, lambda r, d: {"approve": True}),
    "return-result": (_processed, lambda r, d: {"to_whom": "Nguyễn Văn An"}),
    "revoke-result": (_processed, lambda r, d: {"result": f"{d.code}-KQ1", "reason": "Sai"}),
    "replace-result": (
        _processed,
        lambda r, d: {
            "result": f"{d.code}-KQ1",
            "name": "Giấy phép (đính chính)",
            "file": pdf_upload(),
            "reason": "Đính chính",
        },
    ),
    "request-payment": (_owing, lambda r, d: {}),
    "record-payment": (
        _waiting_for_payment,
        lambda r, d: {"method": "cash", "receipt_number": "BL-1"},
    ),
}


def snapshot(dossier: Dossier) -> tuple[object, ...]:
    dossier.refresh_from_db()
    return (
        dossier.state,
        dossier.status,
        dossier.revision,
        dossier.due_at,
        DossierEvent.objects.filter(dossier=dossier).count(),
        DossierStep.objects.filter(dossier=dossier).count(),
        DossierStep.objects.filter(dossier=dossier, finished_at=None)
        .values_list("assignee_id", flat=True)
        .first(),
        DossierResult.objects.filter(dossier=dossier).count(),
        sum(1 for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()),
    )


def call(user: Any, action: str, dossier: Dossier, body: dict[str, Any]) -> Any:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = reverse(f"api-staff-{action}", kwargs={"code": dossier.code})
    dossier.refresh_from_db()
    fmt = "multipart" if action in {"record-result", "replace-result"} else "json"
    return client.post(url, body, format=fmt, HTTP_IF_MATCH=f'"{dossier.revision}"')


def predicted(user: Any, action: str, dossier: Dossier) -> int:
    """The status ``rules`` predicts: 404 out of scope, 403 without a role, 409 wrong state."""
    roles = user_agency_roles(user=user)
    if not roles:
        return 403
    scope = selectors.dossier_scope(user=user, roles=roles)
    if not Dossier.objects.filter(scope, pk=dossier.pk).exists():
        return 404
    dossier.refresh_from_db()
    situation = situation_of(dossier)
    try:
        rules.check(action.replace("-", "_"), situation, roles=roles, actor_id=user.pk)
    except Conflict:
        return 409
    except Forbidden:
        return 403
    return 200


def expected(persona: str, action: str, side: str) -> int:
    allowed = OWN_AGENCY[action]
    if side == "own":
        if persona in allowed:
            return 200
        if persona == "applicant":
            return 403
        return 403 if persona in SEES_OWN else 404
    # Another agency's dossier: giang holds every role there; the cast sees nothing of it.
    if persona == "outsider":
        return 200
    return 403 if persona == "applicant" else 404


@pytest.mark.parametrize("side", ["own", "other"])
@pytest.mark.parametrize("action", list(CASES))
def test_each_role_may_do_exactly_what_the_table_says(action: str, side: str) -> None:
    cast = cast_create()
    roles = Roles(cast, side)
    stage, body = CASES[action]
    dossier = stage(roles)
    refused = [p for p in PERSONAS if expected(p, action, side) != 200]
    allowed = [p for p in PERSONAS if expected(p, action, side) == 200]
    assert {p: predicted(getattr(cast, p), action, dossier) for p in PERSONAS} == {
        p: expected(p, action, side) for p in PERSONAS
    }
    before = snapshot(dossier)
    for persona in refused:
        response = call(getattr(cast, persona), action, dossier, body(roles, dossier))
        assert response.status_code == expected(persona, action, side), (
            persona,
            response.json(),
        )
        assert "message" in response.json()["error"]
        assert snapshot(dossier) == before, persona
    assert allowed, action
    for index, persona in enumerate(allowed):
        target = dossier if index == 0 else stage(roles)
        before_call = snapshot(target)  # also reloads target.revision
        response = call(getattr(cast, persona), action, target, body(roles, target))
        assert response.status_code == 200, (persona, response.json())
        assert response.json()["revision"] == target.revision + 1
        assert snapshot(target) != before_call


@pytest.mark.parametrize("side", ["own", "other"])
def test_no_one_may_act_on_a_dossier_whose_state_does_not_allow_it(side: str) -> None:
    cast = cast_create()
    roles = Roles(cast, side)
    # Waiting for intake (no processing action fits) and finished (nothing fits).
    for dossier in (_submitted(roles), _returned(roles)):
        seen: set[int] = set()
        for action, (_stage, body) in CASES.items():
            before = snapshot(dossier)
            for persona in PERSONAS:
                user = getattr(cast, persona)
                status = predicted(user, action, dossier)
                if status == 200:
                    continue
                response = call(user, action, dossier, body(roles, dossier))
                assert response.status_code == status, (persona, action, response.json())
                assert snapshot(dossier) == before, (persona, action)
                seen.add(status)
        assert 409 in seen
        if dossier.state == DossierState.RESULT_RETURNED:
            assert seen == {403, 404, 409}


def test_the_counter_endpoint_is_for_the_units_receiving_officers_only() -> None:
    cast = cast_create()
    procedure = ProcedureFactory(agency=cast.agency)
    assert procedure.current_version is not None
    declaration = procedure.current_version.components.order_by("order").first()
    assert declaration is not None
    body = {
        "unit": cast.unit.code,
        "procedure": procedure.code,
        "applicant_name": "Trần Thị Mai",
        "applicant_id_number": "048190001234",
        "applicant_phone": "0905123456",
        "applicant_address": "12 Lê Lợi, Đà Nẵng",
        "received": f'[{{"component": {declaration.pk}, "originals": 1}}]',
        "decision": "accept",
    }
    url = reverse("api-staff-counter-intake")
    for persona, code in (
        ("specialist", 403),
        ("leader", 403),
        ("outsider", 403),
        ("applicant", 403),
        ("receiving_officer", 201),
    ):
        client = APIClient()
        token, _created = Token.objects.get_or_create(user=getattr(cast, persona))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        response = client.post(url, body, format="multipart")
        assert response.status_code == code, (persona, response.json())
        assert Dossier.objects.count() == (1 if code == 201 else 0)
