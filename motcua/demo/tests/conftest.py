"""The demo loaded once per test module: each test's writes roll back, then the demo's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker, Settings

from motcua.demo.services import DemoSummary, demo_load

# The demo makes 15 accounts; the production hasher would spend most of a load on them.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return where the module's demo stored its files (tests get their own MEDIA_ROOT)."""
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo(
    django_db_setup: None, django_db_blocker: DjangoDbBlocker, demo_media: Path
) -> Iterator[DemoSummary]:
    """Load the demo province in a transaction that is rolled back after the module."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=demo_media, PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        yield demo_load()
        transaction.set_rollback(True)
