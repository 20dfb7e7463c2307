"""Django's error views (``handler400/403/404/500`` in ``config.urls``): JSON under /api/.

Errors raised inside an API view reach ``motcua.api.errors.exception_handler``;
these answer what happens outside one: an address no URL matches (404, e.g. a
malformed id), a request refused before any view ran (400, e.g. a NUL byte),
and an unexpected exception (500). Under ``/api/`` the body is the one error
shape, in the request's language; elsewhere the site's error pages.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions

from motcua.core.middleware import RefusedInput

from .errors import error_body

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _json(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status)


def _page(template_name: str, status: int, message: str = "") -> HttpResponse:
    """Render an error page without the request: its session or user may be what failed."""
    context = {"SITE_NAME": settings.SITE_NAME, "message": message}
    return HttpResponse(loader.render_to_string(template_name, context), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """400: a request Django refused before any view read it (``SuspiciousOperation``)."""
    message = str(exception) if isinstance(exception, RefusedInput) else ""
    if _is_api(request):
        return _json("invalid", message or _("The request could not be read."), 400)
    return _page("400.html", 400, message)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return _json("forbidden", str(exceptions.PermissionDenied.default_detail), 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404: no URL matches (an unknown address, or an id that is not a number)."""
    if _is_api(request):
        return _json("not_found", _("Not found."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """500: an unexpected exception; Django has already logged it with its traceback."""
    if _is_api(request):
        message = _("Something went wrong on our side; it has been recorded. Try again later.")
        return _json("server_error", message, 500)
    return _page("500.html", 500)
