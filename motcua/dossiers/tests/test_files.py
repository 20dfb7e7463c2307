"""A scan is accepted only if it opens: a PDF's pages are read, an image is verified."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from motcua.dossiers.files import (
    BAD_FILE_TYPE,
    BROKEN_FILE,
    PDF_PROTECTED,
    PDF_WITHOUT_PAGES,
    check_upload,
)
from motcua.testing import pdf_bytes, png_bytes


def _empty_pdf() -> bytes:
    out = io.BytesIO()
    PdfWriter().write(out)
    return out.getvalue()


def _check(name: str, body: bytes, mime: str = "application/pdf") -> tuple[Any, list[Any]]:
    errors: dict[str, list[Any]] = {}
    checked = check_upload("owner", SimpleUploadedFile(name, body, mime), "file", errors)
    return checked, errors.get("file", [])


def test_a_pdf_that_opens_is_accepted_with_its_pages_counted() -> None:
    checked, problems = _check("to-khai.pdf", pdf_bytes(pages=3))
    assert problems == []
    assert (checked.content_type, checked.pages) == ("application/pdf", 3)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (pdf_bytes()[:300], BROKEN_FILE),  # cut off: the header is there, the rest is not
        (b"%PDF-1.4\n" + b"garbage " * 100, BROKEN_FILE),
        (_empty_pdf(), PDF_WITHOUT_PAGES),
        (b"<html><script>alert(1)</script></html>", BAD_FILE_TYPE),
    ],
)
def test_a_pdf_that_does_not_open_is_refused_saying_why(body: bytes, problem: Any) -> None:
    checked, problems = _check("to-khai.pdf", body)
    assert checked is None
    assert problems == [problem]


def test_a_password_protected_pdf_is_refused() -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("mat-khau")
    out = io.BytesIO()
    writer.write(out)

    checked, problems = _check("to-khai.pdf", out.getvalue())

    assert checked is None and problems == [PDF_PROTECTED]


def test_an_image_must_open_too() -> None:
    good, no_problem = _check("anh.png", png_bytes(), "image/png")
    assert good is not None and no_problem == []
    broken, problems = _check("anh.png", png_bytes()[:40], "image/png")
    assert broken is None and problems == [BROKEN_FILE]
