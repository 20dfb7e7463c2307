"""Sign a result PDF for an agency: the QR code of its verification page, a visible stamp, PAdES.

The original's bytes are kept as they are: the QR code (top-left of the first
page) and the signature (a visible stamp at the bottom of the last page) are
one incremental update, and the signature covers the whole file.

The QR code has a zone of its own, the top-left corner of the first page
(``qr_zone``): a result document should leave it blank (the demo's do), and
when an uploaded one draws there, its first page is shrunk toward the
bottom-right corner, just enough that nothing is left under the code
(``content_scale``: at most by the zone's share of the page, about 12% on A4).
"""

from __future__ import annotations

import datetime as dt
import io
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pypdfium2
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_cms import Signer
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.stamp import QRStamp, QRStampStyle, TextStamp, TextStampStyle

from motcua.core.errors import ValidationFailed

from .loop import outside_event_loop

NOT_A_PDF = _("The electronic result must be a PDF that opens: this file does not.")
ENCRYPTED_PDF = _("The electronic result must not be password-protected or encrypted.")

FIELD_NAME = "KetQuaDienTu"
QR_SIZE = 72  # points: 2.5 cm
MARGIN = 18
STAMP_WIDTH = 270
STAMP_HEIGHT = 62
STAMP_LINE = 11  # points a line of the stamp takes (8-point text)
STAMP_CHARS = 52  # characters of a line of the stamp (at 8 points in its width)
PRINT_HEIGHT = 30
QR_GAP = 6  # points left blank around the QR code, inside its zone
INK = 200  # a grey darker than this (0 black, 255 white) is something drawn

Box = tuple[float, float, float, float]  # left, bottom, right, top, in points


# Latin, Latin-1, Latin Extended-A/B, Vietnamese letters (Latin Extended Additional), punctuation.
_VIETNAMESE = "U+0020-007E,U+00A0-024F,U+0300-0323,U+1EA0-1EF9,U+2000-206F,U+20AB"


@cache
def _font(path: str) -> GlyphAccumulatorFactory | None:
    """Return the stamps' font: ``path`` cut to the letters Vietnamese needs, made once.

    A full font's layout tables take pyHanko hundreds of milliseconds to read for
    every signature; the cut font (no layout tables, a few hundred glyphs) a few.
    """
    source = Path(path)
    if not source.is_file():
        return None
    cut = Path(settings.ESIGN_DEMO_DIR) / "fonts" / f"{source.stem}-vi.ttf"
    if not cut.is_file() or cut.stat().st_mtime < source.stat().st_mtime:
        from fontTools import subset
        from fontTools.ttLib.scaleUpem import scale_upem

        options = subset.Options()
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "FFTM", "kern"]
        options.notdef_outline = True
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=subset.parse_unicodes(_VIETNAMESE))
        subsetter.subset(font)
        # pyHanko places glyphs as if a font had 1000 units per em (DejaVu has 2048).
        scale_upem(font, 1000)
        cut.parent.mkdir(parents=True, exist_ok=True)
        tmp = cut.with_suffix(".tmp")
        subset.save_font(font, str(tmp), options)
        tmp.replace(cut)
    return GlyphAccumulatorFactory(str(cut))


def _text_style(size: int, leading: int | None = None) -> TextBoxStyle:
    font = _font(settings.ESIGN_FONT)
    if font is None:
        return TextBoxStyle(font_size=size, leading=leading)
    return TextBoxStyle(font=font, font_size=size, leading=leading)


@dataclass(frozen=True)
class Stamp:
    """What the result says about itself: its code, the verification URL, who signs, when."""

    code: str
    url: str
    agency: str
    person: str
    at: dt.datetime


