"""A provincial statistician reads the statistics dashboard on a phone and clicks down to dossiers.

At 390x844: signs in, opens the dashboard (this year), changes the period to
the third quarter, sees the charts drawn by Chart.js under the Content
Security Policy (no violation, no script error), clicks the number of dossiers
finished late and finds the list with the same count; the public statistics
page draws its charts too. Screenshots go to ``$MOTCUA_SHOTS`` (default
/tmp/shots-statistics/) for a person to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.staff.models import Role
from motcua.statistics.tests.test_dashboard import province_with_facts
from motcua.testing import StaffRoleFactory, UserFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem"
SHOTS = Path(os.environ.get("MOTCUA_SHOTS", "/tmp/shots-statistics"))  # noqa: S108 - to look at
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def _shot(page: Page, name: str) -> None:
    """Save the whole page, and what the phone's screen shows, for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-full.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _no_violation(page: Page, errors: list[str]) -> None:
    assert page.evaluate("window.__violations") == []
    assert errors == []


def test_statistician_changes_the_period_and_clicks_down_to_the_dossiers(
    page: Page, live_server: LiveServer
) -> None:
    prov = province_with_facts()
    user = UserFactory(username="thongke")
    user.set_password(PASSWORD)
    user.save()
    StaffRoleFactory(user=user, role=Role.STATISTICIAN, agency=prov.committee)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(LISTEN)

    page.goto(f"{live_server.url}/can-bo/thong-ke/")
    page.fill("#id_username", "thongke")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/can-bo/thong-ke/"))
    expect(page.locator("#stats-subject")).to_contain_text("Năm 2026")
    _shot(page, "dashboard-year-390")

    # The period: the third quarter of 2026.
    if not page.locator("#stats-form").is_visible():
        page.locator(".stats-picker summary").click()
    page.select_option("#ky", "quarter")
    page.fill("#nam", "2026")
    page.select_option("#so", "3")
    page.locator("#stats-form button[type=submit]").click()
    expect(page.locator("#stats-subject")).to_contain_text("Quý III/2026")
    trend = page.locator("#chart-trend")
    expect(trend).to_have_attribute("data-drawn", "true")
    expect(page.locator("#chart-groups")).to_have_attribute("data-drawn", "true")
    expect(page.locator("#chart-returned")).to_have_attribute("data-drawn", "true")
    box = trend.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 200
    # Something was drawn: the canvas is not blank.
    assert page.evaluate(
        """() => { const c = document.getElementById('chart-trend');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; } return false; }"""
    )
    # Nothing wider than the phone but the tables' own scrolling boxes.
    _shot(page, "dashboard-quarter-390")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')].filter(e => {
            const r = e.getBoundingClientRect(); return r.right > 391 && !e.closest('.table-wrap');
        }).map(e => `${e.tagName}.${e.className}#${e.id}`)"""
    )
    assert wide == []
    _no_violation(page, errors)
    page.locator("#trend-heading").scroll_into_view_if_needed()
    _shot(page, "dashboard-trend-390")
    page.locator("#groups-heading").scroll_into_view_if_needed()
    _shot(page, "dashboard-groups-390")
    page.locator("#returned-heading").scroll_into_view_if_needed()
    _shot(page, "dashboard-returned-390")

    late = page.locator('a[data-measure="fin_late"]')
    number = late.inner_text()
    assert number == "4"
    late.click()
    expect(page.locator("#facts-heading .facts-count")).to_have_text(number)
    expect(page.locator("#facts-heading")).to_contain_text("Quý III/2026")
    assert page.locator("#facts-table tbody tr").count() == int(number)
    _no_violation(page, errors)
    _shot(page, "facts-390")


def test_the_public_statistics_page_draws_its_charts(page: Page, live_server: LiveServer) -> None:
    province_with_facts()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(LISTEN)
    page.goto(f"{live_server.url}/thong-ke/")
    expect(page.locator("canvas[data-chart='trend']").first).to_have_attribute("data-drawn", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _no_violation(page, errors)
    _shot(page, "public-390")
