"""Uploaded files of dossiers: checked by content before anything is stored, never orphaned.

Files are checked (count, size, type sniffed from the content, SHA-256 while
reading) before a transaction opens; they are then written through Django's
storage API by ``files_stored``, which deletes what it wrote if anything in
its block fails, so a refused or rolled-back write leaves no file behind.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader

from motcua.catalog.models import Component, ProcedureVersion
from motcua.core.errors import PayloadTooLarge
from motcua.core.text import fold

logger = logging.getLogger(__name__)
if TYPE_CHECKING:
    Upload = UploadedFile[Any]
else:
    Upload = UploadedFile

COMPONENT_MISSING = _("Attach this document.")
UNKNOWN_COMPONENT = _("This document is not part of the procedure.")
BAD_FILE_TYPE = _("Only PDF, JPEG and PNG files are accepted (checked by content, not by name).")
EMPTY_FILE = _("The file is empty.")
TOO_MANY_FILES = _("Too many files: at most {max} per dossier.")
FILE_TOO_LARGE = _("A file is too large: at most {max} MB per file.")
BROKEN_FILE = _(
    "This file could not be opened: it is damaged or incomplete. Scan or save it again."
)
PDF_WITHOUT_PAGES = _("This PDF has no page.")
PDF_PROTECTED = _("This PDF is protected by a password: send it without the password.")

_SNIFF_BYTES = 2048
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")  # left out of the ASCII name of a download
Owner = TypeVar("Owner")


@dataclass(frozen=True)
class CheckedFile(Generic[Owner]):
    """An upload that passed the checks, with what it belongs to (a component, a result)."""

    owner: Owner
    upload: Upload
    content_type: str
    extension: str
    sha256: str
    size: int
    pages: int | None = None  # a PDF's pages, counted when it was opened


def check_upload(
    owner: Owner, upload: Upload, key: str, errors: dict[str, list[Any]]
) -> CheckedFile[Owner] | None:
    """Check one upload's size and type by content; note a problem under ``key``.

    A file over the size limit raises ``PayloadTooLarge`` (413) at once.
    """
    max_size: int = settings.MOTCUA_MAX_FILE_SIZE
    if (upload.size or 0) > max_size:
        message = format_lazy(FILE_TOO_LARGE, max=max_size // 2**20)
        raise PayloadTooLarge(message, field_errors={key: [message]})
    result = _sniff_and_hash(upload)
    if result is None:
        errors[key] = [EMPTY_FILE]
        return None
    mime, extension, digest, size = result
    if mime not in settings.MOTCUA_ALLOWED_FILE_TYPES:
        errors[key] = [BAD_FILE_TYPE]
        return None
    pages, problem = _opened(upload, mime)
    if problem is not None:
        errors[key] = [problem]
        return None
    return CheckedFile(owner, upload, mime, extension, digest, size, pages)


def _opened(upload: Upload, mime: str) -> tuple[int | None, Any]:
    """Open the file as what its first bytes say it is: (a PDF's pages, or the problem).

    The first bytes of a PDF or an image are easy to fake and easy to
    truncate: a scan is accepted only if it opens (pypdf reads the PDF's
    page tree, Pillow verifies the image), so no officer accepts a component
    whose scan cannot be read.
    """
    upload.seek(0)
    try:
        if mime == "application/pdf":
            reader = PdfReader(upload, strict=False)
            if reader.is_encrypted:
                return None, PDF_PROTECTED
            pages = len(reader.pages)
            return (pages, None) if pages else (None, PDF_WITHOUT_PAGES)
        with Image.open(upload) as image:
            image.verify()
        return None, None
    except Exception:
        return None, BROKEN_FILE
    finally:
        upload.seek(0)


def check_component_files(
    version: ProcedureVersion,
    files: Mapping[str, Sequence[Upload]],
    errors: dict[str, list[Any]],
    *,
    require_all: bool = True,
    kept: Mapping[str, int] | None = None,
) -> list[CheckedFile[Component]]:
    """Check the files of a dossier's components, keyed ``component-<id>``.

    Notes each problem in ``errors`` under its key; with ``require_all`` a
    required component without a file is a problem too (online submission;
    at the counter paper is received and scanning is recorded per component).
    ``kept`` counts, by key, the files kept from an earlier attempt
    (``uploads``): they were checked then, and count as files here.
    Too many files raise ``PayloadTooLarge`` (413) at once.
    """
    kept = kept or {}
    components = {f"component-{c.pk}": c for c in version.components.all()}
    max_files: int = settings.MOTCUA_MAX_FILES
    if sum(len(group) for group in files.values()) + sum(kept.values()) > max_files:
        raise PayloadTooLarge(format_lazy(TOO_MANY_FILES, max=max_files))
    checked: list[CheckedFile[Component]] = []
    for key, group in files.items():
        component = components.get(key)
        if component is None:
            errors[key] = [UNKNOWN_COMPONENT]
            continue
        for upload in group:
            one = check_upload(component, upload, key, errors)
            if one is not None:
                checked.append(one)
    if require_all:
        for key, component in components.items():
            has_file = bool(files.get(key)) or kept.get(key, 0) > 0
            if component.is_required and not has_file and key not in errors:
                errors[key] = [COMPONENT_MISSING]
    return checked


@contextmanager
def files_stored(
    checked: Sequence[CheckedFile[Owner]], *, folder: str = "dossiers"
) -> Iterator[list[tuple[CheckedFile[Owner], str]]]:
    """Store each checked file under a random name; delete them all if the block fails.

    Yields ``(checked file, stored name)`` pairs. Open the transaction that
    records them inside this block, so a rollback also removes the files.
    """
    written: list[str] = []
    try:
        stored = []
        for one in checked:
            name = default_storage.save(
                f"{folder}/{timezone.now():%Y/%m/%d}/{uuid.uuid4().hex}.{one.extension}",
                one.upload,
            )
            written.append(name)
            stored.append((one, name))
        yield stored
    except BaseException:
        files_delete(written)
        raise


def files_delete(names: Sequence[str]) -> None:
    """Delete stored files, logging (not raising) a failure to delete one."""
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # pragma: no cover - nothing more we can do; say so in the log
            logger.exception("could not delete %s after a failed write", name)


def _sniff_and_hash(upload: Upload) -> tuple[str, str, str, int] | None:
    """Return (content type, extension, SHA-256, size) of ``upload``, or None if it is empty."""
    digest = hashlib.sha256()
    head = b""
    size = 0
    upload.seek(0)
    for chunk in upload.chunks():
        if len(head) < _SNIFF_BYTES:
            head += chunk[: _SNIFF_BYTES - len(head)]
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    if size == 0:
        return None
    kind = filetype.guess(head)
    if kind is None:
        return ("application/octet-stream", "bin", digest.hexdigest(), size)
    return (str(kind.mime), str(kind.extension), digest.hexdigest(), size)


def private_file_response(stored: Any) -> FileResponse:
    """Send a stored dossier file or result (``file``, ``original_name``, ``content_type``).

    A file someone uploaded is always sent as an attachment under a safe name
    (ASCII, and the Vietnamese name in RFC 5987 ``filename*``), never
    content-sniffed, sandboxed by its own Content Security Policy, and never
    cached by a shared cache: a PDF or image that is also HTML or a script
    (a polyglot passes the content checks) is saved, never run by a browser.
    """
    return attachment_response(
        stored.file.open("rb"),
        filename=stored.original_name or f"{stored.pk}",
        content_type=stored.content_type,
    )


def attachment_response(file: Any, *, filename: str, content_type: str | None) -> FileResponse:
    """Send an open file as a download that no browser renders or runs.

    The name is the last part of ``filename`` without control characters,
    sent as an ASCII ``filename`` (Vietnamese letters without their marks)
    and, when it is not ASCII, in full as RFC 5987 ``filename*``.
    """
    name = "".join(c for c in filename.replace("\\", "/").rsplit("/", 1)[-1] if c.isprintable())
    name = name.strip(" .") or "file"
    plain = _UNSAFE.sub("_", fold(name).encode("ascii", "ignore").decode()).strip("_") or "file"
    response = FileResponse(file, as_attachment=True, filename=plain, content_type=content_type)
    disposition = f'attachment; filename="{plain}"'
    if name != plain:
        disposition += f"; filename*=utf-8''{quote(name, safe='')}"
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
