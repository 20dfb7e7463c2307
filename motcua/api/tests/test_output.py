"""The fast output serializers give exactly DRF's bodies."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework import serializers

from motcua.api.output import OutputSerializer
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create, pdf_upload
from motcua.workflow import services
from motcua.workflow.selectors import InboxFilters, dossier_for_staff, inbox_rows
from motcua.workflow.serializers import InboxSerializer, StaffDossierSerializer

pytestmark = pytest.mark.django_db


def _drf(monkeypatch: pytest.MonkeyPatch, make: Any) -> Any:
    """Return ``make()``'s ``.data`` as DRF itself builds it (every level)."""
    with monkeypatch.context() as patched:
        patched.setattr(
            OutputSerializer, "to_representation", serializers.Serializer.to_representation
        )
        return make().data


def test_bodies_equal_drfs_own(monkeypatch: pytest.MonkeyPatch) -> None:
    cast: Cast = cast_create()
    dossier = DossierFactory(
        procedure=ProcedureFactory(agency=cast.agency),
        receiving_unit=cast.unit,
        applicant_name="Nguyễn Thị Hòa",
    )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_result_record(
        dossier=dossier, actor=cast.specialist, name="Giấy khai sinh", upload=pdf_upload()
    )
    services.dossier_forward(dossier=dossier, actor=cast.specialist)
    DossierFactory(procedure=dossier.procedure, receiving_unit=cast.unit)  # no step yet

    staff = dossier_for_staff(user=cast.leader, code=dossier.code)
    fast = StaffDossierSerializer(staff).data
    assert fast == _drf(monkeypatch, lambda: StaffDossierSerializer(staff))
    assert fast["results"] and fast["steps"] and fast["timeline"] and fast["current_step"]

    rows = inbox_rows(user=cast.receiving_officer, box="all", filters=InboxFilters())
    fast = InboxSerializer(rows).data
    assert fast == _drf(monkeypatch, lambda: InboxSerializer(rows))
    assert len(fast["results"]) == 2
    assert {r["current_step"] is None for r in fast["results"]} == {True, False}
