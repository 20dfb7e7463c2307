"""Small real files for upload tests."""

from __future__ import annotations

from motcua.testing import pdf_bytes


def minimal_pdf(text: str = "motcua") -> bytes:
    """Return a valid one-page PDF (correct cross-reference table) showing ``text``."""
    return pdf_bytes(text)
