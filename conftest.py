"""Shared pytest fixtures; personas live in motcua/testing.py."""

from __future__ import annotations

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Store uploaded files of each test in a temporary folder."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def _esign_demo_dir(tmp_path_factory: pytest.TempPathFactory) -> object:
    return tmp_path_factory.mktemp("esign")


@pytest.fixture(autouse=True)
def _esign_in_tmp(settings: object, _esign_demo_dir: object) -> None:
    """Keep the demo CA and agency certificates of the tests (made once a session) in a tmp dir."""
    settings.ESIGN_DEMO_DIR = _esign_demo_dir  # type: ignore[attr-defined]
    settings.ESIGN_PKCS12_DIR = _esign_demo_dir / "agencies"  # type: ignore[attr-defined,operator]
    settings.ESIGN_TRUST_ROOTS = _esign_demo_dir / "ca.pem"  # type: ignore[attr-defined,operator]


@pytest.fixture(autouse=True)
def _payments_settle_in_place(settings: object) -> None:
    """Run the payments worker's tasks where they are queued (tests of the queue set it back)."""
    settings.TASKS = {  # type: ignore[attr-defined]
        **settings.TASKS,  # type: ignore[attr-defined]
        "payments": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["payments"],
        },
    }


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Start every test with an empty cache (it is per process and outlives a test)."""
    from django.core.cache import cache

    cache.clear()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip PostgreSQL-only tests on SQLite."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Hash test passwords with a cheap hasher: the real one costs ~0.3 s per password."""
    settings.PASSWORD_HASHERS = [  # type: ignore[attr-defined]
        "django.contrib.auth.hashers.MD5PasswordHasher"
    ]


@pytest.fixture(autouse=True)
def _anonymous_submission(settings: object) -> None:
    """Let tests submit without an identity, as they did before sign-in existed.

    Production refuses it (MOTCUA_ANONYMOUS_SUBMISSION off); the identity's
    tests (motcua/applicants) turn it off again.
    """
    settings.MOTCUA_ANONYMOUS_SUBMISSION = True  # type: ignore[attr-defined]
