"""The applicant's payments API: bearer identity only, same services as the pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIRequestFactory, force_authenticate

from motcua.applicants.tests.factories import BINH, applicant_user, signed_in
from motcua.dossiers.models import DossierState
from motcua.payments import api
from motcua.payments.models import Payment
from motcua.testing import Cast

from .conftest import ID_NUMBER, waiting
from .gateway import signed

pytestmark = pytest.mark.django_db


def call(view: Any, pin: str | None, data: Any = None, **kwargs: Any) -> Any:
    factory = APIRequestFactory()
    request = factory.post("/", data, format="json") if data is not None else factory.get("/")
    if pin is not None:
        force_authenticate(request, user=applicant_user(pin))
    response = view(request, **kwargs)
    response.render()
    return response


def test_the_applicant_pays_through_the_api(client: Client, cast: Cast) -> None:
    first, second = waiting(cast), waiting(cast, amount=12_000)
    owed = call(api.payable, ID_NUMBER)
    assert owed.status_code == 200
    assert {row["code"]: row["amount"] for row in owed.data} == {
        first.code: 8000,
        second.code: 12_000,
    }
    assert owed.data[0]["lines"][0]["rule_text"].startswith("Mức thu")
    started = call(api.start, ID_NUMBER, {"dossiers": [first.code, second.code], "gateway": "fake"})
    assert started.status_code == 201
    assert started.data["state"] == "pending" and started.data["amount"] == 20_000
    assert started.data["redirect_url"].startswith("https://pay.example/")
    reference = started.data["reference"]
    client.get("/thanh-toan/ipn/fake/", signed(reference, 20_000))
    seen = call(api.payment, ID_NUMBER, reference=reference)
    assert seen.data["state"] == "paid"
    assert seen.data["receipt_url"] == f"/thanh-toan/bien-lai/{reference}/"
    assert sorted(seen.data["dossiers"]) == sorted([first.code, second.code])
    first.refresh_from_db()
    assert first.state == DossierState.ACCEPTED


def test_the_api_refuses_without_identity_bad_input_and_others_payments(
    client: Client, cast: Cast
) -> None:
    dossier = waiting(cast)
    assert call(api.payable, None).status_code == 401
    assert call(api.start, None, {"dossiers": [dossier.code], "gateway": "fake"}).status_code == 401
    bad = call(api.start, ID_NUMBER, {"dossiers": [], "gateway": ""})
    assert bad.status_code == 400
    assert "error" in json.loads(bad.content)
    assert (
        call(api.start, BINH.id_number, {"dossiers": [dossier.code], "gateway": "fake"}).status_code
        == 409
    )
    started = call(api.start, ID_NUMBER, {"dossiers": [dossier.code], "gateway": "fake"})
    reference = started.data["reference"]
    assert call(api.payment, BINH.id_number, reference=reference).status_code == 404
    assert Payment.objects.count() == 1
    # The session is not the API's identity.
    signed_in(client)
    response = client.post(
        "/api/v1/applicant/payments",
        {"dossiers": [dossier.code], "gateway": "fake"},
        content_type="application/json",
    )
    assert response.status_code == 401
