from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.utils import timezone, translation

from motcua.audit.models import AuditEntry
from motcua.catalog.fees import Tier
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.services import (
    VERSION_IN_USE,
    ComponentSpec,
    FeeExemptionSpec,
    FeeSpec,
    field_upsert,
    procedure_create,
    procedure_publish_version,
    procedure_update,
    procedure_version_revise,
    version_content,
    version_is_in_use,
    version_snapshot,
)
from motcua.core.errors import Conflict, ValidationFailed
from motcua.organisation.models import Agency
from motcua.testing import OneStopUnitFactory, UserFactory

from .conftest import Publish

pytestmark = pytest.mark.django_db


def use_in_a_dossier(version: ProcedureVersion) -> None:
    """Point a dossier at ``version``, without the catalogue importing the dossiers app."""
    now = timezone.now()
    apps.get_model("dossiers", "Dossier").objects.create(
        code="000.00.00.H15-250101-0001",
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
    procedure = publish("2.001418.000.00.00.H15", "Cấp Phiếu lý lịch tư pháp")
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
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    assert procedure.search_text == (
        "dang ky khai sinh 1.001193.000.00.00.h15 1.001193 ho tich so tu phap"
    )


def test_a_version_used_by_a_dossier_cannot_be_revised(publish: Publish) -> None:
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
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
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
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
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
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
        "1.001193.000.00.00.H15",
        "Đăng ký khai sinh",
        processing_time_value=0,
        same_day_cutoff_applies=True,
    )
    assert procedure.processing_time_value == 0


def test_identity_update_recomputes_search_text(publish: Publish, xay_dung: Agency) -> None:
    procedure = publish("1.009974.000.00.00.H15", "Gia hạn giấy phép xây dựng")
    assert procedure_update(procedure=procedure, agency=xay_dung, accepts_post=False) == ["agency"]
    assert "so xay dung" in procedure.search_text


def test_renaming_a_field_or_agency_refreshes_search_text(
    publish: Publish, tu_phap: Agency
) -> None:
    from motcua.catalog.selectors import procedure_search
    from motcua.catalog.services import field_upsert, procedures_refresh_search_text

    publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    field_upsert(code="ho-tich", name="Hộ tịch và quốc tịch")
    tu_phap.name = "Sở Tư pháp thành phố"
    tu_phap.save()
    assert procedures_refresh_search_text(agency=tu_phap) == 1
    assert procedure_search(q="quoc tich thanh pho").count() == 1


# --- Fee rules and the audit log ---------------------------------------------------------------

PAGES_EFORM = [
    {"name": "pages", "label": "Số trang", "type": "number", "required": True},
    {"name": "copies", "label": "Số bản", "type": "number", "required": True},
]
PER_PAGE = FeeSpec(
    kind="fee",
    amount=2000,
    code="P-CT",
    name="Phí chứng thực",
    basis="page",
    tiers=(Tier(3, 1000),),
    cap=200_000,
    pages_field="pages",
    copies_field="copies",
    legal_basis="Thông tư số 226/2016/TT-BTC",
)
POOR = FeeExemptionSpec(
    code="HO-NGHEO", name="Hộ nghèo", fee_codes=("P-CT",), proof="Giấy chứng nhận hộ nghèo"
)


def test_fee_rules_and_exemptions_are_published_with_the_version(publish: Publish) -> None:
    procedure = publish(
        "2.000815.000.00.00.H17",
        "Chứng thực bản sao",
        eform=PAGES_EFORM,
        fees=[PER_PAGE],
        fee_exemptions=[POOR],
    )
    version = procedure.current_version
    assert version is not None
    fee = version.fees.get()
    assert (fee.code, fee.basis, fee.tiers, fee.cap, fee.due) == (
        "P-CT", "page", [{"from": 3, "amount": 1000}], 200_000, "before"
    )  # fmt: skip
    exemption = version.fee_exemptions.get()
    assert (exemption.code, exemption.fee_codes, exemption.percent) == ("HO-NGHEO", "P-CT", 100)
    content = version_content(version)
    assert (content.fees, content.fee_exemptions) == ((PER_PAGE,), (POOR,))


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"fees": [replace(PER_PAGE, pages_field="")]}, "fees"),
        ({"fees": [replace(PER_PAGE, pages_field="sheets")]}, "fees"),
        ({"fees": [PER_PAGE, replace(PER_PAGE, name="Lần hai")]}, "fees"),
        ({"fees": [replace(PER_PAGE, code="")], "fee_exemptions": []}, "fees"),
        ({"fee_exemptions": [replace(POOR, fee_codes=("LP",))]}, "fee_exemptions"),
        ({"fee_exemptions": [replace(POOR, proof="")]}, "fee_exemptions"),
        ({"fee_exemptions": [POOR, POOR]}, "fee_exemptions"),
    ],
)
def test_a_bad_fee_rule_is_refused_and_nothing_is_published(
    publish: Publish, changes: dict[str, Any], key: str
) -> None:
    procedure = publish("2.000815.000.00.00.H17", "Chứng thực bản sao")
    content = {
        "name": "Chứng thực bản sao",
        "processing_time_value": 1,
        "eform": PAGES_EFORM,
        "fees": [PER_PAGE],
        "fee_exemptions": [POOR],
        **changes,
    }
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        procedure_publish_version(procedure=procedure, **content)
    assert list(caught.value.field_errors) == [key]
    assert all(str(m).startswith(("Fee ", "Exemption ")) for m in caught.value.field_errors[key])
    assert procedure.versions.count() == 1
    # Only the first publication (the fixture's) was audited: the refused one left nothing.
    assert AuditEntry.objects.filter(action="procedure.publish_version").count() == 1


