"""The leader approves in the back office, the applicant downloads the signed result and checks it.

The approval signs the electronic result (demo CA, PAdES, QR code of the
verification page); the applicant, on a phone, downloads it from their
dossier page and uploads it to the public verification page, which says it
is authentic; the page the QR code opens says who signed it and when.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.applicants.tests.factories import HOA, applicant_user
from motcua.dossiers.models import Dossier, DossierState
from motcua.esign.models import SignedResult
from motcua.esign.tests.conftest import at_leader
from motcua.testing import cast_create, pdf_upload
from motcua.workflow import services

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem"
SHOTS = Path(os.environ.get("MOTCUA_SCREENSHOTS", "var/screenshots"))


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _fits_the_screen(page: Page) -> None:
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide on a {widths[1]}px screen"


def test_leader_approves_and_the_applicant_downloads_and_verifies_the_signed_result(
    live_server: LiveServer, browser: Browser, page: Page, tmp_path: Path
) -> None:
    cast = cast_create()
    cast.leader.set_password(PASSWORD)
    cast.leader.save()
    dossier = at_leader(cast, id_number=HOA.id_number)

    # The leader approves in the back office: the result is signed then.
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    desk.set_default_timeout(20_000)
    leader = desk.new_page()
    leader.goto(f"{live_server.url}/can-bo/dang-nhap/")
    leader.fill("#id_username", cast.leader.username)
    leader.fill("#id_password", PASSWORD)
    leader.locator("main button[type=submit]").click()
    leader.wait_for_url(re.compile(r"/can-bo/(\?.*)?$"))
    leader.goto(f"{live_server.url}/can-bo/ho-so/{dossier.code}/")
    details = leader.locator('details:has(button[data-action="mark-processed"])')
    if details.count():
        details.locator("summary").click()
    leader.locator('button[data-action="mark-processed"]').click()
    expect(leader.locator(".flash")).to_be_visible()
    expect(leader.locator("#signed-results")).to_contain_text(f"{dossier.code}-KQ1")
    _shot(leader, "esign-1-leader-approved")
    desk.close()
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.PROCESSED
    signed = SignedResult.objects.get(result__dossier=dossier)

    # The applicant, signed in on a phone, downloads it from their dossier page.
    client = Client()
    client.force_login(
        applicant_user(HOA.id_number), backend="motcua.applicants.oidc.IdentityBackend"
    )
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"{live_server.url}/ho-so-cua-toi/{dossier.code}/")
    expect(page.locator("#ket-qua-dien-tu")).to_be_visible()
    _fits_the_screen(page)
    _shot(page, "esign-2-applicant-dossier")
    with page.expect_download() as download:
        page.locator("#ket-qua-dien-tu a[download]").click()
    saved = tmp_path / "ket-qua.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes() == signed.file.open("rb").read()

    # ... and checks it on the public verification page.
    page.goto(f"{live_server.url}/xac-minh/")
    page.set_input_files("#id_file", str(saved))
    page.locator("main form button[type=submit]").click()
    verdict = page.locator("[data-verdict]")
    expect(verdict).to_have_attribute("data-verdict", "authentic")
    expect(verdict).to_contain_text("Xác thực")
    _fits_the_screen(page)
    _shot(page, "esign-3-verified-upload")

    # The QR code's page says who signed it and when, and nothing of the applicant.
    page.goto(f"{live_server.url}/xac-minh/{signed.result.code}/")
    expect(page.locator("[data-state]")).to_have_attribute("data-state", "valid")
    expect(page.locator("main")).to_contain_text(cast.agency.name)
    expect(page.locator("main")).not_to_contain_text(dossier.applicant_name)
    _fits_the_screen(page)
    _shot(page, "esign-4-verification-page")


def test_the_officers_dossier_page_with_signed_results_fits_a_phone(
    live_server: LiveServer, page: Page
) -> None:
    """The leader's page of a dossier whose result was replaced, then revoked, at 390 px."""
    cast = cast_create()
    cast.leader.set_password(PASSWORD)
    cast.leader.save()
    dossier = at_leader(cast, id_number=HOA.id_number)
    services.dossier_mark_processed(dossier=dossier, actor=cast.leader)
    services.dossier_result_replace(
        dossier=dossier,
        actor=cast.leader,
        result=f"{dossier.code}-KQ1",
        name="Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền "
        "với đất (đính chính)",
        upload=pdf_upload("dinh-chinh.pdf"),
        reason="Đính chính địa chỉ thửa đất theo đơn của người nộp",
    )
    services.dossier_result_revoke(
        dossier=dossier, actor=cast.leader, result=f"{dossier.code}-KQ2", reason="Cấp nhầm"
    )
    page.goto(f"{live_server.url}/can-bo/dang-nhap/")
    page.fill("#id_username", cast.leader.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/can-bo/(\?.*)?$"))
    page.goto(f"{live_server.url}/can-bo/ho-so/{dossier.code}/")
    expect(page.locator("#signed-results")).to_contain_text(f"{dossier.code}-KQ2")
    _shot(page, "esign-5-officer-dossier-phone")
    _fits_the_screen(page)