def open_writer(original: bytes) -> IncrementalPdfFileWriter:
    """Open a PDF for an incremental update, or raise ValidationFailed saying why not."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(original), strict=False)
        if writer.prev.encrypted:
            raise ValidationFailed(ENCRYPTED_PDF, field_errors={"file": [ENCRYPTED_PDF]})
        writer.root["/Pages"]
        if not writer.prev.root["/Pages"]["/Count"]:
            raise ValidationFailed(NOT_A_PDF, field_errors={"file": [NOT_A_PDF]})
    except ValidationFailed:
        raise
    except (PdfError, KeyError, ValueError, TypeError, IndexError) as exc:
        raise ValidationFailed(NOT_A_PDF, field_errors={"file": [NOT_A_PDF]}) from exc
    except Exception as exc:  # a file crafted to break the reader: refused all the same
        raise ValidationFailed(NOT_A_PDF, field_errors={"file": [NOT_A_PDF]}) from exc
    return writer


def pdf_check(original: bytes) -> None:
    """Raise ValidationFailed unless ``original`` is a PDF this module can sign."""
    open_writer(original)


def _page_box(writer: IncrementalPdfFileWriter, index: int) -> Box:
    page = writer.prev.find_page_for_modification(index)[0]  # type: ignore[no-untyped-call]
    box = [float(v) for v in page.get_object()["/MediaBox"]]
    return box[0], box[1], box[2], box[3]


def qr_zone(page: Box) -> Box:
    """Return the QR code's zone on a page: its top-left corner, margin, code and gap."""
    x0, _y0, _x1, y1 = page
    return x0, y1 - MARGIN - QR_SIZE - QR_GAP, x0 + MARGIN + QR_SIZE + QR_GAP, y1


def content_scale(original: bytes, page: Box) -> float:
    """Return by how much the first page's content must shrink so that the QR code's zone is
    blank: 1.0 when it is blank already.

    The zone is drawn (pdfium, one pixel a point) and each dark pixel in it
    says how small the page must be, shrunk toward its bottom-right
    corner, for that pixel to leave the zone; the smallest of these wins.
    Shrinking moves every point right and down, so nothing outside the zone
    comes into it. A rotated page is shrunk by the most the zone can ask.
    """
    x0, y0, x1, y1 = page
    zx0, zy0, zx1, zy1 = qr_zone(page)

    def needed(x: float, y: float) -> float:  # the scale at which (x, y) just leaves the zone
        return max((x1 - zx1) / (x1 - x), (zy0 - y0) / (y - y0))

    document = pypdfium2.PdfDocument(original)
    try:
        drawn = document[0]
        if drawn.get_rotation() or drawn.get_cropbox() != drawn.get_mediabox():
            return round(needed(zx0, zy1) - 0.005, 3)
        # Only the zone is drawn; in colour (pdfium's grey output is slow on a scanned page).
        crop = (zx0 - x0, zy0 - y0, x1 - zx1, y1 - zy1)
        zone = drawn.render(scale=1, crop=crop, no_smoothimage=True).to_pil().convert("L")
    finally:
        document.close()
    width = zone.width
    scale = 1.0
    for n, grey in enumerate(zone.tobytes()):
        if grey < INK:
            j, i = divmod(n, width)
            scale = min(scale, needed(zx0 + i, zy1 - j))
    return 1.0 if scale >= 1.0 else round(scale - 0.005, 3)


def _shrink_first_page(writer: IncrementalPdfFileWriter, page: Box, scale: float) -> None:
    """Draw the first page's content ``scale`` times as large, toward its bottom-right corner."""
    _x0, y0, x1, _y1 = page
    matrix = b"q %.4f 0 0 %.4f %.3f %.3f cm\n" % (scale, scale, (1 - scale) * x1, (1 - scale) * y0)
    writer.add_stream_to_page(  # type: ignore[no-untyped-call]
        0, writer.add_object(generic.StreamObject(stream_data=matrix)), prepend=True
    )
    writer.add_stream_to_page(  # type: ignore[no-untyped-call]
        0, writer.add_object(generic.StreamObject(stream_data=b"\nQ\n"))
    )


def _borderless_link(writer: IncrementalPdfFileWriter) -> None:
    """Give the QR code's link (the first page's last annotation) no border: some viewers
    draw the default one, a black square around the code."""
    page = writer.find_page_for_modification(0)[0].get_object()  # type: ignore[no-untyped-call]
    link = page["/Annots"][-1].get_object()
    no_border = [generic.NumberObject(0) for _ in range(3)]  # type: ignore[no-untyped-call]
    link[generic.pdf_name("/Border")] = generic.ArrayObject(no_border)


