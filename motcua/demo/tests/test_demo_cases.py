"""The demo procedures whose law gives some cases another legal time have them as data."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import version_cases
from motcua.demo.services import DemoSummary

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("national_code", "ordinary", "verification"),
    [
        ("2.001418", Decimal(10), Decimal(15)),  # judicial record certificate
        ("1.000894", Decimal(0), Decimal(5)),  # marriage registration, same day
        ("1.001022", Decimal(3), Decimal(8)),  # recognition of parents and children
    ],
)
def test_procedures_that_take_longer_with_verification_have_the_case(
    demo: DemoSummary, national_code: str, ordinary: Decimal, verification: Decimal
) -> None:
    procedure = Procedure.objects.filter(national_code=national_code).first()
    assert procedure is not None and procedure.current_version_id is not None

    cases = version_cases(procedure.current_version_id)

    assert [(c.code, c.value, c.unit) for c in cases] == [
        ("", ordinary, "days"),
        ("XAC-MINH", verification, "days"),
    ]
    assert cases[1].legal_basis


def test_other_procedures_have_only_their_ordinary_time(demo: DemoSummary) -> None:
    birth = Procedure.objects.filter(national_code="1.001193").first()
    assert birth is not None and birth.current_version_id is not None
    assert len(version_cases(birth.current_version_id)) == 1
