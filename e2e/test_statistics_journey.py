"""From the demo province: the statistician's dashboard, periodic report and annual review, and a
director's score clicked down to its dossiers, in a browser on a phone-sized screen.

The demo is loaded and its statistics refreshed as `make run` does. The province-wide
statistician ``thongke.danang`` opens the dashboard of the current year, follows it to the
periodic report of the same period and downloads it (XLSX, PDF), then writes the annual review
(DOCX, PDF); the director of the Department of Justice, ``lanhdao.tuphap``, opens the Decision
766 score of his department and clicks a number down to the list of its dossiers. Screenshots
go to ``$MOTCUA_SHOTS`` (default /tmp/shots-statistics/) for a person to look at.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.utils import timezone
from docx import Document
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.demo.services import demo_load
from motcua.statistics.services import statistics_refresh

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The migrations' seeded data (indicator sets, report forms, the review's template) are written
# again after an earlier transactional test flushed them (``seeded``, e2e/conftest.py).
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]
PASSWORD = "mat-khau-thu-nghiem"
SHOTS = Path(os.environ.get("MOTCUA_SHOTS", "/tmp/shots-statistics"))  # noqa: S108 - to look at
FAST = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign_in(page: Page, url: str, username: str, then: str) -> None:
    page.goto(f"{url}/can-bo/dang-nhap/?next={then}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(then)))


@override_settings(PASSWORD_HASHERS=FAST)
def test_statistician_produces_the_year_s_figures_report_and_review_and_a_director_clicks_down(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    with override_settings(MEDIA_ROOT=tmp_path):
        demo_load()
    statistics_refresh()
    users = get_user_model().objects
    for name in ("thongke.danang", "lanhdao.tuphap"):
        user = users.get(username=name)
        user.set_password(PASSWORD)
        user.save()
    year = timezone.localdate().year
    url = live_server.url

    # The dashboard of the province, this year.
    _sign_in(page, url, "thongke.danang", "/can-bo/thong-ke/")
    expect(page.locator("#stats-subject")).to_contain_text(f"Năm {year}")
    expect(page.locator("#chart-trend")).to_have_attribute("data-drawn", "true")
    _shot(page, "journey-1-dashboard")

    # The periodic report of the same period: on the page, then as XLSX and PDF.
    page.locator("#stats-report-link").click()
    expect(page.locator("#report-title")).to_be_visible()
    expect(page.locator("[data-span]")).to_contain_text(str(year))
    _shot(page, "journey-2-report")
    with page.expect_download() as xlsx:
        page.locator("a[href*='bao-cao.xlsx']").click()
    sheet = load_workbook(io.BytesIO(Path(xlsx.value.path()).read_bytes())).worksheets[0]
    cells = [str(c) for row in sheet.iter_rows(max_row=12, values_only=True) for c in row]
    assert any("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in c for c in cells)
    with page.expect_download() as pdf:
        page.locator("a[href*='bao-cao.pdf']").click()
    assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"

    # The annual review of the year, in Vietnamese prose, as DOCX and PDF.
    page.locator(".stats-subnav a[href='/can-bo/thong-ke/tong-ket/']").click()
    expect(page.locator("article.review-doc")).to_contain_text(f"Năm {year}")
    expect(page.locator("article.review-doc")).to_contain_text("dịch vụ bưu chính công ích")
    _shot(page, "journey-3-review")
    with page.expect_download() as docx:
        page.locator("a[href*='/tong-ket/tai/docx/']").click()
    text = "\n".join(
        p.text for p in Document(io.BytesIO(Path(docx.value.path()).read_bytes())).paragraphs
    )
    assert "Phụ lục: nguồn số liệu" in text
    with page.expect_download() as review_pdf:
        page.locator("a[href*='/tong-ket/tai/pdf/']").click()
    assert Path(review_pdf.value.path()).read_bytes()[:4] == b"%PDF"

    # A director: his department's score, a number clicked down to its dossiers.
    page.context.clear_cookies()
    _sign_in(page, url, "lanhdao.tuphap", "/can-bo/thong-ke/chi-so-766/")
    expect(page.locator("main")).to_contain_text("Sở Tư pháp")
    _shot(page, "journey-4-score")
    link = page.locator("main a[href^='/can-bo/thong-ke/ho-so/']").first
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(r"/can-bo/thong-ke/ho-so/"))
    expect(page.locator(".facts-count")).to_be_visible()
    _shot(page, "journey-5-dossiers")
