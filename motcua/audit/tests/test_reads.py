"""Reads of personal data leave one audit entry each: who, what, when, from where, which channel.

Through the back office, the staff API, the admin and the applicant's receipt
link; a refused read (403, 404) and the public tracking page leave none.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from motcua.audit.models import AuditChannel, AuditEntry, AuditKind, ReadAction
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierComponent, DossierFile, DossierResult
from motcua.dossiers.selectors import dossier_receipt_url
from motcua.testing import Cast, pdf_upload
from motcua.workflow import services
from motcua.workflow.tests.test_api import cast, client_for, procedure, submitted

pytestmark = pytest.mark.django_db
__all__ = ["cast", "procedure"]  # fixtures
ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def _proxy_header(settings: Any) -> None:
    """The client's address comes from the header the reverse proxy sets."""
    settings.MOTCUA_CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"


@pytest.fixture
def dossier(cast: Cast, procedure: Procedure) -> Iterator[Dossier]:
    """An accepted dossier with a scanned file, claimed by the specialist, with a result."""
    found = submitted(cast, procedure, applicant_name="Trần Thị Mai")
    component = DossierComponent.objects.create(dossier=found, name="Tờ khai")
    DossierFile.objects.create(
        component=component,
        file=SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4 to khai"),
        original_name="to-khai.pdf",
        content_type="application/pdf",
        size=16,
        sha256="0" * 64,
    )
    services.dossier_accept(dossier=found, actor=cast.receiving_officer)
    services.dossier_claim(dossier=found, actor=cast.specialist)
    services.dossier_result_record(
        dossier=found, actor=cast.specialist, name="Giấy phép", upload=pdf_upload()
    )
    found.refresh_from_db()
    yield found
    for stored in DossierFile.objects.filter(component__dossier=found):
        stored.file.delete()
    for result in found.results.all():
        result.file.delete()


def reads() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(kind=AuditKind.READ).order_by("id"))


def the_read(
    dossier: Dossier, action: ReadAction, user: Any, channel: AuditChannel, note: str = ""
) -> None:
    """Assert that exactly one read was written, of ``dossier``, as told."""
    entries = reads()
    assert len(entries) == 1, [(e.action, e.note) for e in entries]
    entry = entries[0]
    assert entry.action == action
    assert entry.object_type == "dossiers.dossier"
    assert entry.object_id == str(dossier.pk)
    assert entry.object_repr == dossier.code
    assert entry.actor_id == (user.pk if user is not None else None)
    assert entry.actor_name == (user.get_username() if user is not None else "")
    assert entry.address == ADDRESS
    assert entry.channel == channel
    assert entry.note == note
    assert (timezone.now() - entry.at).total_seconds() < 60


def staff_page(user: Any) -> Client:
    client = Client(HTTP_X_REAL_IP=ADDRESS)
    client.force_login(user)
    return client


def staff_api(user: Any) -> APIClient:
    client = client_for(user)
    client.defaults["HTTP_X_REAL_IP"] = ADDRESS
    return client


def file_of(dossier: Dossier) -> DossierFile:
    return DossierFile.objects.get(component__dossier=dossier)


def result_of(dossier: Dossier) -> DossierResult:
    return dossier.results.get()


# --- The back office --------------------------------------------------------------------------


def test_opening_a_dossier_page_is_one_read(cast: Cast, dossier: Dossier) -> None:
    url = reverse("backoffice:dossier", kwargs={"code": dossier.code})
    assert staff_page(cast.specialist).get(url).status_code == 200
    the_read(dossier, ReadAction.DOSSIER, cast.specialist, AuditChannel.PAGE)


def test_a_refused_or_unknown_dossier_page_writes_nothing(cast: Cast, dossier: Dossier) -> None:
    outsider = staff_page(cast.outsider)
    assert outsider.get(reverse("backoffice:dossier", args=[dossier.code])).status_code == 403
    assert outsider.get(reverse("backoffice:dossier", args=["NOPE-1"])).status_code == 404
    assert Client().get(reverse("backoffice:dossier", args=[dossier.code])).status_code == 302
    assert reads() == []


