"""The applicant's pages and API for a supplement answer and a withdrawal; the inbox's badge."""

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
from motcua.dossiers.models import Dossier, DossierFile, DossierState
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create, pdf_upload
from motcua.workflow import api_applicant, selectors, services
from motcua.workflow.models import SupplementItem
from motcua.workflow.services.intake import Missing

pytestmark = pytest.mark.django_db

PIN = "001090000001"  # DossierFactory's applicant
OTHER_PIN = "079200000002"


@pytest.fixture
def cast() -> Cast:
    return cast_create()


def waiting_dossier(cast: Cast, n_items: int = 2) -> Dossier:
    dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency), receiving_unit=cast.unit
    )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    return services.dossier_request_supplement(
        dossier=dossier,
        actor=cast.receiving_officer,
        missing=[Missing(f"Giấy tờ {n}", f"Lý do {n}") for n in range(1, n_items + 1)],
        reason="Hồ sơ chưa đầy đủ",
    )


@pytest.fixture
def waiting(cast: Cast) -> Dossier:
    return waiting_dossier(cast)


def signed_in(client: Client, pin: str = PIN) -> Client:
    """Sign ``client`` in as the applicant holding identification number ``pin``."""
    identity_signed_in(client, HOA, id_number=pin, subject=f"sub-{pin}")
    return client


def first_item(dossier: Dossier) -> SupplementItem:
    return SupplementItem.objects.filter(request__dossier=dossier).order_by("order")[0]


# --- Pages -----------------------------------------------------------------------------------


def test_the_supplement_page_lists_each_item_with_its_reason(
    client: Client, waiting: Dossier
) -> None:
    response = signed_in(client).get(f"/ho-so-cua-toi/{waiting.code}/bo-sung/")

    assert response.status_code == 200
    text = response.content.decode()
    assert "Giấy tờ 1" in text and "Lý do 2" in text and "Hồ sơ chưa đầy đủ" in text
    assert f'name="item-{first_item(waiting).pk}"' in text


@pytest.mark.parametrize("pin", [None, OTHER_PIN])
def test_someone_elses_or_nobodys_dossier_pages_are_404(
    client: Client, waiting: Dossier, pin: str | None
) -> None:
    if pin:
        signed_in(client, pin)
    for page in ("bo-sung", "rut"):
        assert client.get(f"/ho-so-cua-toi/{waiting.code}/{page}/").status_code == 404
        response = client.post(
            f"/ho-so-cua-toi/{waiting.code}/{page}/", {"reason": "x", "note": "x"}
        )
        assert response.status_code == 404
    waiting.refresh_from_db()
    assert waiting.state == DossierState.SUPPLEMENT_REQUESTED


def test_an_unknown_code_is_404(client: Client) -> None:
    assert signed_in(client).get("/ho-so-cua-toi/KHONG-CO/bo-sung/").status_code == 404


def test_the_applicant_sends_the_supplement_from_the_page(client: Client, waiting: Dossier) -> None:
    item = first_item(waiting)
    response = signed_in(client).post(
        f"/ho-so-cua-toi/{waiting.code}/bo-sung/",
        {f"item-{item.pk}": pdf_upload("giay-to.pdf"), "note": "Gửi bổ sung"},
    )

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.state == DossierState.ACCEPTED
    assert DossierFile.objects.filter(component__dossier=waiting).count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Không có yêu cầu bổ sung nào đang chờ" in page


def test_a_bad_file_shows_the_error_next_to_its_item_and_stores_nothing(
    client: Client, waiting: Dossier
) -> None:
    item = first_item(waiting)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("a.pdf", b"MZ not a pdf", "application/pdf")
    response = signed_in(client).post(
        f"/ho-so-cua-toi/{waiting.code}/bo-sung/", {f"item-{item.pk}": fake}
    )

    assert response.status_code == 400
    assert f'class="error-message" id="item-{item.pk}-error"' in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.state == DossierState.SUPPLEMENT_REQUESTED


def test_an_input_of_no_item_is_refused(client: Client, waiting: Dossier) -> None:
    response = signed_in(client).post(
        f"/ho-so-cua-toi/{waiting.code}/bo-sung/", {"item-999999": pdf_upload(), "note": "x"}
    )

    assert response.status_code == 400
    assert DossierFile.objects.count() == 0


def test_the_supplement_page_costs_the_same_queries_whatever_the_number_of_items(
    client: Client, cast: Cast
) -> None:
    counts = []
    signed_in(client)
    for n in (1, 6):
        dossier = waiting_dossier(cast, n)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/ho-so-cua-toi/{dossier.code}/bo-sung/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 6  # with the signed-in applicant of the session


