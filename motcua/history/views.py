"""The statistician's import pages: upload a file, follow its progress, read what was rejected.

``imports`` lists the latest imports (the list polls itself every 2 s
through htmx while one runs) and takes an upload; ``batch`` shows one
import's counters and its rejected rows, a page at a time;
``rejections_download`` streams them as CSV. Each view checks who asks
(``selectors.may_import``: a superuser or a province-wide statistician),
reads through ``selectors`` and writes through ``services``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core.errors import DomainError, Forbidden, ValidationFailed
from motcua.staff.selectors import user_needs_otp

from . import selectors, services

NOT_ALLOWED = _("Only a statistician of the province (or an administrator) may import records.")
NO_FILE = _("Choose a CSV or Excel file to import.")


def _refused(request: HttpRequest) -> HttpResponse | None:
    """Return the answer to someone who may not be here (login, or 403), None for the others."""
    user = request.user
    if not user.is_authenticated or user_needs_otp(request=request):
        return redirect_to_login(request.get_full_path())
    if not selectors.may_import(user):
        return _error(request, Forbidden(NOT_ALLOWED))
    return None


def _partial(request: HttpRequest) -> bool:
    """Tell whether htmx asks for the fragment (not a restore of the browser's history)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _error(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "backoffice/error.html", {"error": error.message}, status=error.status)


def _list_context(**extra: Any) -> dict[str, Any]:
    batches = selectors.batches_recent()
    return {"batches": batches, "running": any(b.is_active for b in batches), **extra}


@require_http_methods(["GET", "POST"])
def imports(request: HttpRequest) -> HttpResponse:
    """List the imports; POST uploads a file of dossiers and queues its import."""
    if (refusal := _refused(request)) is not None:
        return refusal
    if request.method == "GET":
        template = "history/_batches.html" if _partial(request) else "history/imports.html"
        return render(request, template, _list_context())
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationFailed(NO_FILE, field_errors={"file": [NO_FILE]})
        batch = services.import_batch_create(
            file_name=upload.name or "", chunks=upload.chunks(), actor=request.user
        )
    except DomainError as error:
        return render(
            request, "history/imports.html", _list_context(error=error), status=error.status
        )
    return redirect("history:batch", pk=batch.pk)


@require_GET
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an import's progress and counters and a page of its rejected rows."""
    if (refusal := _refused(request)) is not None:
        return refusal
    try:
        found = selectors.batch_get(pk)
    except DomainError as error:
        return _error(request, error)
    context: dict[str, Any] = {"batch": found}
    if _partial(request):
        return render(request, "history/_progress.html", context)
    context["page"] = selectors.rejections_page(found, request.GET.get("trang"))
    return render(request, "history/batch.html", context)


@require_GET
def rejections_download(request: HttpRequest, pk: int) -> HttpResponse | StreamingHttpResponse:
    """Stream an import's rejected rows as CSV (UTF-8 with a BOM, for spreadsheets)."""
    if (refusal := _refused(request)) is not None:
        return refusal
    try:
        found = selectors.batch_get(pk)
    except DomainError as error:
        return _error(request, error)
    response = StreamingHttpResponse(
        selectors.rejections_csv(found), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="nhap-lieu-{found.pk}-bi-tu-choi.csv"'
    return response
