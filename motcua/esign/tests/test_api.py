"""The staff API's dossier body says what became of each result's signed copy."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.esign.models import SignedResult
from motcua.testing import pdf_upload
from motcua.workflow import services
from motcua.workflow.tests.test_api import client_for

from .conftest import AtLeader

pytestmark = pytest.mark.django_db


def _body(approved: AtLeader) -> dict[str, Any]:
    url = reverse("api-staff-dossier", kwargs={"code": approved.dossier.code})
    answer = client_for(approved.cast.leader).get(url)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def test_a_result_before_approval_is_not_signed(leader_step: AtLeader) -> None:
    assert [r["signed"] for r in _body(leader_step)["results"]] == [None]


def test_a_signed_result_says_when_by_whom_its_hash_state_and_page(approved: AtLeader) -> None:
    signed = SignedResult.objects.select_related("result").get(result__dossier=approved.dossier)
    results: list[dict[str, Any]] = _body(approved)["results"]
    (result,) = results
    assert result["code"] == f"{approved.dossier.code}-KQ1"
    facts = result["signed"]
    assert facts["sha256"] == signed.sha256
    assert facts["state"] == "valid" and facts["replaced_by"] == ""
    assert facts["signer"] == signed.signed_by_name
    assert facts["signer_username"] == approved.cast.leader.username
    assert facts["signed_at"].startswith(signed.signed_at.date().isoformat()[:4])
    assert facts["verification_url"].endswith(f"/xac-minh/{result['code']}/")


def test_revoked_and_replaced_results_say_so(approved: AtLeader) -> None:
    code = approved.dossier.code
    services.dossier_result_replace(
        dossier=approved.dossier,
        actor=approved.cast.leader,
        result=f"{code}-KQ1",
        name="Giấy phép (đính chính)",
        upload=pdf_upload("dinh-chinh.pdf"),
        reason="Đính chính",
    )
    services.dossier_result_revoke(
        dossier=approved.dossier, actor=approved.cast.leader, result=f"{code}-KQ2", reason="Sai"
    )
    states = [
        (r["code"], r["signed"]["state"], r["signed"]["replaced_by"])
        for r in _body(approved)["results"]
    ]
    assert states == [
        (f"{code}-KQ1", "replaced", f"{code}-KQ2"),
        (f"{code}-KQ2", "revoked", ""),
    ]


def test_the_signed_facts_cost_no_query_of_their_own(approved: AtLeader) -> None:
    url = reverse("api-staff-dossier", kwargs={"code": approved.dossier.code})
    client = client_for(approved.cast.leader)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    results = [q["sql"] for q in queries.captured_queries if "recorded_at" in q["sql"]]
    assert len(results) == 1  # the results' own query, with the signed copy joined
    assert "esign_signedresult" in results[0] and "signed_by_name" in results[0]


def test_the_schema_describes_the_signed_copy(client: Client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    signed = schema["components"]["schemas"]["SignedResult"]
    assert set(signed["properties"]) == {
        "signed_at",
        "signer",
        "signer_username",
        "sha256",
        "state",
        "replaced_by",
        "verification_url",
    }
    result = schema["components"]["schemas"]["Result"]["properties"]["signed"]
    assert result.get("nullable") or "oneOf" in result or "allOf" in result
