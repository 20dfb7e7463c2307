"""Language selection: Vietnamese first on pages, Accept-Language on the API."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation


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
