"""The applicant's downloads (signed in; tracking page with the secret) and the officer's print."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import Client

from motcua.applicants.tests.factories import BINH, signed_in
from motcua.audit.models import AuditEntry, ReadAction
from motcua.esign.models import SignedResult
from motcua.esign.secrets import result_secret
from motcua.esign.verification import Verdict, pdf_verify

from .conftest import AtLeader, at_leader

pytestmark = pytest.mark.django_db
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"  # poppler-utils


def _signed(approved: AtLeader) -> SignedResult:
    return SignedResult.objects.select_related("result").get(result__dossier=approved.dossier)


def _url(approved: AtLeader) -> str:
    code = _signed(approved).result.code
    return f"/ho-so-cua-toi/{approved.dossier.code}/ket-qua/{code}.pdf"


def test_the_applicant_downloads_the_signed_result_from_their_page(
    approved: AtLeader, client: Client
) -> None:
    signed_in(client)
    page = client.get(f"/ho-so-cua-toi/{approved.dossier.code}/").content.decode()
    assert _url(approved) in page
    answer = client.get(_url(approved))
    assert answer.status_code == 200
    data = b"".join(answer.streaming_content)  # type: ignore[attr-defined]
    assert pdf_verify(data).verdict is Verdict.AUTHENTIC
    assert answer["Content-Disposition"].startswith("attachment")
    assert AuditEntry.objects.filter(
        action=ReadAction.RESULT, object_id=str(approved.dossier.pk), note__contains="signed in"
    ).exists()


def test_someone_elses_result_is_404(approved: AtLeader, client: Client) -> None:
    signed_in(client, BINH)
    assert client.get(_url(approved)).status_code == 404
    client.logout()
    assert client.get(_url(approved)).status_code == 404


def test_the_tracking_page_gives_the_result_for_the_receipts_secret(
    approved: AtLeader, client: Client
) -> None:
    dossier = approved.dossier
    code = _signed(approved).result.code
    page = client.get(f"/tra-cuu/{dossier.code}/").content.decode()
    url = f"/tra-cuu/{dossier.code}/ket-qua/{code}.pdf"
    assert url in page
    assert client.post(url, {"secret": "WRONGWRONG"}).status_code == 403
    secret = result_secret(dossier)
    answer = client.post(url, {"secret": f"{secret[:5]}-{secret[5:].lower()}"})
    assert answer.status_code == 200
    assert AuditEntry.objects.filter(note__contains="receipt's secret").exists()


def test_the_receipt_carries_the_result_secret(approved: AtLeader) -> None:
    from motcua.dossiers.receipts import receipt_pdf

    pdf = receipt_pdf(approved.dossier)
    out = subprocess.run(  # noqa: S603 - our own PDF to pdftotext
        [PDFTOTEXT, "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert result_secret(approved.dossier) in out


def test_the_officer_prints_the_result_with_the_codes_and_the_system_name(
    approved: AtLeader, client: Client, settings: object, tmp_path: Path
) -> None:
    client.force_login(approved.cast.receiving_officer)
    code = _signed(approved).result.code
    answer = client.get(f"/can-bo/ho-so/{approved.dossier.code}/ket-qua/{code}/ban-in.pdf")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    text = subprocess.run(  # noqa: S603 - our own PDF to pdftotext
        [PDFTOTEXT, "-", "-"], input=answer.content, capture_output=True, check=True
    ).stdout.decode()
    assert code in text and approved.dossier.code in text
    assert settings.SITE_NAME.split(" ")[0] in text  # type: ignore[attr-defined]
    # someone of another agency: refused, as for the dossier's other files
    client.force_login(approved.cast.outsider)
    other = client.get(f"/can-bo/ho-so/{approved.dossier.code}/ket-qua/{code}/ban-in.pdf")
    assert other.status_code == 403


def test_a_result_of_another_dossier_is_not_served_under_this_one(
    approved: AtLeader, client: Client
) -> None:
    signed_in(client)
    mine = at_leader(approved.cast)
    code = _signed(approved).result.code
    assert client.get(f"/ho-so-cua-toi/{mine.code}/ket-qua/{code}.pdf").status_code == 404
