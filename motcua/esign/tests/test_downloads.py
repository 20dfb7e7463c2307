"""The applicant's downloads (signed in; tracking page with the secret) and the officer's print."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from motcua.applicants.tests.factories import BINH, signed_in
from motcua.audit.models import AuditEntry, AuditKind, ReadAction
from motcua.esign.models import SecretFailure, SignedResult
from motcua.esign.secrets import result_secret
from motcua.esign.services import SECRET_WRONG_ACTION
from motcua.esign.verification import Verdict, pdf_verify
from motcua.testing import Cast
from motcua.workflow import services

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


def test_wrong_secrets_are_audited_and_limited_per_dossier(
    approved: AtLeader, client: Client, settings: Any
) -> None:
    settings.ESIGN_SECRET_TRIES_PER_DOSSIER_HOUR = 3
    dossier = approved.dossier
    url = f"/tra-cuu/{dossier.code}/ket-qua/{_signed(approved).result.code}.pdf"
    for n in range(3):  # each from another address: the dossier's count still adds up
        answer = client.post(url, {"secret": "WRONGWRONG"}, REMOTE_ADDR=f"203.0.113.{n + 1}")
        assert answer.status_code == 403
    wrong = AuditEntry.objects.filter(action=SECRET_WRONG_ACTION, object_id=str(dossier.pk))
    assert wrong.count() == 3
    assert {e.address for e in wrong} == {"203.0.113.1", "203.0.113.2", "203.0.113.3"}
    assert all(e.kind == AuditKind.ACCESS and e.note.endswith("-KQ1") for e in wrong)

    # Past the limit even the right secret is refused, for an hour, and nothing is counted.
    refused = client.post(url, {"secret": result_secret(dossier)}, REMOTE_ADDR="198.51.100.7")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "Đã nhập sai mã nhận kết quả quá nhiều lần" in refused.content.decode()
    assert wrong.count() == 3
    assert not AuditEntry.objects.filter(action=ReadAction.RESULT).exists()

    SecretFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=61))
    assert client.post(url, {"secret": result_secret(dossier)}).status_code == 200


def test_wrong_secrets_are_limited_per_address_across_dossiers(
    cast: Cast, client: Client, settings: Any
) -> None:
    settings.ESIGN_SECRET_TRIES_PER_ADDRESS_HOUR = 2
    dossiers = []
    for _ in range(3):
        dossier = at_leader(cast)
        services.dossier_mark_processed(dossier=dossier, actor=cast.leader)
        dossiers.append(dossier)
    answers = [
        client.post(
            f"/tra-cuu/{d.code}/ket-qua/{d.code}-KQ1.pdf",
            {"secret": "WRONGWRONG"},
            REMOTE_ADDR="192.0.2.9",
        ).status_code
        for d in dossiers
    ]
    assert answers == [403, 403, 429]
    # Another connection is not held back by that one.
    other = client.post(
        f"/tra-cuu/{dossiers[2].code}/ket-qua/{dossiers[2].code}-KQ1.pdf",
        {"secret": result_secret(dossiers[2])},
        REMOTE_ADDR="192.0.2.10",
    )
    assert other.status_code == 200


def test_a_secret_for_an_unknown_result_counts_nothing(approved: AtLeader, client: Client) -> None:
    dossier = approved.dossier
    answer = client.post(f"/tra-cuu/{dossier.code}/ket-qua/{dossier.code}-KQ9.pdf", {"secret": "X"})
    assert answer.status_code == 404
    assert not SecretFailure.objects.exists()
