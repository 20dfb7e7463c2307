"""Two officers acting on one dossier at once, on PostgreSQL: exactly one succeeds."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from motcua.core.errors import Conflict
from motcua.core.testing import (
    DossierFactory,
    ProcedureFactory,
    StaffRoleFactory,
    UserFactory,
    cast_create,
)
from motcua.dossiers.models import DossierEvent, DossierState, EventKind
from motcua.staff.models import Role
from motcua.workflow import services


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_at_once_one_succeeds_the_other_gets_a_conflict() -> None:
    cast = cast_create()
    second_officer = UserFactory(username="hoa")
    StaffRoleFactory(user=second_officer, role=Role.RECEIVING_OFFICER, agency=cast.unit)
    dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency), receiving_unit=cast.unit
    )
    successes: list[str] = []
    conflicts: list[Conflict] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker(officer_name: str) -> None:
        officer = cast.receiving_officer if officer_name == "binh" else second_officer
        try:
            barrier.wait()
            services.dossier_accept(dossier=dossier, actor=officer)
            successes.append(officer_name)
        except Conflict as exc:
            conflicts.append(exc)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("binh", "hoa")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(successes) == 1
    assert [c.message for c in conflicts] == [services.NOT_WAITING_FOR_INTAKE]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED
    assert DossierEvent.objects.filter(dossier=dossier, kind=EventKind.ACCEPTED).count() == 1