def test_the_applicant_asks_to_withdraw_from_the_page(client: Client, cast: Cast) -> None:
    dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency), receiving_unit=cast.unit
    )
    signed_in(client)
    assert client.post(f"/ho-so-cua-toi/{dossier.code}/rut/", {"reason": " "}).status_code == 400

    with CaptureQueriesContext(connection) as queries:
        page = client.get(f"/ho-so-cua-toi/{dossier.code}/rut/")
    assert page.status_code == 200 and len(queries) <= 4  # with the session's applicant
    response = client.post(f"/ho-so-cua-toi/{dossier.code}/rut/", {"reason": "Không còn nhu cầu"})

    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.state, dossier.status) == (DossierState.WITHDRAWAL_REQUESTED, 7)
    assert (
        client.post(f"/ho-so-cua-toi/{dossier.code}/rut/", {"reason": "Lần nữa"}).status_code == 409
    )


# --- API -------------------------------------------------------------------------------------


def api_post(view: Any, code: str, data: dict[str, Any], pin: str | None, fmt: str) -> Any:
    request = APIRequestFactory().post("/", data, format=fmt)
    if pin is not None:  # as the identity's bearer token would
        force_authenticate(request, user=applicant_user(pin))
    response = view(request, code=code)
    response.render()
    return response


def test_the_api_answers_a_supplement_and_refuses_a_second_answer(waiting: Dossier) -> None:
    item = first_item(waiting)

    response = api_post(
        api_applicant.supplement_answer,
        waiting.code,
        {f"item-{item.pk}": pdf_upload(), "note": "Bổ sung"},
        PIN,
        "multipart",
    )

    assert response.status_code == 200
    assert response.data["state"] == DossierState.ACCEPTED
    again = api_post(
        api_applicant.supplement_answer, waiting.code, {"note": "Lần nữa"}, PIN, "multipart"
    )
    assert again.status_code == 409
    assert set(json.loads(again.content)["error"]) >= {"code", "message"}


@pytest.mark.parametrize(("pin", "status"), [(None, 401), (OTHER_PIN, 404)])
def test_the_api_needs_the_applicant_of_the_dossier(
    client: Client, waiting: Dossier, pin: str | None, status: int
) -> None:
    for view, fmt in (
        (api_applicant.supplement_answer, "multipart"),
        (api_applicant.withdrawal, "json"),
    ):
        response = api_post(view, waiting.code, {"note": "x", "reason": "x"}, pin, fmt)
        assert response.status_code == status
        assert "error" in json.loads(response.content)
    # The session is not the API's identity: a browser's cookie cannot act through the API.
    signed_in(client)
    response = client.post(f"/api/v1/applicant/dossiers/{waiting.code}/withdrawal", {"reason": "x"})
    assert response.status_code == 401
    waiting.refresh_from_db()
    assert waiting.state == DossierState.SUPPLEMENT_REQUESTED


def test_the_api_asks_to_withdraw_and_says_what_is_missing(waiting: Dossier) -> None:
    bad = api_post(api_applicant.withdrawal, waiting.code, {}, PIN, "json")
    assert bad.status_code == 400
    assert "reason" in json.loads(bad.content)["error"]["fields"]

    response = api_post(
        api_applicant.withdrawal, waiting.code, {"reason": "Không cần"}, PIN, "json"
    )

    assert response.status_code == 200
    assert (response.data["state"], response.data["status"]) == (
        DossierState.WITHDRAWAL_REQUESTED,
        7,
    )


# --- The officer's inbox ---------------------------------------------------------------------


def test_the_inbox_shows_a_supplement_answered_online(cast: Cast, client: Client) -> None:
    online = waiting_dossier(cast)
    at_counter = waiting_dossier(cast)
    services.supplement_answer_online(
        dossier=online.code, applicant_id_number=PIN, files={}, note="Đã bổ sung"
    )
    services.dossier_receive_supplement(dossier=at_counter, actor=cast.receiving_officer)

    rows = selectors.inbox_rows(user=cast.receiving_officer, box="all").rows

    badges = {row.code: row.supplement_online for row in rows}
    assert badges[online.code] is True
    assert badges[at_counter.code] is False
    client.force_login(cast.receiving_officer)
    page = client.get("/can-bo/?box=all").content.decode()
    assert page.count("Đã nhận bổ sung trực tuyến") == 1
