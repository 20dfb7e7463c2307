"""Revoking and replacing a signed result: entries of their own on the timeline, with the reason."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from motcua.applicants.tests.factories import signed_in
from motcua.dossiers.models import DossierEvent, EventKind
from motcua.testing import pdf_upload
from motcua.workflow import services

from .conftest import AtLeader

pytestmark = pytest.mark.django_db


def _code(approved: AtLeader) -> str:
    return f"{approved.dossier.code}-KQ1"


def test_a_revocation_is_a_result_revoked_entry_with_the_reason(
    approved: AtLeader, client: Client
) -> None:
    recorded = DossierEvent.objects.filter(kind=EventKind.RESULT_RECORDED).count()
    services.dossier_result_revoke(
        dossier=approved.dossier,
        actor=approved.cast.leader,
        result=_code(approved),
        reason="Sai ngày sinh",
    )
    entry = DossierEvent.objects.get(dossier=approved.dossier, kind=EventKind.RESULT_REVOKED)
    assert entry.note == f"{_code(approved)}: Sai ngày sinh"
    assert entry.is_public and entry.actor_id == approved.cast.leader.pk
    assert DossierEvent.objects.filter(kind=EventKind.RESULT_RECORDED).count() == recorded

    signed_in(client)
    page = client.get(f"/ho-so-cua-toi/{approved.dossier.code}/").content.decode()
    assert "Kết quả điện tử của bạn đã bị thu hồi" in page
    assert "Sai ngày sinh" in page
    tracking = client.get(f"/tra-cuu/{approved.dossier.code}/").content.decode()
    assert "Kết quả điện tử đã bị thu hồi." in tracking
    assert "Sai ngày sinh" not in tracking  # the public page tells no reason


def test_a_replacement_is_a_result_replaced_entry_naming_both_results(
    approved: AtLeader, client: Client
) -> None:
    services.dossier_result_replace(
        dossier=approved.dossier,
        actor=approved.cast.leader,
        result=_code(approved),
        name="Giấy phép (đính chính)",
        upload=pdf_upload("dinh-chinh.pdf"),
        reason="Đính chính địa chỉ",
    )
    entry = DossierEvent.objects.get(dossier=approved.dossier, kind=EventKind.RESULT_REPLACED)
    new = f"{approved.dossier.code}-KQ2"
    assert entry.note == f"{_code(approved)} → {new}: Đính chính địa chỉ"
    assert entry.is_public

    signed_in(client)
    page = client.get(f"/ho-so-cua-toi/{approved.dossier.code}/").content.decode()
    assert "Kết quả điện tử của bạn đã được thay thế bằng kết quả mới" in page
    assert "Đính chính địa chỉ" in page
    tracking = client.get(f"/tra-cuu/{approved.dossier.code}/").content.decode()
    assert "Kết quả điện tử đã được thay thế bằng kết quả mới." in tracking


def test_the_new_kinds_are_named_in_both_languages() -> None:
    with translation.override("vi"):
        assert str(EventKind.RESULT_REVOKED.label) == "Thu hồi kết quả điện tử"
        assert str(EventKind.RESULT_REPLACED.label) == "Thay thế kết quả điện tử"
    with translation.override("en"):
        assert str(EventKind.RESULT_REVOKED.label) == "Electronic result revoked"
        assert str(EventKind.RESULT_REPLACED.label) == "Electronic result replaced"
