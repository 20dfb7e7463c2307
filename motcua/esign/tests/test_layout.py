"""The QR code's corner of the first page is left to the QR code; the stamp keeps its text size."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader

from motcua.demo.dossiers import RESULT_TOP, minimal_pdf
from motcua.esign import pdf
from motcua.esign.signers import agency_signers
from motcua.esign.verification import Verdict, pdf_verify
from motcua.testing import pdf_bytes

from .conftest import AtLeader

A4 = (0.0, 0.0, 595.0, 842.0)
LINES = ["KET QUA GIAI QUYET THU TUC HANH CHINH", "Ho so: 000.00.00.H15-260105-0001", "Giay phep"]
URL = "https://motcua.example/xac-minh/000.00.00.H15-260105-0001-KQ1/"


def _page(content: bytes) -> bytes:
    """Return a one-page A4 PDF drawing ``content`` (a content stream, 38 bytes at most)."""
    text = b"BT /F1 12 Tf 16 TL 56 400 Td (x) Tj ET"
    assert len(content) <= len(text)
    return minimal_pdf(["x"], top=400).replace(text, content.ljust(len(text)))


def _shrunk(original: bytes, scale: float) -> bytes:
    writer = pdf.open_writer(original)
    pdf._shrink_first_page(writer, A4, scale)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _dark_in(data: bytes, box: pdf.Box, *, outside: pdf.Box | None = None) -> int:
    """Count the dark pixels of the first page in ``box`` (points), ``outside`` left out."""
    document = pypdfium2.PdfDocument(data)
    image = document[0].render(scale=1, grayscale=True).to_pil().convert("L")
    document.close()
    count = 0
    x0, y0, x1, y1 = (int(v) for v in box)
    for x in range(x0, x1):
        for y in range(y0, y1):
            if outside and outside[0] <= x < outside[2] and outside[1] <= y < outside[3]:
                continue
            if image.getpixel((x, 842 - 1 - y)) < pdf.INK:
                count += 1
    return count


def test_the_demo_results_leave_the_corner_blank() -> None:
    assert pdf.content_scale(minimal_pdf(LINES, top=RESULT_TOP), A4) == 1.0
    assert pdf.content_scale(pdf_bytes(), A4) == 1.0


def test_a_page_drawn_in_the_corner_is_shrunk_just_enough_to_clear_it() -> None:
    original = minimal_pdf(LINES, top=800)
    assert _dark_in(original, pdf.qr_zone(A4)) > 0
    scale = pdf.content_scale(original, A4)
    assert 0.87 < scale < 1.0
    assert _dark_in(_shrunk(original, scale), pdf.qr_zone(A4)) == 0
    assert _dark_in(_shrunk(original, scale + 0.03), pdf.qr_zone(A4)) > 0  # no more than needed


def test_a_page_dark_all_over_is_shrunk_by_the_corners_share_at_most() -> None:
    original = _page(b"0 g 0 0 595 842 re f")
    scale = pdf.content_scale(original, A4)
    assert 0.87 < scale < 0.89  # 1 - the zone's share of an A4 page's height
    assert _dark_in(_shrunk(original, scale), pdf.qr_zone(A4)) == 0


@pytest.mark.django_db
def test_the_signed_result_has_nothing_under_its_qr_code(
    approved: AtLeader, tmp_path: Path
) -> None:
    agency = approved.cast.agency
    stamp = pdf.Stamp(code="X-KQ1", url=URL, agency=agency.name, person="B", at=timezone.now())
    with agency_signers().signer(code=agency.code, name=agency.name) as signer:
        data = pdf.sign_pdf(minimal_pdf(LINES, top=800), signer=signer, stamp=stamp)
    assert pdf_verify(data).verdict is Verdict.UNKNOWN  # signed by us, but not on record
    # In the zone, only the QR code's own square is drawn on.
    x, y = pdf.MARGIN, 842 - pdf.MARGIN - pdf.QR_SIZE
    code = (x, y, x + pdf.QR_SIZE, y + pdf.QR_SIZE)
    assert _dark_in(data, pdf.qr_zone(A4), outside=code) == 0
    assert _dark_in(data, code) > 0
    pdftoppm, zbarimg = shutil.which("pdftoppm"), shutil.which("zbarimg")
    if not (pdftoppm and zbarimg):
        pytest.skip("poppler-utils and zbar-tools decode the QR code")
    (tmp_path / "r.pdf").write_bytes(data)
    subprocess.run(  # noqa: S603 - our own PDF
        [pdftoppm, "-r", "150", "-png", "-f", "1", "-l", "1", tmp_path / "r.pdf", tmp_path / "p"],
        check=True,
    )
    read = subprocess.run(  # noqa: S603 - our own image
        [zbarimg, "-q", "--raw", next(tmp_path.glob("p*.png"))],
        capture_output=True,
        text=True,
        check=True,
    )
    assert read.stdout.strip() == URL


@pytest.mark.django_db
def test_a_long_agency_name_makes_the_stamp_taller_not_its_text_smaller(
    approved: AtLeader,
) -> None:
    agency = approved.cast.agency
    heights = []
    for name in (
        "Sở Tư pháp",
        "Ủy ban nhân dân xã Phước Vĩnh An, huyện Củ Chi, Thành phố Hồ Chí Minh - "
        "Phòng Tài nguyên và Môi trường",
    ):
        stamp = pdf.Stamp(code="X-KQ1", url=URL, agency=name, person="B", at=timezone.now())
        with agency_signers().signer(code=agency.code, name=agency.name) as signer:
            data = pdf.sign_pdf(pdf_bytes(), signer=signer, stamp=stamp)
        field = PdfFileReader(io.BytesIO(data)).embedded_signatures[0].sig_field
        _x0, y0, _x1, y1 = (float(v) for v in field["/Rect"])
        heights.append(y1 - y0)
    assert heights == [pdf.STAMP_HEIGHT, pdf.STAMP_HEIGHT + 2 * pdf.STAMP_LINE]
