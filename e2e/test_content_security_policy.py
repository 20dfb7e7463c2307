"""The main pages work in a real browser under the Content Security Policy, which reports
nothing: the portal, the back office, the admin and the API docs.

Each page is opened with a listener of the browser's ``securitypolicyviolation`` events
(added by Playwright before any script of the page runs, so the policy does not block it),
and the console is read too. Screenshots go to ``$MOTCUA_SHOTS`` (default
/tmp/shots-headers/) for a person to look at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.testing import Cast, DossierFactory, ProcedureFactory, UserFactory, cast_create
from motcua.workflow import services

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem"
SHOTS = Path(os.environ.get("MOTCUA_SHOTS", "/tmp/shots-headers"))  # noqa: S108 - a place to look
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} `
    + `(${e.sourceFile || document.location.pathname}:${e.lineNumber})`);
});
"""


class Watched:
    """A page whose policy violations and console messages are kept."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", lambda message: self.console.append(message.text))
        page.on("pageerror", lambda error: self.console.append(f"error: {error}"))

    def open(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]

    def check(self, name: str) -> None:
        """Take a screenshot, then assert the page met no violation and no script error."""
        self.page.wait_for_load_state("networkidle")
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        violations = self.page.evaluate("() => window.__violations")
        reported = [m for m in self.console if "Content Security Policy" in m or "error" in m]
        assert (violations, reported) == ([], []), name
        self.console.clear()


@pytest.fixture
def watched(browser: Browser) -> Iterator[Any]:
    """Open desk-sized pages that listen for policy violations."""
    contexts = []

    def open_page() -> Watched:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        context.set_default_timeout(15_000)
        context.add_init_script(LISTEN)
        contexts.append(context)
        return Watched(context.new_page())

    yield open_page
    for context in contexts:
        context.close()


def sign_in(watched: Watched, live_server: LiveServer, username: str) -> None:
    watched.open(f"{live_server.url}/can-bo/dang-nhap/")
    watched.check("staff-sign-in")
    watched.page.fill("#id_username", username)
    watched.page.fill("#id_password", PASSWORD)
    watched.page.locator("main button[type=submit]").click()
    watched.page.wait_for_url(re.compile(r"/(can-bo|admin)/(\?.*)?$"))


@pytest.fixture
def cast() -> Cast:
    cast = cast_create()
    cast.receiving_officer.set_password(PASSWORD)
    cast.receiving_officer.save()
    return cast


@pytest.fixture
def procedure(cast: Cast) -> Procedure:
    return ProcedureFactory(agency=cast.agency, name="Đăng ký khai sinh")


@pytest.fixture
def dossier(cast: Cast, procedure: Procedure) -> Dossier:
    received = DossierFactory(procedure=procedure, receiving_unit=cast.unit)
    return services.dossier_accept(dossier=received, actor=cast.receiving_officer)


def test_the_portal_works_under_the_policy(
    live_server: LiveServer, watched: Any, procedure: Procedure, dossier: Dossier
) -> None:
    citizen: Watched = watched()
    citizen.open(live_server.url)
    citizen.check("portal-home")

    citizen.open(f"{live_server.url}/thu-tuc/")
    citizen.page.fill("#q", "khai sinh")  # htmx, without eval, updates the list
    expect(citizen.page.locator("#results")).to_contain_text(procedure.name)
    citizen.page.wait_for_url(re.compile(r"q=khai"))
    citizen.check("portal-search")

    citizen.open(f"{live_server.url}/thu-tuc/{procedure.code}/")
    expect(citizen.page.get_by_role("heading", level=1)).to_have_text(procedure.name)
    citizen.check("portal-procedure")

    citizen.open(f"{live_server.url}/thu-tuc/{procedure.code}/nop-ho-so/")
    citizen.page.locator('input[name="delivery"][value="post"]').check()  # portal.js
    expect(citizen.page.locator('input[name="delivery_address"]')).to_be_visible()
    citizen.check("portal-submission-form")

    citizen.open(f"{live_server.url}/tra-cuu/")
    citizen.check("portal-tracking")

    citizen.open(f"{live_server.url}/tra-cuu-ho-so/")
    citizen.page.fill("#lookup-id-number", "001090000001")
    citizen.page.fill("#lookup-phone", "0912345678")
    citizen.page.get_by_role("button", name="Gửi mã cho tôi").click()
    expect(citizen.page.locator("#lookup-code")).to_be_visible()
    citizen.check("portal-lookup-code")


def test_the_back_office_works_under_the_policy(
    live_server: LiveServer, watched: Any, cast: Cast, dossier: Dossier
) -> None:
    officer: Watched = watched()
    sign_in(officer, live_server, cast.receiving_officer.username)
    officer.check("backoffice-inbox")

    officer.open(f"{live_server.url}/can-bo/?box=all")
    officer.page.fill("input[name=q]", dossier.code)  # htmx filters the rows
    expect(officer.page.locator("#inbox-rows")).to_contain_text(dossier.code)
    officer.check("backoffice-inbox-search")

    officer.open(f"{live_server.url}/can-bo/ho-so/{dossier.code}/")
    expect(officer.page.locator("h1.dossier-code")).to_have_text(dossier.code)
    officer.check("backoffice-dossier")

    officer.open(f"{live_server.url}/can-bo/tiep-nhan/")
    officer.page.fill("#q", "khai sinh")
    expect(officer.page.locator("#procedure-results")).to_contain_text("Đăng ký khai sinh")
    officer.page.locator("#procedure-results").get_by_role("link", name="Đăng ký khai sinh").click()
    expect(officer.page.locator("#applicant_name")).to_be_visible()
    officer.check("backoffice-counter-intake")

    # Enrolling an authenticator app: the QR code is inline SVG, drawn without any style.
    officer.open(f"{live_server.url}/can-bo/xac-thuc-hai-buoc/")
    expect(officer.page.locator("div[role=img] svg")).to_be_visible()
    officer.check("staff-two-factor-qr")


def test_the_admin_and_the_api_docs_work_under_the_policy(
    live_server: LiveServer, watched: Any, procedure: Procedure
) -> None:
    admin = UserFactory(username="quantri", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    administrator: Watched = watched()
    sign_in(administrator, live_server, admin.username)

    administrator.open(f"{live_server.url}/admin/")
    expect(administrator.page.locator("#content-main")).to_be_visible()
    administrator.check("admin-index")

    administrator.open(f"{live_server.url}/admin/catalog/procedure/")
    expect(administrator.page.locator("#result_list")).to_contain_text(procedure.code)
    administrator.check("admin-procedures")

    administrator.open(f"{live_server.url}/admin/calendar/specialday/year/")
    administrator.check("admin-calendar-year")

    # A change form with the admin's date widget and its scripts.
    administrator.open(f"{live_server.url}/admin/calendar/specialday/add/")
    administrator.page.locator(".datetimeshortcuts a").last.click()  # the calendar opens
    expect(administrator.page.locator(".calendarbox").first).to_be_visible()
    administrator.check("admin-change-form")

    reader: Watched = watched()
    reader.open(f"{live_server.url}/api/v1/docs/")
    expect(reader.page.locator(".swagger-ui .info .title")).to_contain_text("motcua API")
    expect(reader.page.locator(".opblock").first).to_be_visible()
    reader.page.locator(".opblock-summary").first.click()  # an operation opens
    expect(reader.page.locator(".opblock-body").first).to_be_visible()
    reader.page.get_by_role("button", name="Try it out").first.click()
    expect(reader.page.locator(".opblock-body textarea").first).to_be_visible()
    reader.page.locator(".models .model-box-control").first.click()  # a schema unfolds
    reader.page.locator("button.authorize").click()  # the token dialog
    expect(reader.page.locator(".dialog-ux .modal-ux")).to_be_visible()
    reader.check("api-docs")


def test_the_watch_sees_what_the_policy_blocks(live_server: LiveServer, watched: Any) -> None:
    """The checks above can fail: an inline script and a style attribute are reported."""
    page: Watched = watched()
    page.open(live_server.url)
    page.page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "document.title = 'ran'";
            document.head.append(script);
            document.body.setAttribute("style", "background: red");
        }"""
    )

    with pytest.raises(AssertionError) as failed:
        page.check("blocked")

    assert "script-src-elem blocked inline" in str(failed.value)
    assert "style-src-attr blocked inline" in str(failed.value)
    assert page.page.title() != "ran"
