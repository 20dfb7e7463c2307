"""The applicant's pages for their own dossier: answer a supplement request, ask to withdraw.

Mounted under ``/ho-so-cua-toi/<code>/`` (``applicant_urls``). Each page is
a thin shell around an include (``workflow/applicant/_supplement_answer.html``,
``_withdraw.html``) that the applicant's dossier page can show in its block
of actions. Access is ``applicant_access.applicant_owns``: another person's
dossier, or no applicant at all, is 404, the page of a code that does not
exist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from motcua.core.errors import DomainError
from motcua.dossiers.files import Upload
from motcua.dossiers.models import Dossier, DossierState
from motcua.dossiers.uploads import KEPT_INPUT, KeptFile, SubmissionInvalid

from . import rules
from .applicant_access import applicant_owns, applicant_pin
from .services import applicant as services

SUPPLEMENT_SENT = _("Your supplement was sent. The one-stop unit has received it.")
WITHDRAWAL_SENT = _("Your request to withdraw was sent. The agency will answer it.")
_ITEM_INPUT = re.compile(r"item-(\d{1,9})")
_KEPT_INPUT = re.compile(r"item-(\d{1,9})-kept")
NOT_AN_ITEM = -1  # an input named like no item: refused as "not part of the request"


def _dossier(request: HttpRequest, code: str) -> Dossier:
    """Return the applicant's dossier, or raise Http404 (unknown, or someone else's)."""
    dossier = Dossier.objects.select_related("procedure").filter(code=code).first()
    if dossier is None or not applicant_owns(request, dossier):
        raise Http404
    return dossier


def item_files(files: Any) -> dict[int, Sequence[Upload]]:
    """Return the uploads of a form or API body by item id (inputs ``item-<id>``)."""
    out: dict[int, list[Upload]] = {}
    for key in files:
        match = _ITEM_INPUT.fullmatch(key)
        item_id = int(match.group(1)) if match else NOT_AN_ITEM
        out.setdefault(item_id, []).extend(files.getlist(key))
    return dict(out)


@require_http_methods(["GET", "POST"])
def supplement_answer(request: HttpRequest, code: str) -> HttpResponse:
    """Show the open supplement request (form 02) and take the applicant's answer."""
    dossier = _dossier(request, code)
    error: DomainError | None = None
    note = ""
    kept: dict[str, list[KeptFile]] = {}
    if request.method == "POST":
        note = request.POST.get("note", "")
        tokens = kept_tokens(request.POST)
        try:
            services.supplement_answer_online(
                dossier=dossier,
                applicant_id_number=applicant_pin(request),
                files=item_files(request.FILES),
                note=note,
                kept=tokens,
                keep_files=True,
            )
        except SubmissionInvalid as exc:
            error, kept = exc, exc.kept
        except DomainError as exc:
            # Refused before the files were checked: the files kept before stay listed.
            error, kept = exc, services.kept_answer_files_listed(dossier, tokens)
        else:
            messages.success(request, SUPPLEMENT_SENT)
            return redirect("applicant:supplement", code=dossier.code)
    status = error.status if error else 200
    context = supplement_context(dossier, error=error, note=note, kept=kept)
    return render(request, "workflow/applicant/supplement.html", context, status=status)


def kept_tokens(post: Any) -> dict[int, list[str]]:
    """Return the tokens of kept files the page sent back (ticked), by item id."""
    out: dict[int, list[str]] = {}
    for key in post:
        match = _KEPT_INPUT.fullmatch(key)
        if match:
            out.setdefault(int(match.group(1)), []).extend(str(v) for v in post.getlist(key))
    return out


def supplement_context(
    dossier: Dossier,
    *,
    error: DomainError | None = None,
    note: str = "",
    kept: Mapping[str, Sequence[KeptFile]] | None = None,
) -> dict[str, Any]:
    """Return what ``_supplement_answer.html`` needs: the open request, its items, the errors.

    Two queries (the request and its items), none unless the dossier waits
    for a supplement. The applicant's dossier page may call it for its block.
    """
    field_errors = dict(error.field_errors) if error else {}
    supplement = (
        services.open_supplement_request(dossier)
        if dossier.state == DossierState.SUPPLEMENT_REQUESTED
        else None
    )
    items = [
        {
            "item": item,
            "input": services.ITEM_INPUT.format(item.pk),
            "errors": field_errors.get(services.ITEM_INPUT.format(item.pk), []),
            "kept": list((kept or {}).get(services.ITEM_INPUT.format(item.pk), [])),
            "kept_name": KEPT_INPUT.format(services.ITEM_INPUT.format(item.pk)),
        }
        for item in (supplement.items.all() if supplement else [])
    ]
    known = {row["input"] for row in items} | {"note"}
    return {
        "dossier": dossier,
        "supplement": supplement,
        "items": items,
        "error": error,
        "note_errors": field_errors.get("note", []),
        # Errors of inputs the page does not draw (an item of no request): said at the top.
        "other_errors": [m for k, ms in field_errors.items() if k not in known for m in ms],
        "note": note,
        "has_kept": any(row["kept"] for row in items),
    }


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, code: str) -> HttpResponse:
    """Take the applicant's request to withdraw the dossier, with the reason."""
    dossier = _dossier(request, code)
    error: DomainError | None = None
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            services.applicant_withdrawal_request(
                dossier=dossier, applicant_id_number=applicant_pin(request), reason=reason
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, WITHDRAWAL_SENT)
            return redirect("applicant:withdraw", code=dossier.code)
    status = error.status if error else 200
    context = withdraw_context(dossier, error=error, reason=reason)
    return render(request, "workflow/applicant/withdraw.html", context, status=status)


def withdraw_context(
    dossier: Dossier, *, error: DomainError | None = None, reason: str = ""
) -> dict[str, Any]:
    """Return what ``_withdraw.html`` needs (no query). The dossier page may call it too."""
    allowed = rules.applicant_actions(services.applicant_situation(dossier))
    return {
        "dossier": dossier,
        "can_withdraw": rules.Action.REQUEST_WITHDRAWAL in allowed,
        "error": error,
        "reason_errors": error.field_errors.get("reason", []) if error else [],
        "reason": reason,
    }
