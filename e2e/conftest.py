"""Browser fixtures: one headless Debian chromium per test session, driven by Playwright.

Playwright's sync API runs an event loop in the test's thread, which makes
Django refuse database access unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the
Makefile sets it, and so does this module for a bare ``pytest e2e``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch Debian's chromium once per session (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """Open a fresh context (no cookies) with a phone-sized viewport, in Vietnamese."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="vi-VN",
        accept_downloads=True,
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


# Migrations that seed data a journey needs: a transactional test before it flushed them.
SEEDING_MIGRATIONS = (
    "motcua.targets.migrations.0002_seed_indicators",
    "motcua.sector.migrations.0002_seed_metrics",
    "motcua.indicators.migrations.0002_seed_766",
    "motcua.reports.migrations.0002_forms_circular_01_2020",
    "motcua.review.migrations.0002_default_template",
)


@pytest.fixture
def seeded(transactional_db: None) -> None:
    """Write the migrations' seeded data again when an earlier test flushed it."""
    import importlib

    from django.apps import apps

    from motcua.reports.models import ReportForm

    if ReportForm.objects.exists():
        return
    for name in SEEDING_MIGRATIONS:
        importlib.import_module(name).seed(apps, None)
