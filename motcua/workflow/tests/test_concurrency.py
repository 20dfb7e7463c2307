"""Two officers acting on one dossier at once, on PostgreSQL: exactly one succeeds.

Each action locks the dossier row; the second caller waits, then finds the
dossier changed: a Conflict with a clear message, nothing half-written.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import connection

from motcua.core.errors import Conflict
from motcua.dossiers.models import Dossier, DossierEvent, DossierState, EventKind
from motcua.staff.models import Role
from motcua.testing import (
    Cast,
    DossierFactory,
    ProcedureFactory,
    StaffRoleFactory,
    UserFactory,
    cast_create,
)
from motcua.workflow import services
from motcua.workflow.models import DossierStep

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(calls: list[Callable[[], object]]) -> tuple[int, list[Conflict], list[BaseException]]:
    """Run ``calls`` in threads released at once; return successes, conflicts, other errors."""
    successes: list[Any] = []
    conflicts: list[Conflict] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls))

    def worker(call: Callable[[], object]) -> None:
        try:
            barrier.wait()
            successes.append(call())
        except Conflict as exc:
            conflicts.append(exc)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(successes), conflicts, errors


def _dossier(cast: Cast) -> Dossier:
    return DossierFactory(procedure=ProcedureFactory(agency=cast.agency), receiving_unit=cast.unit)


def test_two_officers_accepting_at_once_one_succeeds_the_other_gets_a_conflict() -> None:
    cast = cast_create()
    second_officer = UserFactory(username="thu")
    StaffRoleFactory(user=second_officer, role=Role.RECEIVING_OFFICER, agency=cast.unit)
    dossier = _dossier(cast)

    done, conflicts, errors = race(
        [
            partial(services.dossier_accept, dossier=dossier, actor=officer)
            for officer in (cast.receiving_officer, second_officer)
        ]
    )

    assert (done, errors) == (1, [])
    assert [c.message for c in conflicts] == [services.NOT_WAITING_FOR_INTAKE]
    dossier.refresh_from_db()
    assert (dossier.state, dossier.revision) == (DossierState.ACCEPTED, 1)
    assert DossierEvent.objects.filter(dossier=dossier, kind=EventKind.ACCEPTED).count() == 1
    assert DossierStep.objects.filter(dossier=dossier, finished_at=None).count() == 1


def test_two_specialists_taking_one_step_at_once_one_gets_it() -> None:
    cast = cast_create()
    dossier = services.dossier_accept(dossier=_dossier(cast), actor=cast.receiving_officer)

    done, conflicts, errors = race(
        [
            partial(services.dossier_claim, dossier=dossier, actor=who)
            for who in (cast.specialist, cast.second_specialist)
        ]
    )

    assert (done, len(conflicts), errors) == (1, 1, [])
    assert DossierEvent.objects.filter(dossier=dossier, kind=EventKind.ASSIGNED).count() == 1


def test_leader_returning_while_specialist_forwards_from_the_same_revision_one_wins() -> None:
    cast = cast_create()
    dossier = services.dossier_accept(dossier=_dossier(cast), actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_forward(dossier=dossier, actor=cast.specialist)
    dossier.refresh_from_db()
    seen = dossier.revision

    done, conflicts, errors = race(
        [
            lambda: services.dossier_send_back(
                dossier=dossier, actor=cast.leader, reason="Làm lại", expected_revision=seen
            ),
            lambda: services.dossier_stop(
                dossier=dossier, actor=cast.leader, reason="Dừng", expected_revision=seen
            ),
        ]
    )

    assert (done, errors) == (1, [])
    assert [c.message for c in conflicts] == [services.STALE]
    dossier.refresh_from_db()
    assert dossier.revision == seen + 1
    assert DossierStep.objects.filter(dossier=dossier, finished_at=None).count() <= 1