def test_creating_updating_and_publishing_leave_audit_entries(
    publish: Publish, xay_dung: Agency
) -> None:
    admin = UserFactory(username="quantri")
    procedure = procedure_create(
        code="1.009974.000.00.00.H17",
        national_code="1.009974",
        name="Gia hạn giấy phép xây dựng",
        field=field_upsert(code="xay-dung", name="Xây dựng"),
        agency=xay_dung,
        level="province",
        actor=admin,
    )
    procedure_update(procedure=procedure, actor=admin, accepts_post=True)
    procedure_update(procedure=procedure, actor=admin, accepts_post=True)  # no change, no entry
    first = procedure_publish_version(
        procedure=procedure,
        name="Gia hạn giấy phép xây dựng",
        processing_time_value=5,
        fees=[FeeSpec(kind="charge", amount=15_000, code="LP", name="Lệ phí", due="after")],
        actor=admin,
    )
    second = procedure_publish_version(
        procedure=procedure,
        name="Gia hạn giấy phép xây dựng",
        processing_time_value=5,
        fees=[FeeSpec(kind="charge", amount=10_000, code="LP", name="Lệ phí", due="after")],
        actor=admin,
    )

    # The history's row (catalog.history) is tested in test_history.
    entries = list(AuditEntry.objects.exclude(action="procedure.provision_record").order_by("id"))
    assert [e.action for e in entries] == [
        "procedure.create",
        "procedure.update",
        "procedure.publish_version",
        "procedure.publish_version",
    ]
    assert all(e.actor == admin for e in entries)
    created, updated, published, republished = entries
    assert created.after is not None and created.after["code"] == "1.009974.000.00.00.H17"
    assert (updated.before, updated.after) == ({"accepts_post": False}, {"accepts_post": True})
    assert published.before is None
    assert (published.object_type, published.object_id) == (
        "catalog.procedureversion", str(first.pk)
    )  # fmt: skip
    assert republished.object_id == str(second.pk)
    assert republished.before is not None and republished.after is not None
    assert republished.before["fees"][0]["amount"] == 15_000
    assert republished.after["fees"][0]["amount"] == 10_000
    assert republished.after["fees"][0]["due"] == "after"


def test_revising_a_version_is_audited_with_its_fees_before_and_after(publish: Publish) -> None:
    procedure = publish("2.000815.000.00.00.H17", "Chứng thực bản sao")
    version = procedure.current_version
    assert version is not None
    before = version_snapshot(version)
    version.fees.update(amount=9000)
    procedure_version_revise(version=version, actor=UserFactory(), before=before)

    entry = AuditEntry.objects.get(action="procedure_version.revise")
    assert entry.before is not None and entry.after is not None
    assert (entry.before["fees"][0]["amount"], entry.after["fees"][0]["amount"]) == (8000, 9000)


def test_a_revision_that_breaks_a_fee_rule_is_refused_with_its_audit_entry(
    publish: Publish,
) -> None:
    procedure = publish("2.000815.000.00.00.H17", "Chứng thực bản sao")
    version = procedure.current_version
    assert version is not None
    with pytest.raises(ValidationFailed), transaction.atomic():
        version.fees.update(basis="page")  # a per-page fee needs its count of pages
        procedure_version_revise(version=version)
    assert version.fees.get().basis == "dossier"
    assert not AuditEntry.objects.filter(action="procedure_version.revise").exists()
