from __future__ import annotations

import pytest

from motcua.testing import StatisticsCast, statistics_cast_create


@pytest.fixture
def cast(db: None) -> StatisticsCast:
    return statistics_cast_create()
