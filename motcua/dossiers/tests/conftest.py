from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Procedure
from motcua.testing import OneStopUnitFactory, ProcedureFactory, pdf_bytes, png_bytes

PDF = pdf_bytes()
PNG = png_bytes()


def pdf(name: str = "to-khai.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


@pytest.fixture
def procedure(db: None) -> Procedure:
    OneStopUnitFactory(code="000.00.00.H15")
    procedure: Procedure = ProcedureFactory(name="Đăng ký khai sinh")
    return procedure


@pytest.fixture
def form(procedure: Procedure) -> dict[str, Any]:
    """A valid submission of ``procedure``, as multipart fields, without its files."""
    return {
        "procedure": procedure.code,
        "applicant_name": "Nguyễn Thị Hồng Nhung",
        "applicant_id_number": "048190001234",
        "applicant_phone": "0905 123 456",
        "applicant_email": "nhung@example.vn",
        "applicant_address": "12 Bạch Đằng, phường Hải Châu, Đà Nẵng",
        "delivery": "counter",
        "eform-child_name": "Trần Minh Khôi",
        "eform-birth_date": "2026-11-01",
    }


def required_key(procedure: Procedure) -> str:
    assert procedure.current_version is not None
    component = procedure.current_version.components.get(is_required=True)
    return f"component-{component.pk}"


def optional_key(procedure: Procedure) -> str:
    assert procedure.current_version is not None
    component = procedure.current_version.components.get(is_required=False)
    return f"component-{component.pk}"
