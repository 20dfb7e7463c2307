"""Bounded request bodies: refused by their declared size, cut off while they are read.

``RequestLimitMiddleware`` refuses a body whose ``Content-Length`` is over
``MOTCUA_MAX_REQUEST_BYTES`` with 413 before reading any of it; a chunked body
(no ``Content-Length``, the server ends the input) is counted while it is
spooled to ``FILE_UPLOAD_TEMP_DIR`` and refused at the limit. A multipart body
is read through ``_ClosingWatch``, which refuses it (400) if it ends without
its closing boundary: Django's parser would otherwise accept it, the last
part dropped. ``FileSizeLimitUploadHandler`` stops writing a file once it is
over ``MOTCUA_MAX_FILE_SIZE``, so it is never written whole.

Parsing happens deep inside other code (the CSRF check, a form, DRF), so a
refusal is recorded on the request and raised as a ``BodyRefused``
(a ``SuspiciousOperation``: whoever catches it answers 4xx); on the way out
the middleware answers the recorded refusal itself, in one shape: the JSON
error body under ``/api/``, the error page elsewhere.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadhandler import FileUploadHandler
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.http import parse_header_parameters
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

REQUEST_TOO_LARGE = _("The request is too large: at most {max} MB in all.")
UPLOAD_CUT_OFF = _(
    "The upload was cut off before its end (the connection may have dropped): send it again."
)
_REFUSED = "_motcua_body_refused"
_CHUNK = 64 * 1024


class BodyRefused(SuspiciousOperation):
    """A request body the application will not read further; ``status`` is its answer."""

    status = 400
    code = "invalid"

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


class BodyTooLarge(BodyRefused, RequestDataTooBig):
    """A request body, or one file in it, over its limit."""

    status = 413
    code = "too_large"


def refuse(request: HttpRequest | None, error: BodyRefused) -> BodyRefused:
    """Record ``error`` on ``request`` for the middleware to answer, and return it to raise."""
    if request is not None and getattr(request, _REFUSED, None) is None:
        setattr(request, _REFUSED, error)
    return error


def max_request_bytes() -> int:
    """Return the most bytes a request body may have (``MOTCUA_MAX_REQUEST_BYTES``)."""
    limit: int = settings.MOTCUA_MAX_REQUEST_BYTES
    return limit


def too_large(limit: int) -> BodyTooLarge:
    """Return the refusal of a body over ``limit`` bytes."""
    return BodyTooLarge(format_lazy(REQUEST_TOO_LARGE, max=f"{limit / 2**20:g}"))


def upload_temp_dir() -> str | None:
    """Return the folder of temporary uploads, created if missing (None: the system's)."""
    folder: str | None = settings.FILE_UPLOAD_TEMP_DIR
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
    return folder


def refusal_response(request: HttpRequest, error: BodyRefused) -> HttpResponse:
    """Answer a refused body: the API's JSON error shape, or the error page."""
    if request.path_info.startswith("/api/"):
        # The shape of motcua.api.errors.error_body (core does not import the API).
        body = {"code": error.code, "message": str(error.message)}
        return JsonResponse({"error": body}, status=error.status)
    return render(
        request,
        "core/request_refused.html",
        {"message": error.message, "status": error.status},
        status=error.status,
    )


class _ClosingWatch:
    """A request's input stream that refuses a multipart body ending before its closing line."""

    def __init__(self, stream: Any, *, boundary: bytes, length: int, request: HttpRequest) -> None:
        self._stream = stream
        self._closing = b"--" + boundary + b"--"
        self._tail = b""
        self._left = length
        self._request = request
        self.closed = False

    def _seen(self, data: bytes, size: int | None) -> bytes:
        if not self.closed:
            window = self._tail + data
            self.closed = self._closing in window
            self._tail = window[-len(self._closing) :]
        self._left -= len(data)
        ended = self._left <= 0 or (not data and size != 0)
        if ended and not self.closed:
            raise refuse(self._request, BodyRefused(UPLOAD_CUT_OFF))
        return data

    def read(self, size: int | None = -1, /) -> bytes:
        return self._seen(self._stream.read(size), size)

    def readline(self, size: int | None = -1, /) -> bytes:
        return self._seen(self._stream.readline(size), size)


def _content_length(meta: dict[str, Any]) -> int | None:
    try:
        return int(meta.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _spooled(request: HttpRequest, limit: int) -> Any:
    """Read a chunked body into a spooled file, counting; refuse it past ``limit``."""
    spool = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed by the middleware)
        max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE, dir=upload_temp_dir()
    )
    source = request.META["wsgi.input"]
    size = 0
    while chunk := source.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            spool.close()
            raise refuse(request, too_large(limit))
        spool.write(chunk)
    spool.seek(0)
    request.META["CONTENT_LENGTH"] = str(size)
    return spool


class RequestLimitMiddleware:
    """Refuse request bodies over ``MOTCUA_MAX_REQUEST_BYTES`` and cut-off multipart bodies.

    Put it before any middleware that reads the body (the CSRF check reads
    the form in ``process_view``, after every middleware's request phase).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = max_request_bytes()
        meta = request.META
        length = _content_length(meta)
        spool: Any = None
        if length is not None and length > limit:
            return refusal_response(request, refuse(request, too_large(limit)))
        chunked = "chunked" in meta.get("HTTP_TRANSFER_ENCODING", "").lower()
        if length is None and chunked and meta.get("wsgi.input_terminated"):
            # A chunked body: Django reads a body without Content-Length as empty; the server
            # says where it ends, so count it in, and give Django its length.
            try:
                spool = _spooled(request, limit)
            except BodyRefused as error:
                return refusal_response(request, error)
            length = int(meta["CONTENT_LENGTH"])
            # Django's own input stream of a request (WSGIRequest._stream), replaced here.
            setattr(request, "_stream", LimitedStream(spool, length))  # noqa: B010
        try:
            kind, params = parse_header_parameters(meta.get("CONTENT_TYPE", ""))
            boundary = params.get("boundary", "")
            if kind == "multipart/form-data" and boundary and length:
                watch = _ClosingWatch(
                    getattr(request, "_stream"),  # noqa: B009
                    boundary=boundary.encode("ascii", "replace"),
                    length=length,
                    request=request,
                )
                setattr(request, "_stream", watch)  # noqa: B010
            response = self.get_response(request)
        finally:
            if spool is not None:
                spool.close()
        refused: BodyRefused | None = getattr(request, _REFUSED, None)
        if refused is None:
            return response
        for handler in getattr(request, "_upload_handlers", []):
            # The file a handler was writing when the body was refused (a temporary file
            # is deleted when closed).
            file = getattr(handler, "file", None)
            if file is not None:
                file.close()
        return refusal_response(request, refused)


class FileSizeLimitUploadHandler(FileUploadHandler):
    """Write at most ``MOTCUA_MAX_FILE_SIZE`` + 1 bytes of a file (first of the handlers).

    The handlers after it (memory, temporary file) get no more of a file once
    it is over the limit, so a large file is never written whole; it arrives
    one byte over the limit, and the check of the uploads (``check_upload``)
    refuses it with 413 and the page or error that names the field, the rest
    of the form kept. The body as a whole is bounded by the middleware.
    """

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        upload_temp_dir()  # the next handler may write there

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        limit: int = settings.MOTCUA_MAX_FILE_SIZE
        if start + len(raw_data) <= limit:
            return raw_data
        if start > limit:
            return None  # already over: the next handlers get nothing more
        return raw_data[: limit + 1 - start]

    def file_complete(self, file_size: int) -> None:
        return None
