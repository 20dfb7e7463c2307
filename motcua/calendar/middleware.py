"""Read the calendar at most once per request (outside the administration)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .selectors import calendar_snapshot


class CalendarSnapshotMiddleware:
    """Let every due date and time left computed for one request share one read of the calendar.

    An action computes a few due dates and its page the working time left on
    each row: each would read the seasons and special days again. The
    snapshot lives only for the request (``calendar_snapshot``); the admin,
    where the calendar itself changes, reads it afresh each time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/admin/"):
            return self.get_response(request)
        with calendar_snapshot():
            return self.get_response(request)
