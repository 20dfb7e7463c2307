"""A citizen signs in with the (simulated) national identity, submits, finds it, signs out.

The portal's OIDC client talks to the identity simulator on the same live
server, over real HTTP, as `make run` does with one runserver: the token,
JWKS and userinfo requests come back to the server while it is answering the
callback (it serves each request in its own thread).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.applicants.models import Applicant
from motcua.applicants.tests.idp import rsa_pem
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.identity_sim.identities import identity_by_key
from motcua.identity_sim.services import portal_client_ensure
from motcua.testing import DossierFactory, OneStopUnitFactory, ProcedureFactory, pdf_bytes

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def simulator(live_server: LiveServer, settings: Any) -> Iterator[str]:
    """Point the portal at the simulator served by the live server, as `make run` does."""
    issuer = f"{live_server.url}/mo-phong-vneid"
    settings.MOTCUA_ANONYMOUS_SUBMISSION = False
    settings.MOTCUA_IDENTITY_ISSUER = issuer
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{issuer}/authorize/"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{issuer}/token/"
    settings.OIDC_OP_USER_ENDPOINT = f"{issuer}/userinfo/"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{issuer}/.well-known/jwks.json"
    settings.OIDC_OP_LOGOUT_ENDPOINT = f"{issuer}/logout/"
    settings.OAUTH2_PROVIDER = settings.OAUTH2_PROVIDER | {
        "OIDC_RSA_PRIVATE_KEY": rsa_pem(),
        "OIDC_ISS_ENDPOINT": issuer,
    }
    portal_client_ensure(site_urls=[live_server.url])
    yield issuer


@pytest.fixture
def birth_registration() -> Procedure:
    OneStopUnitFactory()
    procedure: Procedure = ProcedureFactory(name="Đăng ký khai sinh")
    return procedure


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"page is {width[0]}px wide on a {width[1]}px screen"


def test_citizen_signs_in_submits_finds_it_and_signs_out(
    live_server: LiveServer,
    simulator: str,
    page: Page,
    birth_registration: Procedure,
    tmp_path: Path,
) -> None:
    shots = Path(os.environ.get("MOTCUA_SCREENSHOTS", str(tmp_path)))
    citizen = identity_by_key("cong-dan-muc-2")
    assert citizen is not None
    # A dossier she handed in at the counter last month, under her number.
    DossierFactory(
        applicant_id_number=citizen.id_number,
        applicant_address="45 Trần Phú, phường Hải Châu, Đà Nẵng",
        channel=1,
    )

    # The submission page asks her to sign in with VNeID.
    page.goto(f"{live_server.url}/thu-tuc/{birth_registration.code}/nop-ho-so/")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").click()

    # The simulator says what it is; she picks her identity.
    page.wait_for_url(re.compile(r"/mo-phong-vneid/dang-nhap/"))
    expect(page.locator("main")).to_contain_text("MÔ PHỎNG")
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "identity-simulator-390.png"), full_page=True)
    page.get_by_role("button", name=f"Đăng nhập với danh tính {citizen.name}").click()

    # Back on the submission form: her identity is fixed, her last address prefilled.
    page.wait_for_url(re.compile(rf"/thu-tuc/{re.escape(birth_registration.code)}/nop-ho-so/"))
    id_number = page.locator("#id_applicant_id_number")
    expect(id_number).to_have_value(citizen.id_number)
    expect(id_number).to_have_attribute("readonly", "")
    expect(page.locator("#id_applicant_name")).to_have_value(citizen.name)
    expect(page.locator("#id_applicant_address")).to_have_value(
        "45 Trần Phú, phường Hải Châu, Đà Nẵng"
    )
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "submit-signed-in-390.png"), full_page=True)

    # Changing the read-only number in the page changes nothing on the server.
    page.evaluate(
        "() => { document.querySelector('#id_applicant_id_number').value = '001090000001'; }"
    )
    page.fill("#id_eform-child_name", "Nguyễn Minh Khang")
    page.fill("#id_eform-birth_date", "2025-07-01")
    version = birth_registration.current_version
    assert version is not None
    for component in version.components.all():
        if component.is_required:
            page.set_input_files(
                f"#id_component-{component.pk}",
                FilePayload(name="to-khai.pdf", mimeType="application/pdf", buffer=pdf_bytes()),
            )
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r"/da-nop/"))
    dossier = Dossier.objects.order_by("-id").first()
    assert dossier is not None
    assert dossier.applicant_id_number == citizen.id_number
    assert dossier.applicant_name == citizen.name

    # "Hồ sơ của tôi" on the phone: both dossiers, the new one first.
    page.get_by_role("link", name="Hồ sơ của tôi").click()
    page.wait_for_url(re.compile(r"/ho-so-cua-toi/$"))
    cards = page.locator("#dossiers-title + .my-list > li")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text(dossier.code)
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "my-dossiers-390.png"), full_page=True)

    cards.first.get_by_role("link", name="Đăng ký khai sinh").click()
    expect(page.locator("h1")).to_have_text(dossier.code)
    expect(page.locator("main")).to_contain_text("Bạn đã nộp hồ sơ trực tuyến.")
    _fits_the_screen(page)
    page.screenshot(path=str(shots / "my-dossier-390.png"), full_page=True)

    # Signing out ends her session here and at the provider, and brings her home.
    page.get_by_role("button", name="Đăng xuất").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/ho-so-cua-toi/")
    expect(page.get_by_role("link", name="Đăng nhập bằng VNeID")).to_be_visible()
    assert Applicant.objects.count() == 1
