"""The applicant sending twice at once, on PostgreSQL: one answer, one rating, no orphan file."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from django.conf import settings

from motcua.dossiers.models import DossierFile, DossierState
from motcua.ratings import services as ratings
from motcua.ratings.criteria import CRITERIA, criteria_seed
from motcua.ratings.models import Criterion, Rating, RatingTally
from motcua.testing import DossierFactory, ProcedureFactory, cast_create, pdf_upload
from motcua.workflow import services
from motcua.workflow.models import SupplementItem
from motcua.workflow.services import applicant
from motcua.workflow.tests.test_concurrency import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PIN = "001090000001"


def test_two_answers_sent_at_once_make_one_and_leave_no_orphan_file() -> None:
    cast = cast_create()
    dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency), receiving_unit=cast.unit
    )
    services.dossier_request_supplement(
        dossier=dossier, actor=cast.receiving_officer, missing=["Tờ khai"], reason="Thiếu"
    )
    item = SupplementItem.objects.get(request__dossier=dossier)

    done, conflicts, errors = race(
        [
            partial(
                applicant.supplement_answer_online,
                dossier=dossier.code,
                applicant_id_number=PIN,
                files={item.pk: [pdf_upload()]},
            )
            for _ in range(2)
        ]
    )

    assert (done, len(conflicts), errors) == (1, 1, [])
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert len(stored) == DossierFile.objects.count() == 1


def test_two_ratings_sent_at_once_count_once() -> None:
    # A transactional test empties the tables after it: the seeded criteria again.
    criteria_seed(Criterion)
    cast = cast_create()
    dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency),
        receiving_unit=cast.unit,
        state=DossierState.RESULT_RETURNED,
    )
    scores = {c.code: 5 for c in CRITERIA}

    done, conflicts, errors = race(
        [
            partial(
                ratings.rating_submit, dossier=dossier.code, applicant_id_number=PIN, scores=scores
            )
            for _ in range(2)
        ]
    )

    assert (done, len(conflicts), errors) == (1, 1, [])
    assert Rating.objects.count() == 1
    overall = RatingTally.objects.get(agency=cast.agency, criterion__code="overall")
    assert overall.level_5 == 1
