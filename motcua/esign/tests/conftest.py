"""A dossier at its leader's step with an electronic PDF result, and the cast."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from motcua.applicants.tests.factories import HOA
from motcua.dossiers.models import Dossier
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create, pdf_upload
from motcua.workflow import services


@dataclass
class AtLeader:
    cast: Cast
    dossier: Dossier


def at_leader(cast: Cast, *, id_number: str = HOA.id_number) -> Dossier:
    now = timezone.now()
    dossier: Dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency),
        receiving_unit=cast.unit,
        submitted_at=now,
        intake_due_at=now + dt.timedelta(days=1),
        applicant_id_number=id_number,
    )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_result_record(
        dossier=dossier, actor=cast.specialist, name="Giấy phép", upload=pdf_upload()
    )
    services.dossier_forward(dossier=dossier, actor=cast.specialist)
    dossier.refresh_from_db()
    return dossier


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def leader_step(cast: Cast) -> AtLeader:
    return AtLeader(cast, at_leader(cast))


@pytest.fixture
def approved(leader_step: AtLeader) -> AtLeader:
    services.dossier_mark_processed(dossier=leader_step.dossier, actor=leader_step.cast.leader)
    leader_step.dossier.refresh_from_db()
    return leader_step
