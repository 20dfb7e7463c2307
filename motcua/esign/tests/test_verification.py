"""Verification: authentic, tampered, foreign, unknown, revoked, replaced; the pages."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import NoEncryption, pkcs12
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pyhanko.sign.signers import SimpleSigner

from motcua.core.errors import ValidationFailed
from motcua.esign import certificates, pdf
from motcua.esign.models import SignedResult, SignedState
from motcua.esign.verification import Verdict, pdf_verify
from motcua.testing import pdf_bytes, pdf_upload
from motcua.workflow import services

from .conftest import AtLeader

pytestmark = pytest.mark.django_db


def _signed(approved: AtLeader) -> SignedResult:
    return SignedResult.objects.select_related("result").get(result__dossier=approved.dossier)


def _foreign_signer(*, same_name: str) -> SimpleSigner:
    """A signer whose certificate comes from another CA (made here), with an agency's name."""
    with tempfile.TemporaryDirectory() as folder:
        ca = certificates.ca_ensure(Path(folder))
    cert, key = certificates.issue_signing_certificate(
        ca, common_name=same_name, organisation=same_name, uid="X"
    )
    data = pkcs12.serialize_key_and_certificates(
        name=b"x",
        key=key,
        cert=cert,
        cas=[ca.certificate],
        encryption_algorithm=NoEncryption(),
    )
    signer: SimpleSigner | None = SimpleSigner.load_pkcs12_data(
        data, other_certs=[], passphrase=None
    )
    assert signer is not None
    return signer


def _stamp(code: str = "X-KQ1") -> pdf.Stamp:
    from django.utils import timezone

    return pdf.Stamp(code=code, url="http://x/", agency="A", person="B", at=timezone.now())


def test_the_signed_result_is_authentic(approved: AtLeader) -> None:
    signed = _signed(approved)
    check = pdf_verify(signed.file.read())
    assert check.verdict is Verdict.AUTHENTIC
    assert check.record == signed


def test_a_tampered_pdf_is_told_tampered(approved: AtLeader) -> None:
    data = bytearray(_signed(approved).file.read())
    at = data.index(b"motcua")  # the page's text, inside the signed bytes
    data[at : at + 6] = b"MOTCUA"
    assert pdf_verify(bytes(data)).verdict is Verdict.TAMPERED


def test_content_added_after_signing_is_told(approved: AtLeader) -> None:
    signed = _signed(approved)
    added = pdf.paper_print(signed.file.read(), text="thêm vào sau khi ký")
    assert pdf_verify(added).verdict is Verdict.CHANGED_AFTER_SIGNING


def test_a_pdf_signed_by_a_foreign_certificate_is_told(approved: AtLeader) -> None:
    signer = _foreign_signer(same_name=approved.cast.agency.name)
    data = pdf.sign_pdf(pdf_bytes(), signer=signer, stamp=_stamp())
    assert pdf_verify(data).verdict is Verdict.UNTRUSTED


def test_a_trusted_certificate_of_no_agency_of_ours_is_told(approved: AtLeader) -> None:
    ca = certificates.ca_ensure()
    cert, key = certificates.issue_signing_certificate(
        ca, common_name="Someone", organisation="Elsewhere", uid="Y"
    )
    data = pkcs12.serialize_key_and_certificates(
        name=b"y",
        key=key,
        cert=cert,
        cas=[ca.certificate],
        encryption_algorithm=NoEncryption(),
    )
    signer = SimpleSigner.load_pkcs12_data(data, other_certs=[], passphrase=None)
    assert signer is not None
    signed = pdf.sign_pdf(pdf_bytes(), signer=signer, stamp=_stamp())
    assert pdf_verify(signed).verdict is Verdict.OTHER_SIGNER


def test_a_document_signed_by_our_agency_but_not_on_record_is_unknown(approved: AtLeader) -> None:
    from motcua.esign.signers import agency_signers

    agency = approved.cast.agency
    with agency_signers().signer(code=agency.code, name=agency.name) as signer:
        data = pdf.sign_pdf(pdf_bytes("other"), signer=signer, stamp=_stamp())
    assert pdf_verify(data).verdict is Verdict.UNKNOWN


def test_an_unsigned_pdf_and_a_non_pdf_are_told(db: None) -> None:
    assert pdf_verify(pdf_bytes()).verdict is Verdict.NOT_SIGNED
    assert pdf_verify(b"hello").verdict is Verdict.NOT_A_PDF


def test_a_revoked_result_is_told_on_both_pages(approved: AtLeader, client: Client) -> None:
    signed = _signed(approved)
    services.dossier_result_revoke(
        dossier=approved.dossier,
        actor=approved.cast.leader,
        result=signed.result.code,
        reason="Sai thông tin",
    )
    signed.refresh_from_db()
    assert signed.state == SignedState.REVOKED
    assert pdf_verify(signed.file.read()).verdict is Verdict.REVOKED
    page = client.get(f"/xac-minh/{signed.result.code}/")
    assert page.status_code == 200
    assert "Đã bị thu hồi" in page.content.decode()


