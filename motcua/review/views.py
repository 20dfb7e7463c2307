"""Staff pages of the annual review, under /can-bo/thong-ke/tong-ket/.

The review page chooses the year, the province and the template, previews
the document (every number a link to its indicator) and downloads it as
DOCX or PDF; the template page edits the sections (statisticians), with a
preview of a section's text before it is saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core.errors import DomainError, NotFound
from motcua.staff.decorators import staff_required

from . import selectors, services
from .access import editor_check, reader_check
from .document import ReviewDocument, review_document
from .models import ChartKind, ReviewTemplate
from .providers import ReviewInput, figures_of
from .render import TemplateProblem, blocks_of, context_of, render_text, rendering

SAVED = _("The section is saved.")
TEMPLATE_SAVED = _("The template is saved.")
ADDED = _("The section is added.")
REMOVED = _("The section is removed.")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "backoffice/error.html", {"error": error.message}, status=error.status)


def _asked(request: HttpRequest) -> tuple[ReviewInput, ReviewTemplate]:
    year = selectors.year_of(request.GET.get("nam"))
    review = selectors.review_input(year=year, province=request.GET.get("tinh"))
    return review, selectors.template_for(year, request.GET.get("mau"))


def _document(request: HttpRequest, *, html: bool) -> ReviewDocument:
    review, template = _asked(request)
    return review_document(
        template=template,
        sections=selectors.sections_of(template),
        review=review,
        html=html,
        today=timezone.localdate(),
    )


@require_GET
@staff_required
def annual(request: HttpRequest) -> HttpResponse:
    """Choose a year, province and template; preview the review; links to DOCX and PDF."""
    from . import outputs  # python-docx, matplotlib: loaded when used, not at start-up

    try:
        reader_check(request.user)
        document = _document(request, html=True)
    except DomainError as error:
        return _error_page(request, error)
    query = {"nam": document.year, "tinh": document.review.province.id, "mau": document.template.pk}
    this_year = timezone.localdate().year
    context = {
        "doc": document,
        "sections": [
            (part, outputs.chart_data_uri(document, i)) for i, part in enumerate(document.sections)
        ],
        "annex": list(zip(outputs.annex_rows(document), document.annex, strict=True)),
        "years": list(range(this_year, selectors.FIRST_YEAR - 1, -1)),
        "provinces": selectors.provinces(),
        "templates": selectors.templates_for(document.year),
        "query": query,
        "may_edit": _may_edit(request),
    }
    return render(request, "review/annual.html", context)


def _may_edit(request: HttpRequest) -> bool:
    try:
        editor_check(request.user)
    except DomainError:
        return False
    return True


@require_GET
@staff_required
def download(request: HttpRequest, fmt: str) -> HttpResponse:
    """Download the review as DOCX (editable) or PDF."""
    from . import outputs  # python-docx, matplotlib: loaded when used, not at start-up

    try:
        reader_check(request.user)
        document = _document(request, html=False)
    except DomainError as error:
        return _error_page(request, error)
    name = f"bao-cao-tong-ket-{document.year}"
    if fmt == "docx":
        response = HttpResponse(outputs.review_docx(document), content_type=DOCX_TYPE)
    else:
        response = HttpResponse(outputs.review_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _preview(body: str, review: ReviewInput) -> tuple[list[Any], str]:
    """Render a section's text (not saved) with ``review``'s figures: (blocks, error)."""
    figures = figures_of(review)
    context = context_of(
        figures.by_provider,
        year=review.year,
        previous_year=review.year - 1,
        province=review.province.name,
    )
    with rendering(html=True, previous_year=review.year - 1):
        try:
            return blocks_of(render_text(body, context, html=True), html=True), ""
        except TemplateProblem as problem:
            return [], problem.message


@require_http_methods(["GET", "POST"])
@staff_required
def template_page(request: HttpRequest, pk: int) -> HttpResponse:
    """List a template's sections to edit; POST saves, previews, adds or removes one."""
    try:
        editor_check(request.user)
        template = selectors.template_get(pk)
        year = selectors.year_of(request.GET.get("nam"))
    except DomainError as error:
        return _error_page(request, error)
    page = reverse("review:template", args=[template.pk])
    context: dict[str, Any] = {"template": template, "year": year, "charts": ChartKind.choices}
    status = 200
    if request.method == "POST":
        do = request.POST.get("do", "")
        data = {name: request.POST.get(name, "") for name in services.FIELDS}
        target = request.POST.get("section", "")
        try:
            if do == "template":
                fields = {n: request.POST.get(n, "") for n in services.TEMPLATE_FIELDS}
                context["template_posted"] = fields
                services.review_template_update(
                    template_id=template.pk, actor=request.user, data=fields
                )
                messages.success(request, TEMPLATE_SAVED)
                return redirect(page)
            if do == "add":
                services.review_section_create(template=template, actor=request.user, data=data)
                messages.success(request, ADDED)
                return redirect(page)
            section = selectors.section_get(int(target) if target.isdigit() else 0)
            if section.template_id != template.pk:
                raise NotFound(selectors.NO_SUCH_SECTION)
            if do == "delete":
                services.review_section_delete(section_id=section.pk, actor=request.user)
                messages.success(request, REMOVED)
                return redirect(page)
            if do == "preview":
                review = selectors.review_input(year=year, province=None)
                blocks, problem = _preview(data["body"], review)
                context.update(previewed=section.pk, preview=blocks, preview_error=problem)
                context["posted"] = {section.pk: data}
            else:
                services.review_section_update(section_id=section.pk, actor=request.user, data=data)
                messages.success(request, SAVED)
                return redirect(f"{page}#muc-{section.pk}")
        except DomainError as error:
            status = error.status
            context["error"] = error
            context["failed"] = {"add": "new", "template": "template"}.get(do, target)
            context["posted"] = {int(target) if target.isdigit() else "new": data}
    context["sections"] = [
        (s, context.get("posted", {}).get(s.pk)) for s in selectors.sections_of(template)
    ]
    context["new"] = context.get("posted", {}).get("new")
    shown = context.get("template_posted") or {
        "name": template.name,
        "issuer": template.issuer,
        "title": template.title,
        "year_from": template.year_from,
        "active": template.active,
    }
    context["template_fields"] = [
        (name, label, shown[name])
        for name, label in (
            ("name", _("name")),
            ("issuer", _("issuing body")),
            ("title", _("title")),
            ("year_from", _("used from the year")),
        )
    ]
    context["template_active"] = bool(shown["active"])
    return render(request, "review/template.html", context, status=status)
