"""Ratings: once per dossier after the result is returned; tallies; the pages and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory, force_authenticate

from motcua.applicants.tests.factories import HOA, applicant_user
from motcua.applicants.tests.factories import signed_in as identity_signed_in
from motcua.core.errors import Conflict, NotFound, ValidationFailed
from motcua.dossiers.models import Dossier, DossierState
from motcua.ratings import api, services
from motcua.ratings.criteria import CRITERIA
from motcua.ratings.models import Criterion, Rating, RatingScore, RatingTally
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create

pytestmark = pytest.mark.django_db

PIN = "001090000001"  # DossierFactory's applicant
OTHER_PIN = "079200000002"


@pytest.fixture
def cast() -> Cast:
    return cast_create()


def returned(cast: Cast, **kwargs: Any) -> Dossier:
    procedure = kwargs.pop("procedure", None) or ProcedureFactory(agency=cast.agency)
    kwargs.setdefault("state", DossierState.RESULT_RETURNED)
    return DossierFactory(procedure=procedure, receiving_unit=cast.unit, **kwargs)


def all_levels(level: int, **other: Any) -> dict[str, Any]:
    return {c.code: other.get(c.code, level) for c in CRITERIA}


def tally(criterion: str, **scope: Any) -> dict[int, int]:
    row = RatingTally.objects.get(criterion__code=criterion, **scope)
    return row.counts


# --- Service ---------------------------------------------------------------------------------


def test_the_criteria_are_seeded_as_data_with_their_source() -> None:
    rows = list(Criterion.objects.order_by("order"))
    assert [c.code for c in rows] == [c.code for c in CRITERIA]
    assert rows[0].code == "overall"
    assert all(c.source for c in rows)


def test_a_rating_is_recorded_once_with_a_score_per_criterion_and_the_tallies_follow(
    cast: Cast,
) -> None:
    first, second = returned(cast), returned(cast)

    rating = services.rating_submit(
        dossier=first.code,
        applicant_id_number=PIN,
        scores=all_levels(5, staff_attitude=2),
        comment="Cán bộ chưa nhiệt tình",
    )
    services.rating_submit(dossier=second.code, applicant_id_number=PIN, scores=all_levels(4))

    assert rating.comment == "Cán bộ chưa nhiệt tình"
    assert RatingScore.objects.filter(rating=rating).count() == len(CRITERIA)
    assert (rating.agency, rating.receiving_unit) == (cast.agency, cast.unit)
    assert tally("overall", agency=cast.agency) == {5: 1, 4: 1, 3: 0, 2: 0, 1: 0}
    assert tally("staff_attitude", agency=cast.agency) == {5: 0, 4: 1, 3: 0, 2: 1, 1: 0}
    assert tally("overall", procedure=first.procedure) == {5: 1, 4: 0, 3: 0, 2: 0, 1: 0}


def test_a_second_rating_is_refused_and_counts_nothing(cast: Cast) -> None:
    dossier = returned(cast)
    services.rating_submit(dossier=dossier.code, applicant_id_number=PIN, scores=all_levels(5))

    with pytest.raises(Conflict) as caught:
        services.rating_submit(dossier=dossier.code, applicant_id_number=PIN, scores=all_levels(1))

    assert caught.value.message == services.ALREADY_RATED
    assert Rating.objects.count() == 1
    assert tally("overall", agency=cast.agency)[1] == 0


@pytest.mark.parametrize(
    "state", [DossierState.IN_PROCESS, DossierState.PROCESSED, DossierState.WITHDRAWN]
)
def test_a_dossier_is_rated_only_once_its_result_is_returned(cast: Cast, state: str) -> None:
    dossier = returned(cast, state=state)

    with pytest.raises(Conflict) as caught:
        services.rating_submit(dossier=dossier.code, applicant_id_number=PIN, scores=all_levels(5))

    assert caught.value.message == services.NOT_RETURNED
    assert not Rating.objects.exists() and not RatingTally.objects.exists()


@pytest.mark.parametrize("pin", [OTHER_PIN, "", " "])
def test_someone_elses_dossier_is_not_found(cast: Cast, pin: str) -> None:
    dossier = returned(cast)

    with pytest.raises(NotFound):
        services.rating_submit(dossier=dossier.code, applicant_id_number=pin, scores=all_levels(5))

    assert not Rating.objects.exists()


def test_every_missing_or_bad_level_and_unknown_criterion_is_said_at_once(cast: Cast) -> None:
    dossier = returned(cast)
    scores = all_levels(5, overall=0, publicity="x")
    del scores["contacts"]
    scores["invented"] = 5

    with pytest.raises(ValidationFailed) as caught:
        services.rating_submit(dossier=dossier.code, applicant_id_number=PIN, scores=scores)

    assert set(caught.value.field_errors) == {"overall", "publicity", "contacts", "invented"}
    assert not Rating.objects.exists()


def test_a_retired_criterion_is_no_longer_asked(cast: Cast) -> None:
    Criterion.objects.filter(code="feedback").update(is_active=False)
    dossier = returned(cast)
    scores = all_levels(4)
    del scores["feedback"]

    rating = services.rating_submit(dossier=dossier.code, applicant_id_number=PIN, scores=scores)

    assert RatingScore.objects.filter(rating=rating).count() == len(CRITERIA) - 1


# --- Pages -----------------------------------------------------------------------------------


def signed_in(client: Client, pin: str = PIN) -> Client:
    """Sign ``client`` in as the applicant holding identification number ``pin``."""
    identity_signed_in(client, HOA, id_number=pin, subject=f"sub-{pin}")
    return client


def form(level: int) -> dict[str, Any]:
    return {f"criterion-{code}": level for code, level in all_levels(level).items()}


def test_the_applicant_rates_from_the_page_once(client: Client, cast: Cast) -> None:
    dossier = returned(cast)
    url = f"/ho-so-cua-toi/{dossier.code}/danh-gia/"
    page = signed_in(client).get(url)
    assert page.status_code == 200
    assert "Rất hài lòng" in page.content.decode()

    response = client.post(url, {**form(5), "comment": "Tốt"})

    assert response.status_code == 302
    assert Rating.objects.filter(dossier=dossier).exists()
    assert "Cảm ơn" in client.get(url).content.decode()
    assert client.post(url, form(1)).status_code == 409


def test_an_incomplete_rating_shows_the_errors_and_keeps_the_choices(
    client: Client, cast: Cast
) -> None:
    dossier = returned(cast)
    data = form(4)
    del data["criterion-publicity"]

    response = signed_in(client).post(f"/ho-so-cua-toi/{dossier.code}/danh-gia/", data)

    assert response.status_code == 400
    assert 'value="4" required checked' in response.content.decode()
    assert not Rating.objects.exists()


@pytest.mark.parametrize("pin", [None, OTHER_PIN])
def test_someone_elses_rating_page_is_404(client: Client, cast: Cast, pin: str | None) -> None:
    dossier = returned(cast)
    if pin:
        signed_in(client, pin)
    url = f"/ho-so-cua-toi/{dossier.code}/danh-gia/"
    assert client.get(url).status_code == 404
    assert client.post(url, form(5)).status_code == 404
    assert not Rating.objects.exists()


def test_the_public_page_shows_counts_and_shares_never_comments_in_constant_queries(
    client: Client, cast: Cast
) -> None:
    counts = []
    for n in range(2):
        for _ in range(n + 1):
            dossier = returned(cast, procedure=ProcedureFactory(agency=cast.other_agency))
            services.rating_submit(
                dossier=dossier.code,
                applicant_id_number=PIN,
                scores=all_levels(5),
                comment="Nguyễn Văn An, 0912345678",
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/danh-gia/")
        counts.append(len(queries))
        text = response.content.decode()
        assert response.status_code == 200
        assert cast.other_agency.name in text
        assert "0912345678" not in text
    assert counts[0] == counts[1] <= 3
    assert "3 lượt đánh giá" in text and "100,0 %" in text


def test_staff_see_their_agencys_ratings_with_comments_and_no_one_elses(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.leader)
    counts = []
    for n in (1, 3):
        for _ in range(n):
            dossier = returned(cast)
            services.rating_submit(
                dossier=dossier.code,
                applicant_id_number=PIN,
                scores=all_levels(3),
                comment="Chờ lâu",
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/can-bo/danh-gia/")
        assert response.status_code == 200
        counts.append(len(queries))
    assert response.content.decode().count("Chờ lâu") == 4
    assert counts[0] == counts[1] <= 12

    client.force_login(cast.outsider)
    assert "Chờ lâu" not in client.get("/can-bo/danh-gia/").content.decode()
    client.logout()
    assert client.get("/can-bo/danh-gia/").status_code == 302


# --- API -------------------------------------------------------------------------------------


def api_rate(code: str, data: dict[str, Any], pin: str | None) -> Any:
    request = APIRequestFactory().post("/", data, format="json")
    if pin is not None:  # as the identity's bearer token would
        force_authenticate(request, user=applicant_user(pin))
    response = api.rate(request, code=code)
    response.render()
    return response


def test_the_api_rates_once_and_the_public_api_sums_it(client: Client, cast: Cast) -> None:
    dossier = returned(cast)

    response = api_rate(dossier.code, {"scores": all_levels(5), "comment": "Tốt"}, PIN)

    assert response.status_code == 201
    assert api_rate(dossier.code, {"scores": all_levels(5)}, PIN).status_code == 409
    body = client.get("/api/v1/ratings").json()
    agency = next(a for a in body["agencies"] if a["name"] == cast.agency.name)
    overall = next(c for c in agency["criteria"] if c["code"] == "overall")
    assert (agency["ratings"], overall["satisfied_percent"]) == (1, 100.0)
    assert "Tốt" not in json.dumps(body, ensure_ascii=False)


@pytest.mark.parametrize(
    ("pin", "data", "status"),
    [
        (None, {"scores": {}}, 401),
        (OTHER_PIN, {"scores": all_levels(5)}, 404),
        (PIN, {"scores": {"overall": 9}}, 400),
        (PIN, {"scores": "x"}, 400),
    ],
)
def test_the_rating_api_refuses_with_the_error_shape(
    cast: Cast, pin: str | None, data: dict[str, Any], status: int
) -> None:
    dossier = returned(cast)

    response = api_rate(dossier.code, data, pin)

    assert response.status_code == status
    assert set(json.loads(response.content)["error"]) >= {"code", "message"}
    assert not Rating.objects.exists()


def test_an_administrator_s_change_of_a_criterion_is_audited() -> None:
    from django.test import Client

    from motcua.audit.models import AuditEntry
    from motcua.ratings.models import Criterion
    from motcua.testing import UserFactory

    client = Client()
    client.force_login(UserFactory(username="quantri", is_staff=True, is_superuser=True))
    criterion = Criterion.objects.get(code="publicity")
    page = client.get(f"/admin/ratings/criterion/{criterion.pk}/change/")
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data |= {"is_active": "", "name": criterion.name + " (sửa)"}
    assert client.post(f"/admin/ratings/criterion/{criterion.pk}/change/", data).status_code == 302
    entry = AuditEntry.objects.get(action="ratings.criterion.save")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["is_active"], entry.after["is_active"]) == (True, False)
    assert getattr(entry.actor, "username", None) == "quantri"
