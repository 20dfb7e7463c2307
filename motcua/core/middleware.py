"""Language selection (Vietnamese first on pages, Accept-Language on the API); unstorable input."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Pick the language of a request.

    Pages are in Vietnamese unless the visitor chose another language with the
    language switch (cookie): many citizens' phones are set to English, and
    they still expect the public service in Vietnamese. API clients choose with
    ``Accept-Language``, as HTTP intends.
    """

    def process_request(self, request: HttpRequest) -> None:
        if request.path_info.startswith("/api/"):
            super().process_request(request)
            return
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RefusedInput(SuspiciousOperation):
    """A request refused before any view read it; the message says why (the 400's message)."""


class UnstorableInput(RefusedInput):
    """A request carrying text no database column can hold (NUL, a lone surrogate)."""


UNSTORABLE_INPUT = _("The request contains a character that is not allowed (NUL).")
JSON_TOO_DEEP = _("The JSON body is nested too deeply.")
# Lone UTF-16 surrogates: JSON can spell them ("\ud800"), UTF-8 cannot encode them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _unstorable(value: object) -> bool:
    """Return whether ``value`` (a string, or JSON of lists and dicts) holds such a character."""
    if isinstance(value, str):
        return _UNSTORABLE.search(value) is not None
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(item) for item in value)
    return False


def unstorable_fields(data: Mapping[str, Any]) -> list[str]:
    """Return the names of the fields of a parsed form (``QueryDict``) holding such a character.

    For multipart bodies, which ``UnstorableInputMiddleware`` leaves to the
    views: a view that reads fields without a form or serializer checks them here.
    """
    lists = data.lists() if isinstance(data, QueryDict) else data.items()
    return [str(name) for name, value in lists if _unstorable(name) or _unstorable(value)]


def _json_body(request: HttpRequest) -> object:
    try:
        return json.loads(request.body)
    except ValueError:
        return None  # the view's parser answers malformed JSON with its own 400
    except RecursionError:
        # "[[[[...": the view's parser would fail the same way, with a server error.
        raise RefusedInput(JSON_TOO_DEEP) from None


class UnstorableInputMiddleware:
    """Refuse with 400 a request whose path, query, headers or form/JSON body holds a NUL.

    PostgreSQL refuses NUL in text (and no encoding can store a lone
    surrogate): such a value would reach a query and fail there with a server
    error. Refused here, in one place, before any view reads it; the answer is
    Django's 400 (``SuspiciousOperation``): the JSON error body under /api/,
    the error page elsewhere. Multipart bodies are left to the forms and
    serializers (their text fields refuse NUL), so uploads are not read twice.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._refused(request):
            raise UnstorableInput(UNSTORABLE_INPUT)
        return self.get_response(request)

    @staticmethod
    def _refused(request: HttpRequest) -> bool:
        if _unstorable(request.path_info):
            return True
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            _unstorable(key) or _unstorable(values) for key, values in request.GET.lists()
        ):
            return True
        if any(
            "\x00" in str(value)
            for name, value in request.META.items()
            if name.startswith("HTTP_") or name == "CONTENT_TYPE"
        ):
            return True
        if request.method in {"GET", "HEAD", "OPTIONS"}:
            return False
        content_type = request.content_type or ""
        try:
            if content_type == "application/x-www-form-urlencoded":
                return any(_unstorable(k) or _unstorable(v) for k, v in request.POST.lists())
            if content_type == "application/json" or content_type.endswith("+json"):
                return _unstorable(_json_body(request))
        except (RequestDataTooBig, TooManyFieldsSent):
            return False  # the view refuses it as too large, as without this check
        return False
