from __future__ import annotations

import pytest

from motcua.audit.models import AuditEntry
from motcua.core.errors import ValidationFailed
from motcua.organisation.models import Agency, AgencyKind, GovernmentLevel
from motcua.organisation.services import (
    AGENCY_KIND_CENTRAL,
    AGENCY_KIND_DEPTH,
    AGENCY_KIND_LOCAL,
    AGENCY_PARENT_MISMATCH,
    AGENCY_PARENT_MISSING,
    AGENCY_TOP_HAS_PARENT,
    agency_upsert,
)
from motcua.territory.models import AdministrativeUnit
from motcua.testing import ProvinceFactory

pytestmark = pytest.mark.django_db


def upsert(code: str, kind: str = AgencyKind.DEPARTMENT, **kwargs: object) -> Agency:
    province = AdministrativeUnit.objects.filter(code="48").first() or ProvinceFactory()
    return agency_upsert(
        code=code,
        name=kwargs.pop("name", f"Cơ quan {code}"),  # type: ignore[arg-type]
        kind=kind,
        level=GovernmentLevel.PROVINCE,
        administrative_unit=province,
        **kwargs,  # type: ignore[arg-type]
    )


def test_agency_upsert_creates_then_updates_by_official_code() -> None:
    ubnd = upsert("000.00.00.H15", AgencyKind.PEOPLES_COMMITTEE, name="UBND")
    upsert("000.00.00.H15", AgencyKind.PEOPLES_COMMITTEE, name="Ủy ban nhân dân thành phố Đà Nẵng")

    ubnd.refresh_from_db()
    assert ubnd.name == "Ủy ban nhân dân thành phố Đà Nẵng"
    assert Agency.objects.count() == 1


def test_every_change_is_audited_once_and_a_rerun_writes_nothing() -> None:
    for name in ["UBND", "UBND", "Ủy ban nhân dân thành phố Đà Nẵng"]:
        upsert("000.00.00.H15", AgencyKind.PEOPLES_COMMITTEE, name=name)

    entries = list(AuditEntry.objects.filter(action="agency_upsert").order_by("id"))
    assert len(entries) == 2
    assert entries[0].before is None
    assert entries[1].before is not None and entries[1].after is not None
    assert (entries[1].before["name"], entries[1].after["name"]) == (
        "UBND",
        "Ủy ban nhân dân thành phố Đà Nẵng",
    )


def test_commune_committees_and_centres_sit_under_the_province() -> None:
    ubnd = upsert("000.00.00.H15", AgencyKind.PEOPLES_COMMITTEE)
    commune = upsert("000.00.21.H15", AgencyKind.COMMUNE_COMMITTEE, parent=ubnd)
    centre = upsert("000.01.21.H15", AgencyKind.COMMUNE_CENTRE, parent=commune)

    assert centre.parent == commune and commune.parent == ubnd


KINDS = AgencyKind


@pytest.mark.parametrize(
    ("code", "kind", "expected"),
    [
        # A commune committee coded as a level-3 unit (under a district, gone since 2025).
        (
            "000.21.05.H15",
            KINDS.COMMUNE_COMMITTEE,
            AGENCY_KIND_DEPTH.format(
                kind=KINDS.COMMUNE_COMMITTEE.label, expected="2", code="000.21.05.H15", depth=3
            ),
        ),
        (
            "000.00.05.H15",
            KINDS.COMMUNE_CENTRE,
            AGENCY_KIND_DEPTH.format(
                kind=KINDS.COMMUNE_CENTRE.label, expected="3", code="000.00.05.H15", depth=2
            ),
        ),
        (
            "000.00.48.G01",
            KINDS.DEPARTMENT,
            AGENCY_KIND_LOCAL.format(kind=KINDS.DEPARTMENT.label, issuer="G01"),
        ),
        ("000.00.31.H15", KINDS.MINISTRY_BRANCH, AGENCY_KIND_CENTRAL.format(issuer="H15")),
    ],
)
def test_a_code_that_does_not_fit_the_kind_is_refused_and_nothing_written(
    code: str, kind: str, expected: str
) -> None:
    with pytest.raises(ValidationFailed) as error:
        upsert(code, kind)

    assert error.value.field_errors["code"] == [expected]
    assert not Agency.objects.filter(code=code).exists()
    assert not AuditEntry.objects.exists()


def test_the_parent_must_be_the_agency_the_code_names() -> None:
    ubnd = upsert("000.00.00.H15", AgencyKind.PEOPLES_COMMITTEE)
    finance = upsert("000.00.06.H15", parent=ubnd)

    with pytest.raises(ValidationFailed) as wrong:
        upsert("000.01.21.H15", AgencyKind.COMMUNE_CENTRE, parent=finance)
    with pytest.raises(ValidationFailed) as missing:
        upsert("000.00.05.H15")
    with pytest.raises(ValidationFailed) as top:
        upsert("000.00.00.H15", AgencyKind.PEOPLES_COMMITTEE, parent=finance)

    assert wrong.value.field_errors["parent"] == [
        AGENCY_PARENT_MISMATCH.format(code="000.01.21.H15", parent="000.00.21.H15")
    ]
    assert missing.value.field_errors["parent"] == [
        AGENCY_PARENT_MISSING.format(code="000.00.05.H15", parent="000.00.00.H15")
    ]
    assert top.value.field_errors["parent"] == [AGENCY_TOP_HAS_PARENT.format(code="000.00.00.H15")]
    assert Agency.objects.count() == 2


def test_an_agency_of_a_ministry_whose_ministry_is_not_kept_here_has_no_parent() -> None:
    police = upsert("000.00.48.G01", AgencyKind.MINISTRY_BRANCH)
    ward_police = upsert("000.21.48.G01", AgencyKind.MINISTRY_BRANCH, parent=police)

    assert police.parent is None and ward_police.parent == police
