"""Catalogue test helpers: procedures built through the services, as real data is."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from motcua.catalog.models import OnlineLevel, Procedure
from motcua.catalog.services import (
    ComponentSpec,
    FeeSpec,
    field_upsert,
    procedure_create,
    procedure_publish_version,
)
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.testing import SIMPLE_EFORM, AgencyFactory

Publish = Callable[..., Procedure]


@pytest.fixture
def tu_phap() -> Agency:
    return AgencyFactory(code="000.00.15.H15", name="Sở Tư pháp")


@pytest.fixture
def xay_dung() -> Agency:
    return AgencyFactory(code="000.00.20.H15", name="Sở Xây dựng")


@pytest.fixture
def phuong() -> Agency:
    return AgencyFactory(
        code="000.01.30.H15",
        name="UBND Phường Hải Châu",
        kind=AgencyKind.COMMUNE_COMMITTEE,
        level=GovernmentLevel.COMMUNE,
    )


@pytest.fixture
def publish(tu_phap: Agency) -> Publish:
    """Create and publish a procedure; keyword arguments override the defaults."""

    def make(
        code: str,
        name: str,
        *,
        agency: Agency | None = None,
        field: tuple[str, str] = ("ho-tich", "Hộ tịch"),
        level: str = GovernmentLevel.PROVINCE,
        online_level: str = OnlineLevel.FULL,
        **version: Any,
    ) -> Procedure:
        procedure = procedure_create(
            code=code,
            national_code=code.split(".000.")[0],
            name=name,
            field=field_upsert(code=field[0], name=field[1]),
            agency=agency or tu_phap,
            level=level,
            online_level=online_level,
            accepts_online=online_level != OnlineLevel.NONE,
        )
        defaults: dict[str, Any] = {
            "name": name,
            "processing_time_value": Decimal(5),
            "components": [ComponentSpec(name="Tờ khai", originals=1)],
            "fees": [FeeSpec(kind="charge", amount=8000, code="LP1", name="Lệ phí")],
            "eform": [dict(f) for f in SIMPLE_EFORM],
        }
        defaults.update(version)
        procedure_publish_version(procedure=procedure, **defaults)
        procedure.refresh_from_db()
        return procedure

    return make