def test_a_replaced_result_says_by_which(approved: AtLeader, client: Client) -> None:
    old = _signed(approved)
    services.dossier_result_replace(
        dossier=approved.dossier,
        actor=approved.cast.leader,
        result=old.result.code,
        name="Giấy phép (đính chính)",
        upload=pdf_upload("dinh-chinh.pdf"),
        reason="Đính chính",
    )
    old.refresh_from_db()
    new = old.replaced_by
    assert old.state == SignedState.REPLACED and new is not None
    assert new.result.code.endswith("-KQ2")
    check = pdf_verify(old.file.read())
    assert check.verdict is Verdict.REPLACED
    assert pdf_verify(new.file.read()).verdict is Verdict.AUTHENTIC
    page = client.get(f"/xac-minh/{old.result.code}/").content.decode()
    assert new.result.code in page
    upload = SimpleUploadedFile("x.pdf", old.file.open("rb").read(), "application/pdf")
    answer = client.post("/xac-minh/", {"file": upload})
    assert answer.status_code == 200
    assert 'data-verdict="replaced"' in answer.content.decode()
    assert new.result.code in answer.content.decode()


def test_revoking_twice_is_refused(approved: AtLeader) -> None:
    from motcua.core.errors import Conflict

    code = _signed(approved).result.code
    services.dossier_result_revoke(
        dossier=approved.dossier, actor=approved.cast.leader, result=code, reason="Sai"
    )
    with pytest.raises(Conflict):
        services.dossier_result_revoke(
            dossier=approved.dossier, actor=approved.cast.leader, result=code, reason="Sai"
        )


def test_the_verification_page_shows_no_personal_data(approved: AtLeader, client: Client) -> None:
    signed = _signed(approved)
    page = client.get(f"/xac-minh/{signed.result.code}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert signed.sha256 in body
    assert approved.cast.agency.name in body
    assert approved.dossier.applicant_name not in body
    assert approved.dossier.applicant_id_number not in body


def test_an_unknown_code_is_404(db: None, client: Client) -> None:
    assert client.get("/xac-minh/NO-SUCH-KQ1/").status_code == 404


def test_the_upload_check_says_which_check_failed(approved: AtLeader, client: Client) -> None:
    data = bytearray(_signed(approved).file.read())
    at = data.index(b"motcua")
    data[at : at + 6] = b"MOTCUA"
    answer = client.post("/xac-minh/", {"file": SimpleUploadedFile("t.pdf", bytes(data))})
    assert 'data-verdict="tampered"' in answer.content.decode()
    good = client.post("/xac-minh/", {"file": io.BytesIO(_signed(approved).file.read())})
    assert 'data-verdict="authentic"' in good.content.decode()


def test_the_upload_check_refuses_no_file_and_a_file_too_large(
    db: None, client: Client, settings: object
) -> None:
    assert client.post("/xac-minh/", {}).status_code == 400
    settings.ESIGN_MAX_UPLOAD = 100  # type: ignore[attr-defined]
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 200)
    assert client.post("/xac-minh/", {"file": big}).status_code == 413
    assert client.get("/xac-minh/").status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + b"\x00" * 100,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>",
        b"%PDF-1.4\nxref\n0 1\n0000000000 65535 f \ntrailer << /Size 1 >>\nstartxref\n9\n%%EOF",
        b"%PDF-" + bytes(range(256)) * 20,
    ],
)
def test_broken_pdfs_never_fail_the_page(db: None, client: Client, data: bytes) -> None:
    answer = client.post("/xac-minh/", {"file": SimpleUploadedFile("x.pdf", data)})
    assert answer.status_code == 200
    assert 'data-verdict="not_a_pdf"' in answer.content.decode() or (
        'data-verdict="not_signed"' in answer.content.decode()
    )
    with pytest.raises(ValidationFailed):
        pdf.pdf_check(data)


def _upload_says(client: Client, data: bytes) -> tuple[str, str]:
    """Upload ``data`` to /xac-minh/: return the verdict's code and its sentence as shown."""
    import re

    answer = client.post("/xac-minh/", {"file": SimpleUploadedFile("kq.pdf", data)})
    assert answer.status_code == 200
    found = re.search(r'data-verdict="([a-z_]+)">([^<]*)<', answer.content.decode())
    assert found is not None
    return found.group(1), found.group(2)


def test_the_upload_page_tells_tampered_foreign_and_revoked_apart(
    approved: AtLeader, client: Client
) -> None:
    from django.utils import translation

    from motcua.esign.verification import SAYS

    signed = _signed(approved)
    original = signed.file.read()
    tampered = bytearray(original)
    at = tampered.index(b"motcua")
    tampered[at : at + 6] = b"MOTCUA"
    foreign = pdf.sign_pdf(
        pdf_bytes(),
        signer=_foreign_signer(same_name=approved.cast.agency.name),
        stamp=_stamp(signed.result.code),
    )
    seen = {
        "tampered": _upload_says(client, bytes(tampered)),
        "foreign": _upload_says(client, foreign),
    }
    services.dossier_result_revoke(
        dossier=approved.dossier,
        actor=approved.cast.leader,
        result=signed.result.code,
        reason="Sai thông tin",
    )
    seen["revoked"] = _upload_says(client, original)
    with translation.override("vi"):
        said = {verdict.value: str(SAYS[verdict]) for verdict in Verdict}
    assert {name: code for name, (code, _text) in seen.items()} == {
        "tampered": "tampered",
        "foreign": "untrusted",
        "revoked": "revoked",
    }
    for code, text in seen.values():
        assert text.strip() == said[code]  # its own sentence, in Vietnamese
    assert len({text for _code, text in seen.values()}) == 3
    assert said["tampered"].startswith("Chữ ký số không khớp")
    assert "không phải" in said["untrusted"]
    assert "thu hồi" in said["revoked"]
