"""Rating a dossier: once, after the result is returned; the tallies in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import Conflict, NotFound, ValidationFailed
from motcua.dossiers.models import Dossier, DossierState

from .models import LEVELS, Criterion, Rating, RatingScore, RatingTally

NOT_RETURNED = _("A dossier can be rated once its result has been returned.")
ALREADY_RATED = _("This dossier has already been rated: a dossier is rated once.")
LEVEL_REQUIRED = _("Choose a level from very satisfied to very dissatisfied.")
UNKNOWN_CRITERION = _("This is not one of the criteria asked.")
DOSSIER_NOT_FOUND = _("No dossier has this code.")
COMMENT_MAX = 2000


def _levels(scores: Mapping[str, Any], criteria: list[Criterion]) -> dict[int, int]:
    """Return ``{criterion id: level}`` for every criterion asked; raise with every problem."""
    errors: dict[str, list[Any]] = {}
    by_code = {c.code: c for c in criteria}
    for code in scores:
        if code not in by_code:
            errors[str(code)] = [UNKNOWN_CRITERION]
    levels: dict[int, int] = {}
    for criterion in criteria:
        raw = scores.get(criterion.code)
        try:
            level = int(raw) if raw not in (None, "") else 0
        except (TypeError, ValueError):
            level = 0
        if level not in LEVELS:
            errors[criterion.code] = [LEVEL_REQUIRED]
        else:
            levels[criterion.pk] = level
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)
    return levels


def rating_submit(
    *,
    dossier: Dossier | int | str,
    applicant_id_number: str,
    scores: Mapping[str, Any],
    comment: str = "",
    now: dt.datetime | None = None,
) -> Rating:
    """Rate a dossier whose result was returned: a level per active criterion and a comment.

    Only the applicant (the dossier's identification number: another
    person's dossier is NotFound), once (a second rating is a Conflict),
    after the result is returned (Conflict before). Locks the dossier row
    (``select_for_update``) so two ratings sent at once make one; the
    unique constraint on the dossier holds it too. Adds the scores to the
    agency's and the procedure's tallies in the same transaction.
    """
    now = now or timezone.now()
    number = (applicant_id_number or "").strip()
    comment = comment.strip()[:COMMENT_MAX]
    criteria = list(Criterion.objects.filter(is_active=True).order_by("order", "id"))
    levels = _levels(scores, criteria)
    if isinstance(dossier, str):
        found: dict[str, Any] = {"code": dossier.strip()}
    else:
        found = {"pk": dossier if isinstance(dossier, int) else dossier.pk}
    try:
        with transaction.atomic():
            locked = (
                Dossier.objects.select_for_update()
                .filter(**found, applicant_id_number=number)
                .first()
                if number
                else None
            )
            if locked is None:
                raise NotFound(DOSSIER_NOT_FOUND)
            if Rating.objects.filter(dossier_id=locked.pk).exists():
                raise Conflict(ALREADY_RATED)
            if locked.state != DossierState.RESULT_RETURNED:
                raise Conflict(NOT_RETURNED)
            rating = Rating.objects.create(
                dossier=locked,
                agency_id=locked.competent_agency_id,
                receiving_unit_id=locked.receiving_unit_id,
                procedure_id=locked.procedure_id,
                comment=comment,
                created_at=now,
            )
            RatingScore.objects.bulk_create(
                RatingScore(rating=rating, criterion_id=cid, level=level)
                for cid, level in levels.items()
            )
            _tallies_add(locked, levels)
    except IntegrityError as exc:  # the same dossier rated by another request meanwhile
        raise Conflict(ALREADY_RATED) from exc
    return rating


def _tallies_add(dossier: Dossier, levels: Mapping[int, int]) -> None:
    """Add one score per criterion to the agency's and the procedure's tallies.

    The rows are created if missing (a conflict with a concurrent insert is
    ignored), then incremented in the database (``F``): one UPDATE per scope
    and level, whatever the number of ratings.
    """
    scopes = [{"agency_id": dossier.competent_agency_id}, {"procedure_id": dossier.procedure_id}]
    RatingTally.objects.bulk_create(
        [RatingTally(criterion_id=cid, **scope) for scope in scopes for cid in levels],
        ignore_conflicts=True,
    )
    by_level: dict[int, list[int]] = {}
    for cid, level in levels.items():
        by_level.setdefault(level, []).append(cid)
    for scope in scopes:
        for level, cids in sorted(by_level.items()):
            field = f"level_{level}"
            RatingTally.objects.filter(criterion_id__in=cids, **scope).update(
                **{field: F(field) + 1}
            )
