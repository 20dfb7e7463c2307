"""Uploaded files are stored under random names and sent so that no browser runs them.

The files are real polyglots: a PNG and a PDF that pass the content checks
(filetype, Pillow, pypdf) and also hold an HTML page with a script.
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image, PngImagePlugin

from motcua.catalog.models import Procedure
from motcua.dossiers.files import attachment_response, check_upload, private_file_response
from motcua.dossiers.models import DossierFile, PendingUpload

from .conftest import PDF, required_key
from .test_admin import dossier, staff
from .test_uploads import refused

__all__ = ["dossier"]  # fixture
pytestmark = pytest.mark.django_db
SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def png_polyglot() -> bytes:
    """A valid PNG whose text chunk and tail are an HTML page with a script."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 255, 255)).save(out, format="PNG", pnginfo=info)
    return out.getvalue() + SCRIPT


def pdf_polyglot() -> bytes:
    """A valid PDF followed by an HTML page with a script."""
    return PDF + SCRIPT


@pytest.mark.parametrize(
    ("body", "mime"), [(png_polyglot(), "image/png"), (pdf_polyglot(), "application/pdf")]
)
def test_the_polyglots_pass_the_content_checks(body: bytes, mime: str) -> None:
    errors: dict[str, list[Any]] = {}
    checked = check_upload("owner", SimpleUploadedFile("x", body), "file", errors)
    assert errors == {}
    assert checked is not None and checked.content_type == mime
    assert SCRIPT in body


def test_a_file_is_stored_under_a_random_name_never_the_one_it_was_sent_under(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    sent = SimpleUploadedFile("Giấy khai sinh <script>.html", png_polyglot(), "text/html")
    response = client.post("/api/v1/dossiers", {**form, required_key(procedure): sent})
    assert response.status_code == 201
    stored = DossierFile.objects.get()
    assert re.fullmatch(r"dossiers/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.png", str(stored.file.name))
    assert stored.original_name == "Giấy khai sinh <script>.html"
    assert stored.content_type == "image/png"  # sniffed from the content, not the name


def test_a_kept_upload_is_stored_under_a_random_name_too(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    sent = SimpleUploadedFile("Giấy khai sinh.pdf", PDF, "application/pdf")
    refused(procedure, form, files={required_key(procedure): [sent]}, now=timezone.now())
    kept = PendingUpload.objects.get()
    assert re.fullmatch(r"pending/\d{4}/\d{2}/\d{2}/[0-9a-f]{32}\.pdf", str(kept.file.name))
    assert kept.original_name == "Giấy khai sinh.pdf"


def _sandboxed(response: Any) -> None:
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response["Cache-Control"].startswith("private, no-store")


def test_a_polyglot_is_sent_as_a_sandboxed_attachment_under_a_safe_name(tmp_path: Any) -> None:
    stored = DossierFile(original_name="Giấy khai sinh.png", content_type="image/png")
    stored.file.save("x.png", ContentFile(png_polyglot()), save=False)
    response = private_file_response(stored)
    _sandboxed(response)
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == (
        'attachment; filename="giay_khai_sinh.png"; '
        "filename*=utf-8''Gi%E1%BA%A5y%20khai%20sinh.png"
    )
    assert b"".join(response.streaming_content) == png_polyglot()  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "plain"),
    [
        ("to-khai.pdf", "to-khai.pdf"),
        ('a"; filename="evil.html', "a_filename_evil.html"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\an\\Đơn.pdf", "don.pdf"),
        ("line\r\nSet-Cookie: x=1.pdf", "lineset-cookie_x_1.pdf"),
        ("", "file"),
    ],
)
def test_the_name_of_a_download_is_safe(name: str, plain: str) -> None:
    response = attachment_response(io.BytesIO(b"x"), filename=name, content_type="application/pdf")
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="{plain}"')
    assert "\r" not in disposition and "\n" not in disposition
    assert disposition.count('"') == 2


def test_the_admin_sends_a_dossiers_file_as_a_sandboxed_attachment(
    client: Client, dossier: Any
) -> None:
    client.force_login(staff("view_dossier"))
    stored = DossierFile.objects.get(component__dossier=dossier)
    response = client.get(reverse("admin:dossiers_dossier_file", args=[stored.pk]))
    assert response.status_code == 200
    _sandboxed(response)
    assert response["Content-Disposition"] == 'attachment; filename="giay-khai-sinh.pdf"'


def test_a_template_form_an_administrator_uploaded_is_sent_as_a_sandboxed_attachment(
    client: Client, procedure: Procedure
) -> None:
    assert procedure.current_version is not None
    component = procedure.current_version.components.first()
    assert component is not None
    component.template.save("mau.html", ContentFile(SCRIPT), save=False)
    component.template_name = "Mẫu tờ khai.html"
    component.save()
    url = reverse("portal:component-template", args=[procedure.code, component.pk])
    response = client.get(url)
    assert response.status_code == 200
    _sandboxed(response)
    assert response["Content-Disposition"].startswith('attachment; filename="mau_to_khai.html"')
