"""Staff API: a dossier's files, result documents and printable forms, for staff who see it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierComponent, DossierFile
from motcua.testing import Cast, pdf_upload
from motcua.workflow import services
from motcua.workflow.tests.test_api import cast, client_for, procedure, submitted

pytestmark = pytest.mark.django_db
__all__ = ["cast", "procedure"]  # fixtures


@pytest.fixture
def scanned(cast: Cast, procedure: Procedure) -> Iterator[tuple[Dossier, DossierFile]]:
    dossier = submitted(cast, procedure)
    component = DossierComponent.objects.create(dossier=dossier, name="Tờ khai")
    stored = DossierFile.objects.create(
        component=component,
        file=SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4 to khai"),
        original_name="to-khai.pdf",
        content_type="application/pdf",
        size=16,
        sha256="0" * 64,
    )
    yield dossier, stored
    stored.file.delete()


def body_of(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def test_a_file_goes_to_staff_who_see_the_dossier_only(
    cast: Cast, scanned: tuple[Dossier, DossierFile]
) -> None:
    dossier, stored = scanned
    url = reverse("api-staff-dossier-file", kwargs={"code": dossier.code, "file_id": stored.pk})

    sent = client_for(cast.receiving_officer).get(url)
    assert sent.status_code == 200
    assert body_of(sent) == b"%PDF-1.4 to khai"
    assert sent["Content-Type"] == "application/pdf"
    assert sent["Cache-Control"] == "private, no-store"
    assert 'filename="to-khai.pdf"' in sent["Content-Disposition"]

    outside = client_for(cast.outsider, "en").get(url)
    assert outside.status_code == 404
    assert outside.json()["error"]["message"] == "No dossier has this code."
    unknown = client_for(cast.receiving_officer, "en").get(
        reverse("api-staff-dossier-file", kwargs={"code": dossier.code, "file_id": stored.pk + 99})
    )
    assert unknown.status_code == 404
    assert unknown.json()["error"]["message"] == "This dossier has no such file."
    assert APIClient().get(url).status_code == 401


def test_a_result_document_is_found_by_its_code(cast: Cast, procedure: Procedure) -> None:
    dossier = services.dossier_accept(
        dossier=submitted(cast, procedure), actor=cast.receiving_officer
    )
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_result_record(
        dossier=dossier, actor=cast.specialist, name="Giấy phép", upload=pdf_upload()
    )
    result = dossier.results.get()
    client = client_for(cast.specialist)
    body = client.get(reverse("api-staff-dossier", kwargs={"code": dossier.code})).json()
    assert [r["code"] for r in body["results"]] == [result.code]

    sent = client.get(
        reverse("api-staff-result-file", kwargs={"code": dossier.code, "result_code": result.code})
    )
    assert sent.status_code == 200
    assert body_of(sent).startswith(b"%PDF")
    other = client_for(cast.specialist, "en").get(
        reverse("api-staff-result-file", kwargs={"code": dossier.code, "result_code": "X-KQ9"})
    )
    assert other.status_code == 404
    assert other.json()["error"]["message"] == "This dossier has no such result."
    result.file.delete()


def test_forms_print_once_they_apply(cast: Cast, procedure: Procedure) -> None:
    dossier = services.dossier_request_supplement(
        dossier=submitted(cast, procedure),
        actor=cast.receiving_officer,
        missing=["Bản sao giấy khai sinh"],
        reason="Thiếu giấy tờ",
    )
    client = client_for(cast.receiving_officer)

    def form(number: str) -> Any:
        return client.get(reverse("api-staff-form", kwargs={"code": dossier.code, "form": number}))

    supplement = form("02")
    assert supplement.status_code == 200
    assert supplement["Content-Type"] == "application/pdf"
    assert supplement.content.startswith(b"%PDF")
    assert form("03").status_code == 404  # not refused
    assert form("99").status_code == 404
    assert (
        client_for(cast.outsider)
        .get(reverse("api-staff-form", kwargs={"code": dossier.code, "form": "02"}))
        .status_code
        == 404
    )
