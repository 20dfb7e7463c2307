from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.core.testing import Cast, DossierFactory, ProcedureFactory, cast_create
from motcua.dossiers.models import DossierState
from motcua.workflow.selectors import dossiers_due_soon, dossiers_overdue

pytestmark = pytest.mark.django_db


def test_due_soon_and_overdue_lists_stay_within_the_users_agencies() -> None:
    cast: Cast = cast_create()
    now = timezone.now()
    procedure = ProcedureFactory(agency=cast.agency)

    def make(hours: int, **kwargs: object) -> object:
        return DossierFactory(
            procedure=procedure,
            receiving_unit=cast.unit,
            due_at=now + dt.timedelta(hours=hours),
            **kwargs,
        )

    soon = make(5)
    make(100)
    late = make(-3)
    make(-3, state=DossierState.SUPPLEMENT_REQUESTED)
    make(-3, state=DossierState.RESULT_RETURNED)

    assert list(dossiers_due_soon(user=cast.specialist, within=dt.timedelta(hours=8))) == [soon]
    assert list(dossiers_overdue(user=cast.specialist)) == [late]
    assert list(dossiers_overdue(user=cast.outsider)) == []
    assert list(dossiers_due_soon(user=cast.applicant, within=dt.timedelta(days=30))) == []
