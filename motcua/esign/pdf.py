"""Sign a result PDF for an agency: the QR code of its verification page, a visible stamp, PAdES.

The original's bytes are kept as they are: the QR code (top-left of the first
page) and the signature (a visible stamp at the bottom of the last page) are
one incremental update, and the signature covers the whole file.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
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
PRINT_HEIGHT = 30


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


def _text_style(size: int) -> TextBoxStyle:
    font = _font(settings.ESIGN_FONT)
    return TextBoxStyle(font=font, font_size=size) if font else TextBoxStyle(font_size=size)


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


def _page_box(writer: IncrementalPdfFileWriter, index: int) -> tuple[float, float, float, float]:
    page = writer.prev.find_page_for_modification(index)[0]  # type: ignore[no-untyped-call]
    box = [float(v) for v in page.get_object()["/MediaBox"]]
    return box[0], box[1], box[2], box[3]


def sign_pdf(original: bytes, *, signer: Signer, stamp: Stamp) -> bytes:
    """Return ``original`` with the QR code and the agency's visible PAdES signature.

    A timestamp from ``ESIGN_TSA_URL`` (RFC 3161) is embedded when it is set.
    """
    writer = open_writer(original)
    x0, _y0, _x1, y1 = _page_box(writer, 0)
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
        box=BoxConstraints(width=QR_SIZE, height=QR_SIZE),
    )
    qr.apply(0, int(x0) + MARGIN, int(y1) - MARGIN - QR_SIZE)

    last = int(writer.prev.root["/Pages"]["/Count"]) - 1
    _lx0, ly0, lx1, _ly1 = _page_box(writer, last)
    right = lx1 - MARGIN
    bottom = int(ly0) + MARGIN
    box = (int(right) - STAMP_WIDTH, bottom, int(right), bottom + STAMP_HEIGHT)
    fields.append_signature_field(
        writer, fields.SigFieldSpec(sig_field_name=FIELD_NAME, on_page=last, box=box)
    )
    style = TextStampStyle(
        stamp_text=(
            "Ký số bởi: %(agency)s\nNgười ký: %(person)s\nThời gian: %(at)s\nMã kết quả: %(code)s"
        ),
        text_box_style=_text_style(8),
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
            "agency": stamp.agency,
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
