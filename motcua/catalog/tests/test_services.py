from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.services import (
    VERSION_IN_USE,
    ComponentSpec,
    FeeSpec,
    procedure_publish_version,
    procedure_update,
    procedure_version_revise,
    version_is_in_use,
)
from motcua.core.errors import Conflict, ValidationFailed
from motcua.organisation.models import Agency
from motcua.testing import OneStopUnitFactory

from .conftest import Publish

pytestmark = pytest.mark.django_db


def use_in_a_dossier(version: ProcedureVersion) -> None:
    """Point a dossier at ``version``, without the catalogue importing the dossiers app."""
    now = timezone.now()
    apps.get_model("dossiers", "Dossier").objects.create(
        code="000.00.00.H17-250101-0001",
        procedure=version.procedure,
        procedure_version=version,
        receiving_unit=OneStopUnitFactory(),
        competent_agency=version.procedure.agency,
        channel=2,
        delivery="counter",
        applicant_name="Nguyễn Văn An",
        applicant_id_number="048090000001",
        applicant_phone="0905123456",
        applicant_address="Hải Châu, Đà Nẵng",
        submitted_at=now,
        received_at=now,
        due_at=now,
    )


def test_publishing_a_new_version_keeps_the_old_one_intact(publish: Publish) -> None:
    procedure = publish("2.001418.000.00.00.H17", "Cấp Phiếu lý lịch tư pháp")
    first = procedure.current_version
    assert first is not None

    second = procedure_publish_version(
        procedure=procedure,
        name="Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        processing_time_value=Decimal(10),
        components=[ComponentSpec(name="Tờ khai mới", originals=1, copies=1)],
        fees=[FeeSpec(kind="fee", amount=200000, code="P1", name="Phí")],
        eform=[],
    )

    procedure.refresh_from_db()
    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert procedure.current_version == second
    assert procedure.name == "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"
    assert procedure.processing_time_value == 10
    assert "cong dan viet nam" in procedure.search_text
    assert first.name == "Cấp Phiếu lý lịch tư pháp"
    assert first.processing_time_value == 5
    assert [c.name for c in first.components.all()] == ["Tờ khai"]
    assert [f.amount for f in first.fees.all()] == [8000]
    assert [c.name for c in second.components.all()] == ["Tờ khai mới"]


def test_search_text_holds_name_codes_field_and_agency_folded(publish: Publish) -> None:
    procedure = publish("1.001193.000.00.00.H17", "Đăng ký khai sinh")
    assert procedure.search_text == (
        "dang ky khai sinh 1.001193.000.00.00.h17 1.001193 ho tich so tu phap"
    )


def test_a_version_used_by_a_dossier_cannot_be_revised(publish: Publish) -> None:
    procedure = publish("1.001193.000.00.00.H17", "Đăng ký khai sinh")
    version = procedure.current_version
    assert version is not None and not version_is_in_use(version)
    use_in_a_dossier(version)
    assert version_is_in_use(version)

    version.legal_basis = "Sửa"
    with pytest.raises(Conflict) as caught:
        procedure_version_revise(version=version)

    assert caught.value.message == VERSION_IN_USE
    version.refresh_from_db()
    assert version.legal_basis == ""


def test_an_unused_version_can_be_corrected_and_the_procedure_follows(publish: Publish) -> None:
    procedure = publish("1.001193.000.00.00.H17", "Đăng ký khai sinh")
    version = procedure.current_version
    assert version is not None
    version.name = "Đăng ký khai sinh (sửa)"
    procedure_version_revise(version=version)
    assert Procedure.objects.get(pk=procedure.pk).name == "Đăng ký khai sinh (sửa)"


@pytest.mark.parametrize(
    ("value", "same_day"), [(Decimal(-1), False), (Decimal(0), False), (Decimal("nan"), False)]
)
def test_invalid_processing_time_is_refused(
    publish: Publish, value: Decimal, same_day: bool
) -> None:
    procedure = publish("1.001193.000.00.00.H17", "Đăng ký khai sinh")
    with pytest.raises(ValidationFailed) as caught:
        procedure_publish_version(
            procedure=procedure,
            name="Đăng ký khai sinh",
            processing_time_value=value,
            same_day_cutoff_applies=same_day,
        )
    assert "processing_time_value" in caught.value.field_errors
    assert procedure.versions.count() == 1


def test_same_day_is_zero_days_with_the_cutoff_rule(publish: Publish) -> None:
    procedure = publish(
        "1.001193.000.00.00.H17",
        "Đăng ký khai sinh",
        processing_time_value=0,
        same_day_cutoff_applies=True,
    )
    assert procedure.processing_time_value == 0


def test_identity_update_recomputes_search_text(publish: Publish, xay_dung: Agency) -> None:
    procedure = publish("1.009974.000.00.00.H17", "Gia hạn giấy phép xây dựng")
    assert procedure_update(procedure=procedure, agency=xay_dung, accepts_post=False) == ["agency"]
    assert "so xay dung" in procedure.search_text


def test_renaming_a_field_or_agency_refreshes_search_text(
    publish: Publish, tu_phap: Agency
) -> None:
    from motcua.catalog.selectors import procedure_search
    from motcua.catalog.services import field_upsert, procedures_refresh_search_text

    publish("1.001193.000.00.00.H17", "Đăng ký khai sinh")
    field_upsert(code="ho-tich", name="Hộ tịch và quốc tịch")
    tu_phap.name = "Sở Tư pháp thành phố"
    tu_phap.save()
    assert procedures_refresh_search_text(agency=tu_phap) == 1
    assert procedure_search(q="quoc tich thanh pho").count() == 1
