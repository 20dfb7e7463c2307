"""Ratings pages: the applicant rates their dossier, staff read their agencies', everyone the sums.

- ``/ho-so-cua-toi/<code>/danh-gia/``: the applicant's form (``ratings/_rate.html``,
  an include for the applicant's dossier page); access is ``applicant_owns``.
- ``/danh-gia/``: public aggregates per agency and per procedure, counts and
  shares per level, read from the tallies; no comment is ever shown there.
- ``/can-bo/danh-gia/``: the staff's page, scoped like dossiers, with comments.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core.errors import DomainError
from motcua.dossiers.models import Dossier, DossierState
from motcua.staff.decorators import staff_required
from motcua.staff.selectors import user_agency_roles
from motcua.workflow.applicant_access import applicant_owns, applicant_pin

from . import selectors, services
from .models import Level, Rating

RATING_SENT = _("Thank you: your rating was recorded.")


def rate_context(
    dossier: Dossier,
    *,
    rating: Rating | None = None,
    error: DomainError | None = None,
    chosen: dict[str, str] | None = None,
    comment: str = "",
) -> dict[str, Any]:
    """Return what ``ratings/_rate.html`` needs (the criteria: one query; none once rated)."""
    field_errors = dict(error.field_errors) if error else {}
    chosen = chosen or {}
    criteria = [] if rating is not None else selectors.criteria_asked()
    return {
        "dossier": dossier,
        "rating": rating,
        "can_rate": rating is None and dossier.state == DossierState.RESULT_RETURNED,
        "rows": [
            {
                "criterion": c,
                "input": f"criterion-{c.code}",
                "chosen": chosen.get(c.code, ""),
                "errors": field_errors.get(c.code, []),
            }
            for c in criteria
        ],
        "levels": [(level.value, level.label) for level in Level],
        "error": error,
        "comment": comment,
    }


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, code: str) -> HttpResponse:
    """Show the rating form of the applicant's dossier and record the rating."""
    dossier = Dossier.objects.select_related("procedure").filter(code=code).first()
    if dossier is None or not applicant_owns(request, dossier):
        raise Http404
    error: DomainError | None = None
    chosen: dict[str, str] = {}
    comment = ""
    if request.method == "POST":
        chosen = {
            key.removeprefix("criterion-"): request.POST.get(key, "")
            for key in request.POST
            if key.startswith("criterion-")
        }
        comment = request.POST.get("comment", "")
        try:
            services.rating_submit(
                dossier=dossier,
                applicant_id_number=applicant_pin(request),
                scores=chosen,
                comment=comment,
            )
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, RATING_SENT)
            return redirect("ratings:rate", code=dossier.code)
    rating = Rating.objects.filter(dossier_id=dossier.pk).first()
    context = rate_context(dossier, rating=rating, error=error, chosen=chosen, comment=comment)
    status = error.status if error else 200
    return render(request, "ratings/rate.html", context, status=status)


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """Show the ratings of every agency and procedure: counts and shares per level (two queries)."""
    context = {
        "agencies": selectors.agency_summaries(),
        "procedures": selectors.procedure_summaries(),
        "levels": [(level.value, level.label) for level in Level],
    }
    return render(request, "ratings/public.html", context)


@require_GET
@staff_required
def staff(request: HttpRequest) -> HttpResponse:
    """Show the ratings of the dossiers the user's agencies decided or received, with comments."""
    mine = sorted(user_agency_roles(user=request.user))
    context = {
        "summaries": selectors.agency_summaries(agency_ids=mine),
        "ratings": selectors.staff_ratings(user=request.user),
        "levels": [(level.value, level.label) for level in Level],
    }
    return render(request, "ratings/staff.html", context)
