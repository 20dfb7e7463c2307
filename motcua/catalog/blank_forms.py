"""Blank forms of the components written on a form (theo mẫu), to print and fill in by hand.

A component with a ``template_name`` is written on a form. When an
administrator uploaded that form (``Component.template``) it is what the
applicant downloads; otherwise ``blank_form_pdf`` prints one from what the
procedure really asks: the form's name, the agency it is addressed to, the
applicant's identity lines, and one line per field of the version's e-form.
"""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache

from motcua.catalog.models import Component, Procedure, ProcedureVersion
from motcua.core.pdf import pdf_from_template

BLANK_FORM_CACHE_KEY = "motcua.catalog.blank_form.{}"
BLANK_FORM_CACHE_SECONDS = 24 * 3600


def component_has_form(component: Component) -> bool:
    """Tell whether the applicant can download a blank form for ``component``."""
    return bool(component.template) or bool(component.template_name)


def blank_form_filename(component: Component) -> str:
    """Return the file name of a printed blank form: the form's name and ``.pdf``."""
    return f"{(component.template_name or component.name)[:80].strip()}.pdf"


def blank_form_pdf(
    *, procedure: Procedure, version: ProcedureVersion, component: Component
) -> bytes:
    """Print the blank form of ``component`` (see the module's docstring); kept in the cache.

    The cache key covers everything the form shows, so a corrected version
    prints anew.
    """
    fields = [
        {
            "type": spec.get("type", "text"),
            "label": spec.get("label", ""),
            "options": spec.get("options", []),
        }
        for spec in version.eform or []
        if isinstance(spec, dict)
    ]
    title = component.template_name or component.name
    shown = [procedure.code, procedure.agency.name, version.name, version.number, title, fields]
    digest = hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()
    key = BLANK_FORM_CACHE_KEY.format(digest)
    kept = cache.get(key)
    if isinstance(kept, bytes):
        return kept
    pdf = pdf_from_template(
        "catalog/forms/blank_form.html",
        {"procedure": procedure, "version": version, "title": title, "fields": fields},
    )
    cache.set(key, pdf, BLANK_FORM_CACHE_SECONDS)
    return pdf
