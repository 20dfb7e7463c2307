"""On a phone, the e-form's amount follows the counts and the claims as the citizen types."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.catalog.models import Procedure
from motcua.testing import OneStopUnitFactory, ProcedureFactory, fee_rules_add

from .test_citizen_journey import _assert_fits_the_screen

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def certified() -> Procedure:
    OneStopUnitFactory()
    return fee_rules_add(ProcedureFactory(name="Chứng thực bản sao"))


def test_the_amount_follows_the_counts_and_a_claim_asks_for_its_proof(
    live_server: LiveServer, page: Page, certified: Procedure, tmp_path: Path
) -> None:
    page.goto(f"{live_server.url}/thu-tuc/{certified.code}/nop-ho-so/")
    quote = page.locator("#fee-quote")
    # No pages yet: the per-page fee waits; online, the charge is waived by itself.
    expect(quote).not_to_contain_text("14.000")
    proof = page.locator("#fee_proof-HO-NGHEO")
    expect(proof).to_be_hidden()  # shown once its exemption is ticked

    page.fill("#id_eform-pages", "5")
    page.fill("#id_eform-copies", "2")
    expect(quote).to_contain_text("14.000 đồng")  # (2 x 2.000 + 3 x 1.000) x 2, by htmx
    page.fill("#id_eform-copies", "3")
    expect(quote).to_contain_text("21.000 đồng")

    page.check("#fee-claim-HO-NGHEO")
    expect(proof).to_be_visible()
    page.screenshot(path=str(tmp_path / "fees-390.png"), full_page=True)
    _assert_fits_the_screen(page)
