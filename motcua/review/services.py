"""Writes of the annual review: its templates' sections, each change audited in its transaction.

A section's text must compile in the review's sandboxed engine
(``render.compile_text``) before it is saved: a broken text is refused with
the engine's message on the ``body`` field, and nothing is written.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from motcua.audit.services import audit_record, snapshot
from motcua.core.errors import NotFound, ValidationFailed

from .models import ChartKind, ReviewSection, ReviewTemplate
from .render import TemplateProblem, compile_text

FIELDS = ("position", "heading", "body", "chart", "chart_title", "chart_figures")
REQUIRED = _("This field is required.")
TOO_LONG = _("This text is too long.")
BAD_CHART = _("Choose a chart from the list.")
BAD_CODES = _("Write figure codes (letters, digits, _) separated by commas.")
BAD_POSITION = _("Write the position as a whole number from 0 to 32767.")
BAD_TEXT = _("The text cannot be used: %(problem)s")
NO_SUCH_SECTION = _("No such section.")
CODES = re.compile(r"^\s*[a-z0-9_]+(\s*,\s*[a-z0-9_]+)*\s*$")


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    """Return the section's fields from ``data``; ValidationFailed naming each bad field."""
    errors: dict[str, list[Any]] = {}
    out: dict[str, Any] = {
        "heading": str(data.get("heading") or "").strip(),
        "body": str(data.get("body") or "").replace("\r\n", "\n"),
        "chart": str(data.get("chart") or ""),
        "chart_title": str(data.get("chart_title") or "").strip(),
        "chart_figures": str(data.get("chart_figures") or "").strip(),
    }
    position = str(data.get("position") or "0").strip()
    if not position.isdigit() or int(position) > 32767:
        errors["position"] = [BAD_POSITION]
    else:
        out["position"] = int(position)
    if not out["heading"]:
        errors["heading"] = [REQUIRED]
    elif len(out["heading"]) > 300:
        errors["heading"] = [TOO_LONG]
    if len(out["chart_title"]) > 200:
        errors["chart_title"] = [TOO_LONG]
    if out["chart"] not in ChartKind.values:
        errors["chart"] = [BAD_CHART]
    if out["chart_figures"] and (
        len(out["chart_figures"]) > 500 or not CODES.match(out["chart_figures"])
    ):
        errors["chart_figures"] = [BAD_CODES]
    if not out["body"].strip():
        errors["body"] = [REQUIRED]
    elif len(out["body"]) > 20000:
        errors["body"] = [TOO_LONG]
    else:
        try:
            compile_text(out["body"], html=True)
        except TemplateProblem as problem:
            errors["body"] = [BAD_TEXT % {"problem": problem.message}]
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, field_errors=errors)
    return out


def _locked(section_id: int) -> ReviewSection:
    section = ReviewSection.objects.select_for_update().filter(pk=section_id).first()
    if section is None:
        raise NotFound(NO_SUCH_SECTION)
    return section


def review_section_update(*, section_id: int, actor: Any, data: dict[str, Any]) -> ReviewSection:
    """Change a section (heading, text, chart, position); lock it, audit before and after.

    Raises ValidationFailed (nothing written) when a field is bad or the text does not compile.
    """
    cleaned = _clean(data)
    with transaction.atomic():
        section = _locked(section_id)
        before = snapshot(section, FIELDS)
        for name, value in cleaned.items():
            setattr(section, name, value)
        section.save()
        audit_record(
            action="review.section_update",
            target=section,
            actor=actor,
            before=before,
            after=snapshot(section, FIELDS),
        )
    return section


def review_section_create(
    *, template: ReviewTemplate, actor: Any, data: dict[str, Any]
) -> ReviewSection:
    """Add a section to ``template``; audited. Raises ValidationFailed when a field is bad."""
    cleaned = _clean(data)
    with transaction.atomic():
        section = ReviewSection.objects.create(template=template, **cleaned)
        audit_record(
            action="review.section_create",
            target=section,
            actor=actor,
            after=snapshot(section, ("template", *FIELDS)),
        )
    return section


def review_section_delete(*, section_id: int, actor: Any) -> None:
    """Remove a section; audited with what it held."""
    with transaction.atomic():
        section = _locked(section_id)
        audit_record(
            action="review.section_delete",
            target=section,
            actor=actor,
            before=snapshot(section, ("template", *FIELDS)),
        )
        section.delete()


TEMPLATE_FIELDS = ("name", "issuer", "title", "year_from", "active")
BAD_YEAR_FROM = _("Write the first year as a year from 2000 to 2100.")


def _clean_template(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    out: dict[str, Any] = {
        name: str(data.get(name) or "").strip() for name in ("name", "issuer", "title")
    }
    for name, limit in (("name", 200), ("issuer", 200), ("title", 300)):
        if not out[name]:
            errors[name] = [REQUIRED]
        elif len(out[name]) > limit:
            errors[name] = [TOO_LONG]
    if "title" not in errors:
        try:
            compile_text(out["title"], html=False)
        except TemplateProblem as problem:
            errors["title"] = [BAD_TEXT % {"problem": problem.message}]
    year_from = str(data.get("year_from") or "").strip()
    if not year_from.isdigit() or not 2000 <= int(year_from) <= 2100:
        errors["year_from"] = [BAD_YEAR_FROM]
    else:
        out["year_from"] = int(year_from)
    out["active"] = bool(data.get("active"))
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    return out


def review_template_update(*, template_id: int, actor: Any, data: dict[str, Any]) -> ReviewTemplate:
    """Change a template's name, issuer, title, first year and whether it is used; audited.

    Locks the template. Raises ValidationFailed (nothing written) when a field is bad.
    """
    cleaned = _clean_template(data)
    with transaction.atomic():
        template = ReviewTemplate.objects.select_for_update().filter(pk=template_id).first()
        if template is None:
            raise NotFound(_("No such annual review template."))
        before = snapshot(template, TEMPLATE_FIELDS)
        for name, value in cleaned.items():
            setattr(template, name, value)
        template.save()
        audit_record(
            action="review.template_update",
            target=template,
            actor=actor,
            before=before,
            after=snapshot(template, TEMPLATE_FIELDS),
        )
    return template
