"""The approval signs each electronic result: PAdES valid for pyHanko, the QR code, atomic."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.audit.models import AuditEntry
from motcua.core.errors import Conflict, ValidationFailed
from motcua.dossiers.models import DossierResult, DossierState
from motcua.esign.models import SignedResult, SignedState
from motcua.esign.selectors import verification_url
from motcua.esign.signers import SigningUnavailable
from motcua.esign.verification import Verdict, pdf_verify, signature_facts
from motcua.testing import pdf_upload, png_bytes
from motcua.workflow import services

from .conftest import AtLeader

pytestmark = pytest.mark.django_db


def _media_files() -> set[str]:
    return {str(p) for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


def test_the_approval_signs_the_result_with_the_agencys_certificate(approved: AtLeader) -> None:
    dossier = approved.dossier
    assert dossier.state == DossierState.PROCESSED
    signed = SignedResult.objects.get(result__dossier=dossier)
    data = signed.file.read()

    facts = signature_facts(data)
    assert not isinstance(facts, Verdict)
    assert facts.intact and facts.valid and facts.trusted and facts.whole_file
    assert approved.cast.agency.name in facts.subject
    assert signed.certificate_serial == facts.serial
    assert signed.agency == approved.cast.agency
    assert signed.signed_by == approved.cast.leader
    assert signed.state == SignedState.VALID
    assert pdf_verify(data).verdict is Verdict.AUTHENTIC
    # the original upload is kept as it was
    result = DossierResult.objects.get(dossier=dossier)
    assert result.file.read()[:5] == b"%PDF-"
    assert result.sha256 != signed.sha256
    assert AuditEntry.objects.filter(
        action="esign.result_signed", object_id=str(signed.pk)
    ).exists()


def test_the_signed_pdf_has_the_visible_stamp_and_the_qr_of_its_verification_page(
    approved: AtLeader, tmp_path: Path
) -> None:
    signed = SignedResult.objects.select_related("result").get(result__dossier=approved.dossier)
    data = signed.file.read()
    reader = PdfFileReader(io.BytesIO(data))
    field = reader.embedded_signatures[0].sig_field
    assert field["/Rect"] and field["/AP"]  # a visible appearance
    url = verification_url(signed.result.code)
    assert url == f"{settings.SITE_URL.rstrip('/')}/xac-minh/{signed.result.code}/"
    # The QR code sits in the top-left corner of the first page, a link to the same URL.
    first = reader.root["/Pages"]["/Kids"][0]
    height = float(first["/MediaBox"][3])
    links = [a.get_object() for a in first["/Annots"] if a.get_object()["/Subtype"] == "/Link"]
    assert [str(a["/A"]["/URI"]) for a in links] == [url]
    x0, y0, _x1, y1 = (float(v) for v in links[0]["/Rect"])
    assert x0 < 50 and y1 > height - 50 and y0 > height / 2
    # ... and a phone reading it opens that URL (when the tools are installed).
    pdftoppm, zbarimg = shutil.which("pdftoppm"), shutil.which("zbarimg")
    if not (pdftoppm and zbarimg):
        pytest.skip("poppler-utils and zbar-tools decode the QR code")
    (tmp_path / "r.pdf").write_bytes(data)
    subprocess.run(  # noqa: S603 - our own PDF
        [
            pdftoppm,
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "r.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    image = next(tmp_path.glob("p*.png"))
    read = subprocess.run(  # noqa: S603 - our own image
        [zbarimg, "-q", "--raw", str(image)], capture_output=True, text=True, check=True
    )
    assert read.stdout.strip() == url


def test_a_non_pdf_electronic_result_is_refused_at_recording(leader_step: AtLeader) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    png = SimpleUploadedFile("kq.png", png_bytes(), content_type="image/png")
    with pytest.raises(ValidationFailed) as error:
        services.dossier_result_record(
            dossier=leader_step.dossier, actor=leader_step.cast.leader, name="Ảnh", upload=png
        )
    assert error.value.message == services.ELECTRONIC_RESULT_NOT_PDF


def test_a_signing_failure_refuses_the_approval_and_leaves_nothing(
    leader_step: AtLeader, settings: Any
) -> None:
    before = _media_files()
    settings.ESIGN_DEMO_ISSUE_ON_DEMAND = False
    settings.ESIGN_PKCS12_DIR = Path(settings.ESIGN_DEMO_DIR) / "nowhere"
    with pytest.raises(SigningUnavailable):
        services.dossier_mark_processed(dossier=leader_step.dossier, actor=leader_step.cast.leader)
    leader_step.dossier.refresh_from_db()
    assert leader_step.dossier.state == DossierState.IN_PROCESS
    assert not SignedResult.objects.exists()
    assert _media_files() == before


def test_a_failure_after_signing_removes_the_signed_file(
    leader_step: AtLeader, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _media_files()
    from motcua.workflow.services import processing

    def broken(*args: object, **kwargs: object) -> None:
        raise Conflict("the database said no")

    monkeypatch.setattr(processing, "finish_dossier", broken)
    with pytest.raises(Conflict):
        services.dossier_mark_processed(dossier=leader_step.dossier, actor=leader_step.cast.leader)
    assert not SignedResult.objects.exists()
    assert _media_files() == before


def test_a_paper_result_is_not_signed(leader_step: AtLeader) -> None:
    DossierResult.objects.filter(dossier=leader_step.dossier).update(is_electronic=False)
    services.dossier_mark_processed(dossier=leader_step.dossier, actor=leader_step.cast.leader)
    assert not SignedResult.objects.exists()


def test_an_electronic_result_is_returned_online(approved: AtLeader) -> None:
    services.dossier_return_result(
        dossier=approved.dossier, actor=approved.cast.receiving_officer, to_whom="", via="online"
    )
    approved.dossier.refresh_from_db()
    assert approved.dossier.status == 10
    assert approved.dossier.result_returned_via == "online"


def test_online_return_needs_a_valid_signed_result(leader_step: AtLeader) -> None:
    DossierResult.objects.filter(dossier=leader_step.dossier).update(is_electronic=False)
    services.dossier_mark_processed(dossier=leader_step.dossier, actor=leader_step.cast.leader)
    with pytest.raises(Conflict):
        services.dossier_return_result(
            dossier=leader_step.dossier,
            actor=leader_step.cast.receiving_officer,
            to_whom="",
            via="online",
        )


def test_a_result_recorded_as_a_broken_pdf_is_refused(leader_step: AtLeader) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    broken = SimpleUploadedFile("kq.pdf", b"%PDF-1.4\n garbage", content_type="application/pdf")
    with pytest.raises(ValidationFailed):
        services.dossier_result_record(
            dossier=leader_step.dossier, actor=leader_step.cast.leader, name="Hỏng", upload=broken
        )
    assert pdf_upload().size > 0


def test_signing_and_checking_work_inside_a_running_event_loop(approved: AtLeader) -> None:
    """pyHanko's sync calls start their own loop: inside a running one they go to a thread."""
    import asyncio

    from django.utils.timezone import now

    from motcua.esign import pdf
    from motcua.esign.signers import agency_signers

    signed = SignedResult.objects.get(result__dossier=approved.dossier).file.read()
    original = DossierResult.objects.get(dossier=approved.dossier).file.read()

    agency = approved.cast.agency
    stamp = pdf.Stamp(code="X-KQ9", url="http://x/", agency=agency.name, person="A", at=now())

    async def inside_a_loop() -> tuple[Any, bytes]:
        facts = signature_facts(signed)
        with agency_signers().signer(code=agency.code, name=agency.name) as signer:
            again = pdf.sign_pdf(original, signer=signer, stamp=stamp)
        return facts, again

    facts, again = asyncio.run(inside_a_loop())

    assert not isinstance(facts, Verdict) and facts.valid
    assert signature_facts(again).valid  # type: ignore[union-attr]