def test_back_office_file_and_result_downloads_are_reads(cast: Cast, dossier: Dossier) -> None:
    client = staff_page(cast.specialist)
    stored = file_of(dossier)
    url = reverse("backoffice:dossier-file", kwargs={"code": dossier.code, "file_id": stored.pk})
    assert client.get(url).status_code == 200
    the_read(dossier, ReadAction.FILE, cast.specialist, AuditChannel.PAGE, f"file {stored.pk}")

    AuditEntry.objects.purge_older(kinds=[AuditKind.READ], before=timezone.now())
    result = result_of(dossier)
    url = reverse("backoffice:result-file", kwargs={"code": dossier.code, "result_id": result.pk})
    assert client.get(url).status_code == 200
    the_read(
        dossier, ReadAction.RESULT, cast.specialist, AuditChannel.PAGE, f"result {result.code}"
    )


def test_refused_downloads_write_nothing(cast: Cast, dossier: Dossier) -> None:
    stored, result = file_of(dossier), result_of(dossier)
    outsider, insider = staff_page(cast.outsider), staff_page(cast.specialist)
    urls = [
        reverse("backoffice:dossier-file", kwargs={"code": dossier.code, "file_id": stored.pk}),
        reverse("backoffice:result-file", kwargs={"code": dossier.code, "result_id": result.pk}),
        reverse("backoffice:dossier-form", kwargs={"code": dossier.code, "form": "06"}),
        reverse("backoffice:dossier-receipt", kwargs={"code": dossier.code}),
    ]
    for url in urls:
        assert outsider.get(url).status_code == 403
    missing = [
        reverse("backoffice:dossier-file", kwargs={"code": dossier.code, "file_id": 10**6}),
        reverse("backoffice:result-file", kwargs={"code": dossier.code, "result_id": 10**6}),
        reverse("backoffice:dossier-form", kwargs={"code": dossier.code, "form": "03"}),
        reverse("backoffice:dossier-receipt", kwargs={"code": "NOPE-1"}),
    ]
    for url in missing:
        assert insider.get(url).status_code == 404
    assert reads() == []


def test_printing_a_form_is_a_read(cast: Cast, dossier: Dossier) -> None:
    url = reverse("backoffice:dossier-form", kwargs={"code": dossier.code, "form": "06"})
    response = staff_page(cast.specialist).get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    the_read(dossier, ReadAction.FORM, cast.specialist, AuditChannel.PAGE, "form 06")


def test_staff_print_the_receipt_without_a_token_and_it_is_a_read(
    cast: Cast, dossier: Dossier
) -> None:
    client = staff_page(cast.receiving_officer)
    page = client.get(reverse("backoffice:dossier", kwargs={"code": dossier.code}))
    receipt = reverse("backoffice:dossier-receipt", kwargs={"code": dossier.code})
    assert f'href="{receipt}"' in page.content.decode()
    assert "token=" not in page.content.decode()
    AuditEntry.objects.purge_older(kinds=[AuditKind.READ], before=timezone.now())

    response = client.get(receipt + "?size=a5")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    the_read(dossier, ReadAction.RECEIPT, cast.receiving_officer, AuditChannel.PAGE, "A5")
    assert Client().get(receipt).status_code == 302  # to the sign-in page


@pytest.mark.parametrize("kind", ["pdf", "xlsx"])
def test_exporting_the_register_is_a_read(cast: Cast, dossier: Dossier, kind: str) -> None:
    year = timezone.localdate().year
    response = staff_page(cast.receiving_officer).get(
        reverse("backoffice:register"),
        {"unit": str(cast.unit.pk), "year": str(year), "format": kind},
    )
    assert response.status_code == 200
    [entry] = reads()
    assert entry.action == ReadAction.REGISTER
    assert (entry.object_type, entry.object_id) == ("organisation.agency", str(cast.unit.pk))
    assert entry.object_repr == f"{cast.unit.code} {year}"
    assert entry.actor == cast.receiving_officer
    assert entry.note == f"{kind} {year}"
    assert entry.address == ADDRESS