def sign_pdf(original: bytes, *, signer: Signer, stamp: Stamp) -> bytes:
    """Return ``original`` with the QR code and the agency's visible PAdES signature.

    A timestamp from ``ESIGN_TSA_URL`` (RFC 3161) is embedded when it is set.
    """
    writer = open_writer(original)
    first = _page_box(writer, 0)
    x0, _y0, _x1, y1 = first
    scale = content_scale(original, first)
    if scale < 1.0:
        _shrink_first_page(writer, first, scale)
    qr_style = QRStampStyle(
        stamp_text="",
        text_box_style=TextBoxStyle(font_size=6),  # no text: no font to embed
        border_width=0,
        innsep=0,
        background=None,
        qr_inner_size=QR_SIZE,
    )
    qr = QRStamp(
        writer,
        url=stamp.url,
        style=qr_style,
        text_params={},
        # The width alone: with a height too, pyHanko shrinks the code to leave room for text.
        box=BoxConstraints(width=QR_SIZE),
    )
    qr.apply(0, int(x0) + MARGIN, int(y1) - MARGIN - QR_SIZE)
    _borderless_link(writer)

    last = int(writer.prev.root["/Pages"]["/Count"]) - 1
    _lx0, ly0, lx1, _ly1 = _page_box(writer, last)
    right = lx1 - MARGIN
    bottom = int(ly0) + MARGIN
    # A long agency name goes on more lines, the stamp taller: its text keeps its size.
    signed_by = textwrap.wrap(f"Ký số bởi: {stamp.agency}", STAMP_CHARS)
    height = STAMP_HEIGHT + STAMP_LINE * (len(signed_by) - 1)
    box = (int(right) - STAMP_WIDTH, bottom, int(right), bottom + height)
    fields.append_signature_field(
        writer, fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=last, box=box)
    )
    style = TextStampStyle(
        stamp_text=("%(signed_by)s\nNgười ký: %(person)s\nThời gian: %(at)s\nMã kết quả: %(code)s"),
        text_box_style=_text_style(8, leading=STAMP_LINE - 1),
        border_width=1,
        background=None,
    )
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        name=stamp.agency,
        reason=f"Kết quả giải quyết thủ tục hành chính {stamp.code}",
        location=settings.SITE_URL,
    )
    timestamper = HTTPTimeStamper(settings.ESIGN_TSA_URL) if settings.ESIGN_TSA_URL else None
    pdf_signer = signers.PdfSigner(meta, signer=signer, stamp_style=style, timestamper=timestamper)
    out = io.BytesIO()
    outside_event_loop(
        pdf_signer.sign_pdf,
        writer,
        output=out,
        appearance_text_params={
            "signed_by": "\n".join(signed_by),
            "person": stamp.person,
            "code": stamp.code,
            "at": timezone.localtime(stamp.at).strftime("%d/%m/%Y %H:%M:%S %z"),
        },
    )
    return out.getvalue()


def paper_print(signed: bytes, *, text: str) -> bytes:
    """Return the signed PDF with ``text`` along the top of every page, for printing on paper.

    A print is not the electronic result: the added line is an update after
    the signature (a verifier says so), and the paper carries the system's
    name, the codes and the QR code of the verification page (first page).
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(signed), strict=False)
    style = TextStampStyle(
        stamp_text=text, text_box_style=_text_style(8), border_width=0, background=None
    )
    count = int(writer.prev.root["/Pages"]["/Count"])
    for index in range(count):
        x0, _y0, x1, y1 = _page_box(writer, index)
        left = x0 + MARGIN + (QR_SIZE + 8 if index == 0 else 0)
        stamp = TextStamp(
            writer, style=style, box=BoxConstraints(width=x1 - MARGIN - left, height=PRINT_HEIGHT)
        )
        stamp.apply(index, int(left), int(y1) - MARGIN - PRINT_HEIGHT)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()
