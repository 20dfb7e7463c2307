"""A staff member's notices: the list, and marking them read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from motcua.staff.decorators import staff_required
from motcua.staff.redirects import safe_next_url

from .selectors import notifications_of, notifications_unread_summary
from .services import notifications_mark_read

PAGE = 50


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


@require_GET
@staff_required
def notifications(request: HttpRequest) -> HttpResponse:
    """List the latest notices, unread first in bold."""
    assert request.user.pk is not None  # noqa: S101 - staff_required let only staff through
    rows = list(notifications_of(recipient_id=request.user.pk)[:PAGE])
    return render(request, "notifications/list.html", {"notifications": rows})


@require_POST
@staff_required
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark the ticked notices (``ids``), or every unread one, read; only one's own.

    With htmx, answer with the unread list (``notifications/_list.html``) and the
    navigation's unread badge;
    otherwise go back to ``next`` when it is a page of this site, else to the list.
    """
    assert request.user.pk is not None  # noqa: S101 - staff_required let only staff through
    # ASCII digits only ("²" is a digit to isdigit, not to int), short enough for a bigint.
    ids = [i for i in request.POST.getlist("ids") if i.isascii() and i.isdigit() and len(i) < 19]
    notifications_mark_read(recipient_id=request.user.pk, ids=[int(i) for i in ids] or None)
    if _is_partial(request):
        unread = notifications_unread_summary(recipient_id=request.user.pk)
        return render(
            request,
            "notifications/_list.html",
            # The nav's badge is swapped out of band, so it shows the new count too.
            {"notifications": unread.notifications, "unread": unread.count, "oob_badge": True},
        )
    # A path, never a view name to reverse (redirect() would try "NaN" as one).
    return HttpResponseRedirect(
        safe_next_url(request, request.POST.get("next"), "notifications:list")
    )