def test_the_register_form_and_a_refused_export_write_nothing(cast: Cast, dossier: Dossier) -> None:
    client = staff_page(cast.receiving_officer)
    assert client.get(reverse("backoffice:register")).status_code == 200
    refused = client.get(
        reverse("backoffice:register"),
        {"unit": str(cast.other_agency.pk), "year": "2026", "format": "pdf"},
    )
    assert refused.status_code in {403, 404}
    bad = client.get(reverse("backoffice:register"), {"year": "x", "format": "pdf"})
    assert bad.status_code == 400
    assert reads() == []


def test_the_inbox_and_the_public_tracking_page_write_nothing(cast: Cast, dossier: Dossier) -> None:
    assert staff_page(cast.specialist).get(reverse("backoffice:inbox")).status_code == 200
    assert Client().get(reverse("portal:track-detail", args=[dossier.code])).status_code == 200
    assert Client().get(reverse("portal:track-detail", args=["NOPE-1"])).status_code == 404
    assert reads() == []


# --- The staff API ----------------------------------------------------------------------------


def test_the_staff_api_dossier_read_is_one_read_and_one_insert(
    cast: Cast, dossier: Dossier
) -> None:
    url = reverse("api-staff-dossier", kwargs={"code": dossier.code})
    client = staff_api(cast.specialist)
    assert client.get(url).status_code == 200  # warms the per-process caches
    AuditEntry.objects.purge_older(kinds=[AuditKind.READ], before=timezone.now())
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    the_read(dossier, ReadAction.DOSSIER, cast.specialist, AuditChannel.API)
    writes = [q["sql"] for q in first.captured_queries if "audit_auditentry" in q["sql"]]
    assert len(writes) == 1
    assert writes[0].startswith("INSERT")


def test_the_staff_api_refused_reads_write_nothing(cast: Cast, dossier: Dossier) -> None:
    stored = file_of(dossier)
    outsider = staff_api(cast.outsider)
    for url in (
        reverse("api-staff-dossier", kwargs={"code": dossier.code}),
        reverse("api-staff-dossier-file", kwargs={"code": dossier.code, "file_id": stored.pk}),
        reverse("api-staff-form", kwargs={"code": dossier.code, "form": "06"}),
    ):
        assert outsider.get(url).status_code == 404
        assert APIClient().get(url).status_code == 401
    insider = staff_api(cast.specialist)
    assert insider.get(reverse("api-staff-dossier", kwargs={"code": "NOPE-1"})).status_code == 404
    unknown = reverse(
        "api-staff-result-file", kwargs={"code": dossier.code, "result_code": "X-KQ9"}
    )
    assert insider.get(unknown).status_code == 404
    assert insider.get(reverse("api-staff-inbox")).status_code == 200
    assert reads() == []


