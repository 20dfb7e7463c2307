"""Fixtures of the portal's tests: a birth registration procedure and a citizen's answers."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Procedure
from motcua.portal.tests.files import minimal_pdf
from motcua.testing import OneStopUnitFactory, ProcedureFactory

APPLICANT = {
    "applicant_kind": "person",
    "applicant_name": "Nguyễn Thị Hoa",
    "applicant_id_number": "048185012345",
    "applicant_phone": "0905123456",
    "applicant_email": "hoa.nguyen@example.vn",
    "applicant_address": "12 Lê Lợi, Phường Hải Châu, Thành phố Đà Nẵng",
}


@pytest.fixture
def birth_registration(db: None) -> Procedure:
    OneStopUnitFactory()  # receives the dossiers submitted online
    return ProcedureFactory(name="Đăng ký khai sinh")


@pytest.fixture
def submission(birth_registration: Procedure) -> dict[str, Any]:
    """Return a complete, valid submission of the birth registration form."""
    version = birth_registration.current_version
    assert version is not None
    required = [c for c in version.components.all() if c.is_required]
    data: dict[str, Any] = {
        **APPLICANT,
        "delivery": "counter",
        "delivery_address": "",
        "eform-child_name": "Nguyễn Minh Khang",
        "eform-birth_date": "2025-07-01",
        "eform-note": "",
        "idempotency_key": str(uuid.uuid4()),
    }
    for component in required:
        data[f"component-{component.pk}"] = SimpleUploadedFile(
            "to-khai.pdf", minimal_pdf(), content_type="application/pdf"
        )
    return data
