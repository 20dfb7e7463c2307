"""Payments tests: the test gateway on offer, a cast, and dossiers with fees."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone

from motcua.catalog.models import FeeDue, FeeKind
from motcua.dossiers.models import Dossier, DossierFee
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create
from motcua.workflow import services

from .gateway import FakeGateway

ID_NUMBER = "048185012345"  # HOA of applicants.tests.factories


@pytest.fixture(autouse=True)
def fake_gateway(settings: Any) -> Iterator[type[FakeGateway]]:
    settings.PAYMENTS_GATEWAYS = ["fake"]
    settings.PAYMENTS_GATEWAY_CLASSES = {"fake": "motcua.payments.tests.gateway.FakeGateway"}
    FakeGateway.checkouts = []
    FakeGateway.queries = {}
    FakeGateway.refunds = []
    FakeGateway.refund_ok = True
    FakeGateway.refund_checks = {}
    FakeGateway.lines = []
    FakeGateway.down = False
    yield FakeGateway


@pytest.fixture
def cast(db: None) -> Cast:
    return cast_create()


def add_fee(
    dossier: Dossier, code: str = "LP", amount: int | None = 8000, due: str = FeeDue.BEFORE
) -> DossierFee:
    return DossierFee.objects.create(
        dossier=dossier,
        order=DossierFee.objects.filter(dossier=dossier).count(),
        code=code,
        kind=FeeKind.CHARGE if code.startswith("LP") else FeeKind.FEE,
        name="Lệ phí" if code.startswith("LP") else "Phí thẩm định",
        basis="fixed",
        due=due,
        amount=amount,
        base_amount=amount,
        rule_text=f"Mức thu {amount} đồng/hồ sơ",
        computed_at=timezone.now(),
    )


def submitted(cast: Cast, *, id_number: str = ID_NUMBER, unit: Any = None, **fees: Any) -> Dossier:
    now = timezone.now()
    dossier: Dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency),
        receiving_unit=unit or cast.unit,
        submitted_at=now,
        intake_due_at=now + dt.timedelta(days=1),
        applicant_id_number=id_number,
    )
    return dossier


def waiting(cast: Cast, *, amount: int = 8000, officer: Any = None, **kwargs: Any) -> Dossier:
    """A dossier accepted with a "before" fee: it waits for payment (status 6)."""
    dossier = submitted(cast, **kwargs)
    add_fee(dossier, amount=amount)
    services.dossier_accept(dossier=dossier, actor=officer or cast.receiving_officer)
    dossier.refresh_from_db()
    return dossier
