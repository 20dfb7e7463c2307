"""A submission's body: cut-off multipart bodies refused, a too-large file stopped in flight."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.test import Client

from motcua.catalog.models import Procedure
from motcua.core.limits import UPLOAD_CUT_OFF
from motcua.dossiers.models import Dossier, DossierFile

from .conftest import PDF, optional_key, required_key

pytestmark = pytest.mark.django_db
BOUNDARY = "----motcua7MA4YWxkTrZu0gW"


def multipart(
    fields: dict[str, str], files: dict[str, tuple[str, bytes]], *, closed: bool
) -> bytes:
    """Build a multipart/form-data body by hand; without ``closed``, cut its closing line."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, (filename, content) in files.items():
        head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    if closed:
        parts.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(parts)


def send(client: Client, path: str, body: bytes, **extra: Any) -> Any:
    return client.generic(
        "POST", path, body, content_type=f"multipart/form-data; boundary={BOUNDARY}", **extra
    )


def _files(procedure: Procedure) -> dict[str, tuple[str, bytes]]:
    return {
        required_key(procedure): ("to-khai.pdf", PDF),
        optional_key(procedure): ("giay-to-khac.pdf", PDF),
    }


def test_a_whole_body_gives_a_dossier_with_both_files(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    response = send(client, "/api/v1/dossiers", multipart(form, _files(procedure), closed=True))
    assert response.status_code == 201
    assert DossierFile.objects.count() == 2


def test_a_body_without_its_closing_boundary_is_400_and_nothing_is_recorded(
    client: Client, procedure: Procedure, form: dict[str, Any], settings: Any
) -> None:
    # Django's parser alone accepted this body and dropped its last file (201, one file).
    body = multipart(form, _files(procedure), closed=False)
    response = send(client, "/api/v1/dossiers", body, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "invalid", "message": str(UPLOAD_CUT_OFF)}}
    assert Dossier.objects.count() == 0
    assert list(Path(settings.MEDIA_ROOT).rglob("*.*")) == []


def test_a_page_answers_a_cut_off_body_with_the_error_page(
    client: Client, procedure: Procedure, form: dict[str, Any]
) -> None:
    body = multipart(form, _files(procedure), closed=False)
    response = send(client, f"/thu-tuc/{procedure.code}/nop-ho-so/", body)
    assert response.status_code == 400
    assert "Tệp gửi lên bị cắt ngang" in response.content.decode()
    assert Dossier.objects.count() == 0


class Spy(TemporaryFileUploadHandler):
    """The temporary-file handler, noting how many bytes of each file it wrote."""

    written: ClassVar[list[int]] = []

    def file_complete(self, file_size: int) -> Any:
        Spy.written.append(file_size)
        return super().file_complete(file_size)


def test_a_file_over_the_size_limit_is_never_written_whole_and_is_refused_with_413(
    client: Client, procedure: Procedure, form: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.MOTCUA_MAX_FILE_SIZE = 2**20
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # larger files go to the temporary folder
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.FILE_UPLOAD_HANDLERS = [
        "motcua.core.limits.FileSizeLimitUploadHandler",
        f"{__name__}.Spy",
    ]
    Spy.written.clear()
    huge = PDF + b"%" * (8 * 2**20)
    body = multipart(form, {required_key(procedure): ("to-khai.pdf", huge)}, closed=True)
    response = send(client, "/api/v1/dossiers", body, headers={"Accept-Language": "en"})
    assert response.status_code == 413
    message = "A file is too large: at most 1 MB per file."
    assert response.json()["error"]["fields"] == {required_key(procedure): [message]}
    assert Spy.written == [2**20 + 1]  # one byte over the limit, not 8 MB
    assert Dossier.objects.count() == 0
