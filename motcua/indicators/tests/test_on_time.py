"""The on-time rate counts the workflow's verdicts: each case pinned from the dossier to the score.

The verdict is ``workflow.services._base.finish_dossier``'s (``timing.outcome_of``):
supplement time is not counted (the due date moves on by the pause when the
supplement comes back: ``timing.pushed_by_pause``); more supplement requests
than the rules allow make a dossier late; an extended dossier is judged
against its original due date; a stopped dossier is judged; a withdrawn one
is not (``judged=False``) and is left out of the rate.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierState
from motcua.indicators import selectors
from motcua.statistics import periods
from motcua.statistics.facts import facts_of
from motcua.statistics.rollup import delta_of, rollup_apply
from motcua.statistics.scopes import subject_of
from motcua.testing import DossierFactory, UserFactory
from motcua.workflow.models import SupplementPhase, SupplementRequest
from motcua.workflow.services._base import Held, finish_dossier

pytestmark = pytest.mark.django_db

RECEIVED = timezone.make_aware(dt.datetime.combine(dt.date(2026, 3, 2), dt.time(9)))
DUE = RECEIVED + dt.timedelta(days=10)


def _dossier(**fields: object) -> Dossier:
    values: dict[str, object] = {"due_at": DUE, **fields}
    return DossierFactory(
        state=DossierState.IN_PROCESS, received_at=RECEIVED, submitted_at=RECEIVED, **values
    )


def _finish(dossier: Dossier, at: dt.datetime, state: str = DossierState.PROCESSED, *,
            judged: bool = True) -> Dossier:  # fmt: skip
    finish_dossier(Held(dossier=dossier, step=None, roles={}, now=at), judged=judged)
    dossier.state = state
    dossier.save()
    return dossier


def _supplements(dossier: Dossier, n: int) -> None:
    asker = UserFactory()
    for number in range(1, n + 1):
        SupplementRequest.objects.create(
            dossier=dossier, number=number, phase=SupplementPhase.PROCESSING,
            agency_id=dossier.competent_agency_id, reason="Thiếu giấy tờ",
            requested_at=RECEIVED + dt.timedelta(days=number), requested_by=asker,
        )  # fmt: skip
    dossier.supplement_requests = n
    dossier.save()


def _on_time(*dossiers: Dossier) -> tuple[float | None, float | None]:
    rollup_apply(delta_of(facts_of([d.pk for d in dossiers]).values()))
    subject = subject_of("agency", dossiers[0].competent_agency_id)
    card = selectors.scorecard(subject=subject, period=periods.quarter(2026, 1))
    td1 = next(i for g in card.groups for i in g.indicators if i.code == "TD1")
    return td1.numerator_total, td1.denominator_total


def test_finished_after_the_original_due_date_of_an_extended_dossier_is_late() -> None:
    extended = _dossier(original_due_at=DUE, due_at=DUE + dt.timedelta(days=5))
    _finish(extended, DUE + dt.timedelta(days=2))  # within the new date, after the first
    assert extended.outcome == "late"
    same_agency = {"procedure": extended.procedure, "receiving_unit": extended.receiving_unit}
    in_time = _dossier(original_due_at=DUE, due_at=DUE + dt.timedelta(days=5), **same_agency)
    _finish(in_time, DUE - dt.timedelta(hours=1))
    assert _on_time(extended, in_time) == (1, 2)


def test_supplement_time_is_not_counted_against_the_agency() -> None:
    # The pause moved the due date on by its length (timing.pushed_by_pause at resumption):
    # finished after the first due date but before the moved one is on time.
    paused = _dossier(due_at=DUE + dt.timedelta(days=4))
    _supplements(paused, 1)
    _finish(paused, DUE + dt.timedelta(days=3))
    assert paused.outcome in ("on_time", "early")
    assert _on_time(paused) == (1, 1)


def test_more_supplement_requests_than_allowed_make_a_dossier_late() -> None:
    many = _dossier()
    _supplements(many, 2)  # one per agency during processing is allowed
    _finish(many, RECEIVED + dt.timedelta(days=3))
    assert many.outcome == "late"
    once = _dossier(procedure=many.procedure, receiving_unit=many.receiving_unit)
    _supplements(once, 1)
    _finish(once, RECEIVED + dt.timedelta(days=3))
    assert once.outcome == "early"
    assert _on_time(many, once) == (1, 2)


def test_a_withdrawn_dossier_is_not_judged_and_left_out_of_the_rate() -> None:
    withdrawn = _dossier()
    _finish(withdrawn, DUE + dt.timedelta(days=9), DossierState.WITHDRAWN, judged=False)
    assert withdrawn.outcome == ""
    late = _dossier(procedure=withdrawn.procedure, receiving_unit=withdrawn.receiving_unit)
    _finish(late, DUE + dt.timedelta(days=1))
    assert _on_time(withdrawn, late) == (0, 1)


def test_a_stopped_dossier_is_judged_like_any_other() -> None:
    stopped = _dossier()
    _finish(stopped, DUE + dt.timedelta(days=1), DossierState.STOPPED)
    assert stopped.outcome == "late"
    assert _on_time(stopped) == (0, 1)
