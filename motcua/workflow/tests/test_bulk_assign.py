"""Bulk assignment tells another agency's staff nothing of the dossiers they may not see.

A code of such a dossier gets the answer of a code that does not exist (the
same refusal, word for word, in the service, the API and the back office), and
the call reads, changes and locks nothing of it: on PostgreSQL, a row of
another agency held by another transaction does not make the call wait.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from motcua.dossiers.models import Dossier, DossierEvent
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create
from motcua.workflow import services
from motcua.workflow.models import DossierStep
from motcua.workflow.selectors import DOSSIER_NOT_FOUND

MISSING = "000.00.00.H15-260105-9999"
NOT_FOUND = str(DOSSIER_NOT_FOUND)


@pytest.fixture
def cast() -> Cast:
    return cast_create()


def accepted(cast: Cast, *, agency: Any) -> Dossier:
    """Return a dossier of ``agency``'s procedure, received and accepted at the cast's unit."""
    received = DossierFactory(procedure=ProcedureFactory(agency=agency), receiving_unit=cast.unit)
    return services.dossier_accept(dossier=received, actor=cast.receiving_officer)


def untouched(dossier: Dossier) -> tuple[object, ...]:
    dossier.refresh_from_db()
    return (
        dossier.state,
        dossier.revision,
        DossierEvent.objects.filter(dossier=dossier).count(),
        DossierStep.objects.get(dossier=dossier, finished_at=None).assignee_id,
    )


# --- The answer ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_another_agencys_dossier_is_refused_as_a_code_that_does_not_exist(cast: Cast) -> None:
    theirs = accepted(cast, agency=cast.agency)  # Sở Tư pháp's; the outsider is Sở Xây dựng's
    before = untouched(theirs)

    outcome = services.dossiers_assign(
        codes=[theirs.code, MISSING], actor=cast.outsider, assignee=cast.outsider
    )

    assert outcome.done == []
    assert outcome.refused == {
        theirs.code: NOT_FOUND,
        MISSING: NOT_FOUND,
    }
    assert untouched(theirs) == before


@pytest.mark.django_db
def test_own_dossiers_are_assigned_and_another_agencys_in_the_same_call_is_not_found(
    cast: Cast,
) -> None:
    mine = accepted(cast, agency=cast.agency)
    theirs = accepted(cast, agency=cast.other_agency)
    before = untouched(theirs)

    outcome = services.dossiers_assign(
        codes=[theirs.code, mine.code], actor=cast.leader, assignee=cast.specialist
    )

    assert outcome.done == [mine.code]
    assert outcome.refused == {theirs.code: NOT_FOUND}
    assert untouched(mine)[3] == cast.specialist.pk
    assert untouched(theirs) == before


@pytest.mark.django_db
def test_a_code_with_a_nul_byte_is_a_code_that_does_not_exist(cast: Cast) -> None:
    mine = accepted(cast, agency=cast.agency)

    outcome = services.dossiers_assign(
        codes=[mine.code + "\x00", mine.code], actor=cast.leader, assignee=cast.specialist
    )

    assert outcome.done == [mine.code]
    assert outcome.refused == {mine.code + "\x00": NOT_FOUND}


@pytest.mark.django_db
def test_the_api_answers_the_same_for_another_agencys_dossier_and_a_missing_code(
    cast: Cast,
) -> None:
    theirs = accepted(cast, agency=cast.agency)
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=cast.outsider)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    url = reverse("api-staff-assign")

    foreign = client.post(
        url, {"codes": [theirs.code], "assignee": cast.outsider.username}, format="json"
    )
    missing = client.post(
        url, {"codes": [MISSING], "assignee": cast.outsider.username}, format="json"
    )

    assert foreign.status_code == missing.status_code == 200
    assert foreign.json() == {"done": [], "refused": {theirs.code: missing_reason(missing)}}
    assert missing.json() == {"done": [], "refused": {MISSING: missing_reason(missing)}}
    assert untouched(theirs)[3] is None


def missing_reason(response: Any) -> str:
    reason: str = response.json()["refused"][MISSING]
    assert reason == "Không có hồ sơ nào mang mã này."  # the page's language: Vietnamese
    return reason


@pytest.mark.django_db
def test_the_back_office_answers_the_same_for_another_agencys_dossier_and_a_missing_code(
    client: Client, cast: Cast
) -> None:
    theirs = accepted(cast, agency=cast.agency)
    client.force_login(cast.outsider)

    def said(code: str) -> list[str]:
        response = client.post(
            reverse("backoffice:bulk-assign"),
            {"codes": [code], "assignee": cast.outsider.pk},
            follow=True,
        )
        assert response.status_code == 200
        return [str(m).replace(code, "<code>") for m in response.context["messages"]]

    assert said(theirs.code) == said(MISSING) == ["<code>: Không có hồ sơ nào mang mã này."]
    assert untouched(theirs)[3] is None


# --- The locks (PostgreSQL) ----------------------------------------------------------------


@pytest.fixture
def held_elsewhere() -> Iterator[Any]:
    """Hold a dossier's row ``FOR UPDATE`` in another connection until the test ends."""
    locked, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold(pk: int) -> None:
        try:
            with transaction.atomic():
                Dossier.objects.select_for_update().get(pk=pk)
                locked.set()
                release.wait(timeout=60)
        except BaseException as exc:
            errors.append(exc)
            locked.set()
        finally:
            connection.close()

    threads: list[threading.Thread] = []

    def start(dossier: Dossier) -> None:
        thread = threading.Thread(target=hold, args=(dossier.pk,))
        threads.append(thread)
        thread.start()
        assert locked.wait(timeout=30)
        assert errors == []

    yield start
    release.set()
    for thread in threads:
        thread.join(timeout=30)


def lock_timeout(ms: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SET lock_timeout = {int(ms)}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_row_of_another_agency_locked_elsewhere_does_not_hold_up_the_bulk_call(
    cast: Cast, held_elsewhere: Any
) -> None:
    mine = accepted(cast, agency=cast.agency)
    theirs = accepted(cast, agency=cast.other_agency)
    held_elsewhere(theirs)
    # Were the call to wait for the held row, it would fail after this long.
    lock_timeout(2000)
    try:
        outcome = services.dossiers_assign(
            codes=[theirs.code, mine.code], actor=cast.leader, assignee=cast.specialist
        )
        assert outcome.done == [mine.code]
        assert outcome.refused == {theirs.code: NOT_FOUND}

        # The other agency's own leader does wait for it: the lock is really held.
        with pytest.raises(OperationalError, match="lock"):
            services.dossiers_assign(
                codes=[theirs.code], actor=cast.outsider, assignee=cast.outsider
            )
    finally:
        lock_timeout(0)
