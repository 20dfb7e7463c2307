"""Fees on the citizen's pages: the rules, the live amount of the e-form, the submitted lines."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from motcua.catalog.fees import PROOF_REQUIRED
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierFee
from motcua.testing import ProcedureFactory, fee_rules_add

pytestmark = pytest.mark.django_db
EN = {"Cookie": "django_language=en"}  # the language switch's choice


@pytest.fixture
def certified(birth_registration: Procedure) -> Procedure:
    return fee_rules_add(birth_registration)


def test_the_procedure_page_shows_each_rule_in_words_and_the_exemptions(
    client: Client, certified: Procedure
) -> None:
    url = reverse("portal:procedure", kwargs={"code": certified.code})
    html = client.get(url, headers=EN).content.decode()
    assert "Phí chứng thực" in html
    assert "2.000 VND/page; from page 3: 1.000 VND/page; at most 200.000 VND/copy" in html
    assert "Exempt: Hộ nghèo" in html
    assert "Giấy chứng nhận hộ nghèo" in html  # the proof to show
    assert "Given by itself to dossiers submitted online." in html


def test_a_procedure_without_rules_is_free(client: Client, db: None) -> None:
    procedure = ProcedureFactory()
    assert procedure.current_version is not None
    procedure.current_version.fees.all().delete()
    url = reverse("portal:procedure", kwargs={"code": procedure.code})
    html = client.get(url, headers=EN).content.decode()
    assert "Free of charge." in html


def test_the_form_asks_for_the_claims_and_shows_the_amount_with_its_live_quote(
    client: Client, certified: Procedure
) -> None:
    url = reverse("portal:submit", kwargs={"code": certified.code})
    html = client.get(url, headers=EN).content.decode()
    assert 'name="fee_claim" value="HO-NGHEO"' in html
    assert 'name="fee_proof-HO-NGHEO"' in html
    assert 'for="fee_proof-HO-NGHEO"' in html
    quote = reverse("portal:fee-quote", kwargs={"code": certified.code})
    assert f'hx-get="{quote}"' in html
    # The live quote sends the counts and the claims, never the files or the applicant.
    selector = "[name='eform-pages'], [name='eform-copies'], [name='fee_claim']"
    assert f'hx-include="{selector}"'.replace("'", "&#x27;") in html
    assert "counted at intake" in html  # no pages yet: the per-page line waits


def test_the_live_quote_counts_what_was_typed(client: Client, certified: Procedure) -> None:
    quote = reverse("portal:fee-quote", kwargs={"code": certified.code})
    response = client.get(
        quote,
        {"eform-pages": "5", "eform-copies": "2"},
        headers={"HX-Request": "true", **EN},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "14.000 VND" in html
    assert "Exempt: Nộp trực tuyến" in html  # online, the charge is waived by itself
    bad = client.get(quote, {"eform-pages": "nhiều"}, headers=EN)
    assert "Enter a whole number from 0 to 100000." in bad.content.decode()


def test_the_counters_quote_reads_the_officers_counts(client: Client, certified: Procedure) -> None:
    quote = reverse("portal:fee-quote", kwargs={"code": certified.code})
    html = client.get(
        quote, {"channel": "1", "fee_qty-pages": "12", "fee_qty-copies": "3"}
    ).content.decode()
    assert "42.000" in html  # (2 x 2.000 + 10 x 1.000) x 3
    assert "8.000" in html  # at the counter the charge is not waived


def test_a_claim_without_its_proof_is_shown_next_to_its_input_and_nothing_is_written(
    client: Client, certified: Procedure, submission: dict[str, Any]
) -> None:
    url = reverse("portal:submit", kwargs={"code": certified.code})
    data = {**submission, "eform-pages": "3", "fee_claim": "HO-NGHEO"}
    with translation.override("en"):
        response = client.post(url, data, headers=EN)
        html = response.content.decode()
        assert response.status_code == 400
        assert 'id="fee_proof-HO-NGHEO-error"' in html
        assert str(PROOF_REQUIRED) in html
        assert 'href="#fee_proof-HO-NGHEO"' in html  # the summary links to the input
        assert 'value="HO-NGHEO" checked' in html  # the claim is shown back
    assert not Dossier.objects.exists()
    assert not DossierFee.objects.exists()


def test_the_submitted_page_shows_the_lines_recorded(
    client: Client, certified: Procedure, submission: dict[str, Any]
) -> None:
    url = reverse("portal:submit", kwargs={"code": certified.code})
    data = {
        **submission,
        "eform-pages": "5",
        "eform-copies": "2",
        "fee_claim": "HO-NGHEO",
        "fee_proof-HO-NGHEO": "GCN 12",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert [(f.code, f.amount) for f in dossier.fees.all()] == [("P-CT", 14_000), ("LP", 0)]
    token = parse_qs(urlsplit(response["Location"]).query)["token"][0]
    page = client.get(response["Location"], headers=EN).content.decode()
    assert token and "14.000 VND" in page
    assert "GCN 12" not in page  # the proof's reference is for the officer, not repeated here