def test_the_staff_api_actions_are_not_reads(cast: Cast, dossier: Dossier) -> None:
    response = staff_api(cast.specialist).post(
        reverse("api-staff-request-supplement", kwargs={"code": dossier.code}),
        {"missing": ["Bản sao giấy khai sinh"], "reason": "Thiếu giấy tờ"},
        format="json",
        HTTP_IF_MATCH="*",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["code"] == dossier.code
    assert reads() == []  # the change is on the dossier's timeline


@pytest.mark.parametrize("what", ["file", "result", "form"])
def test_staff_api_documents_are_reads(cast: Cast, dossier: Dossier, what: str) -> None:
    stored, result = file_of(dossier), result_of(dossier)
    url, action, note = {
        "file": (
            reverse("api-staff-dossier-file", kwargs={"code": dossier.code, "file_id": stored.pk}),
            ReadAction.FILE,
            f"file {stored.pk}",
        ),
        "result": (
            reverse(
                "api-staff-result-file",
                kwargs={"code": dossier.code, "result_code": result.code},
            ),
            ReadAction.RESULT,
            f"result {result.code}",
        ),
        "form": (
            reverse("api-staff-form", kwargs={"code": dossier.code, "form": "06"}) + "?n=1",
            ReadAction.FORM,
            "form 06 n=1",
        ),
    }[what]
    assert staff_api(cast.specialist).get(url).status_code == 200
    the_read(dossier, action, cast.specialist, AuditChannel.API, note)


# --- The admin and the applicant's link -------------------------------------------------------


def admin_viewer() -> User:
    user = User.objects.create_user("quantri", "quantri@example.vn", "x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_dossier"))
    return user


def test_the_admin_dossier_page_and_file_download_are_reads(dossier: Dossier) -> None:
    viewer = admin_viewer()
    client = staff_page(viewer)
    assert (
        client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk])).status_code == 200
    )
    the_read(dossier, ReadAction.DOSSIER, viewer, AuditChannel.ADMIN)

    AuditEntry.objects.purge_older(kinds=[AuditKind.READ], before=timezone.now())
    stored = file_of(dossier)
    assert client.get(reverse("admin:dossiers_dossier_file", args=[stored.pk])).status_code == 200
    the_read(dossier, ReadAction.FILE, viewer, AuditChannel.ADMIN, f"file {stored.pk}")


def test_refused_admin_reads_write_nothing(dossier: Dossier) -> None:
    client = staff_page(User.objects.create_user("khach", "", "x", is_staff=True))
    stored = file_of(dossier)
    assert client.get(reverse("admin:dossiers_dossier_file", args=[stored.pk])).status_code == 403
    assert (
        client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk])).status_code == 403
    )
    viewer = staff_page(admin_viewer())
    assert viewer.get(reverse("admin:dossiers_dossier_file", args=[10**6])).status_code == 404
    missing = viewer.get(reverse("admin:dossiers_dossier_change", args=[10**6]))
    assert missing.status_code in {302, 404}  # the admin sends an unknown id to its index
    assert viewer.get(reverse("admin:dossiers_dossier_changelist")).status_code == 200
    assert reads() == []


def test_the_applicants_receipt_link_is_a_read_by_no_account(dossier: Dossier) -> None:
    response = Client(HTTP_X_REAL_IP=ADDRESS).get(dossier_receipt_url(dossier))
    assert response.status_code == 200
    the_read(dossier, ReadAction.RECEIPT, None, AuditChannel.PAGE, "A4, applicant's link")


def test_a_bad_receipt_token_writes_nothing(dossier: Dossier) -> None:
    url = reverse("dossiers:receipt", kwargs={"code": dossier.code})
    assert Client().get(url + "?token=forged").status_code == 403
    assert Client().get(url).status_code == 403
    assert (
        Client().get(reverse("dossiers:receipt", args=["NOPE-1"]) + "?token=x").status_code == 404
    )
    assert reads() == []


def test_the_admin_dossier_page_links_to_who_read_it(dossier: Dossier) -> None:
    viewer = admin_viewer()
    viewer.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client = staff_page(viewer)
    html = client.get(reverse("admin:dossiers_dossier_change", args=[dossier.pk])).content
    link = (
        f"{reverse('admin:audit_auditentry_changelist')}?kind__exact=read&amp;"
        f"object_type=dossiers.dossier&amp;object_id={dossier.pk}"
    )
    assert link in html.decode()
    listed = client.get(link.replace("&amp;", "&"))
    assert listed.status_code == 200
    assert [e.channel for e in listed.context["cl"].result_list] == [AuditChannel.ADMIN]
