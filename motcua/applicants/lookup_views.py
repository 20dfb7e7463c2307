"""The pages of the lookup by one-time code: ask for a code, enter it, see the dossiers.

The session carries the request being answered (``lookup_pending``: its id)
and, once a code was right, the dossiers it opened until when (``lookup``).
The answer to a request is the same whether or not anything matched.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.audit.context import client_address
from motcua.core.errors import DomainError

from . import lookup

PENDING = "lookup_pending"
OPENED = "lookup"
ENDED = _("You closed the list of your dossiers.")


def _opened(request: HttpRequest) -> tuple[list[int], int | None] | None:
    """Return the dossier ids the session's code opened and its request, if still open."""
    opened: Any = request.session.get(OPENED)
    if not isinstance(opened, dict):
        return None
    until = dt.datetime.fromisoformat(str(opened.get("until", "")) or "2000-01-01T00:00+00:00")
    if until <= timezone.now():
        request.session.pop(OPENED, None)
        return None
    return [int(pk) for pk in opened.get("ids", [])], opened.get("request")


@never_cache
@require_http_methods(["GET", "POST"])
def lookup_start(request: HttpRequest) -> HttpResponse:
    """Ask for the identification number and the phone; send a code if a dossier matches."""
    context: dict[str, Any] = {"id_number": "", "phone": ""}
    if request.method == "POST":
        context |= {
            "id_number": request.POST.get("id_number", "")[:40],
            "phone": request.POST.get("phone", "")[:40],
        }
        try:
            row = lookup.lookup_code_request(
                id_number=context["id_number"],
                phone=context["phone"],
                address=client_address(request),
                language=get_language() or "vi",
            )
        except DomainError as exc:
            context |= {"error": exc.message, "field_errors": exc.field_errors}
            return render(request, "applicants/lookup_start.html", context, status=exc.status)
        request.session[PENDING] = row.pk
        minutes = int((row.expires_at - row.created_at).total_seconds() // 60)
        messages.info(request, lookup.CODE_SENT % {"minutes": minutes})
        return redirect("applicants:lookup-verify")
    return render(request, "applicants/lookup_start.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def lookup_verify(request: HttpRequest) -> HttpResponse:
    """Take the code sent by SMS; a right one opens the list of the dossiers."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, int):
        return redirect("applicants:lookup")
    context: dict[str, Any] = {}
    if request.method == "POST":
        try:
            opened = lookup.lookup_code_verify(
                lookup_id=pending, code=request.POST.get("code", "")[:20]
            )
        except DomainError as exc:
            context |= {"error": exc.message, "field_errors": exc.field_errors}
            # A wrong code may be tried again; an expired or spent one needs a new request.
            context["again"] = not exc.field_errors
            return render(request, "applicants/lookup_verify.html", context, status=exc.status)
        request.session.cycle_key()  # what the session opens now is worth a new key
        request.session.pop(PENDING, None)
        request.session[OPENED] = {
            "ids": opened.dossier_ids,
            "until": opened.until.isoformat(),
            "request": pending,
        }
        return redirect("applicants:lookup-dossiers")
    return render(request, "applicants/lookup_verify.html", context)


@never_cache
@require_GET
def lookup_dossiers(request: HttpRequest) -> HttpResponse:
    """List the dossiers a right code opened, read-only, while the lookup lasts."""
    opened = _opened(request)
    if opened is None:
        messages.info(request, lookup.LOOKUP_ENDED)
        return redirect("applicants:lookup")
    ids, request_id = opened
    until = dt.datetime.fromisoformat(request.session[OPENED]["until"])
    return render(
        request,
        "applicants/lookup_dossiers.html",
        {"dossiers": lookup.lookup_dossiers(ids, lookup_id=request_id), "until": until},
    )


@require_POST
def lookup_end(request: HttpRequest) -> HttpResponse:
    """Close the list before its time (a shared phone or computer)."""
    request.session.pop(OPENED, None)
    request.session.pop(PENDING, None)
    messages.success(request, ENDED)
    return redirect("applicants:lookup")
