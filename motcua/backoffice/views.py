"""The back office's pages: inboxes, the dossier page with its actions, the counter, files.

Each view reads through ``motcua.workflow.selectors`` and writes through one
service of ``motcua.workflow.services``; the rules (who may do what, in which
state) are the services', and the buttons shown come from the same rules
table. Domain errors are shown on the page they came from, with their
status (400, 403, 404, 409); a stale page (someone acted first) says so.
With htmx, the inbox and the counter's procedure search return fragments.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.calendar.selectors import working_day_length
from motcua.catalog.selectors import procedure_search
from motcua.core.errors import DomainError, Forbidden, NotFound
from motcua.dossiers.files import private_file_response
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import dossier_file_of, dossier_receipt_url, dossier_result_of
from motcua.staff.decorators import staff_required
from motcua.workflow import selectors, services
from motcua.workflow.documents import documents_available
from motcua.workflow.rules import Action

from . import actions as action_forms
from . import counter as counter_forms
from . import inbox as inbox_page

ROWS_PER_PAGE = 50


def _staff(request: HttpRequest) -> AbstractBaseUser:
    """Return the signed-in staff member (``staff_required`` let only them through)."""
    return cast(AbstractBaseUser, request.user)


def _is_partial(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def _error_page(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(request, "backoffice/error.html", {"error": error.message}, status=error.status)


@require_GET
@staff_required
def inbox(request: HttpRequest) -> HttpResponse:
    """List the dossiers of one of the user's boxes, filtered, most urgent first."""
    try:
        page = inbox_page.inbox_page(request.user, request.GET, per_page=ROWS_PER_PAGE)
    except DomainError as error:
        return _error_page(request, error)
    if _is_partial(request):
        return render(request, "backoffice/_inbox_rows.html", {"page": page})
    due = inbox_page.due_counts(request.user)
    return render(request, "backoffice/inbox.html", {"page": page, "due": due})


@require_POST
@staff_required
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked dossiers of an inbox to one person, and say which could not be."""
    back = request.POST.get("next") or reverse("backoffice:inbox")
    if not back.startswith("/"):
        back = reverse("backoffice:inbox")
    codes = request.POST.getlist("codes")
    assignee = inbox_page.bulk_assignee(request.user, request.POST.get("assignee", ""))
    if not codes or assignee is None:
        messages.error(request, _("Tick at least one dossier and choose the person."))
        return redirect(back)
    outcome = services.dossiers_assign(codes=codes, actor=_staff(request), assignee=assignee)
    if outcome.done:
        messages.success(
            request,
            ngettext(
                "%(n)d dossier assigned to %(name)s.",
                "%(n)d dossiers assigned to %(name)s.",
                len(outcome.done),
            )
            % {"n": len(outcome.done), "name": assignee.get_full_name() or assignee.username},
        )
    for code, why in outcome.refused.items():
        messages.error(request, f"{code}: {why}")
    return redirect(back)


def _dossier_context(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    step = selectors.open_step_of(dossier)
    allowed = selectors.dossier_actions(user=request.user, dossier=dossier)
    steps = list(getattr(dossier, "all_steps", []))
    lefts = selectors.time_left([dossier.due_at, *(s.due_at for s in steps)])
    return {
        "dossier": dossier,
        "step": step,
        "forms": action_forms.action_forms(allowed, step=step),
        "left": lefts[0],
        "steps": list(zip(steps, lefts[1:], strict=True)),
        "timeline": getattr(dossier, "timeline", []),
        "components": list(dossier.components.all()),
        "results": list(dossier.results.all()),
        "receipt_url": dossier_receipt_url(dossier) if dossier.received_at else "",
        "documents": _documents(dossier),
        "day": working_day_length(),
    }


def _documents(dossier: Dossier) -> list[tuple[str, str]]:
    """Return the printable forms of ``dossier`` as (label, url)."""
    return [(str(label), url) for label, url in documents_available(dossier)]


@require_GET
@staff_required
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    """Show a dossier: status and time left, actions, components, files, control slip, timeline."""
    try:
        found = selectors.dossier_for_staff(user=request.user, code=code)
    except DomainError as error:
        return _error_page(request, error)
    return render(request, "backoffice/dossier.html", _dossier_context(request, found))


@require_POST
@staff_required
def act(request: HttpRequest, code: str, action: str) -> HttpResponse:
    """Do one action on a dossier, from the revision the page showed; back to the dossier."""
    try:
        chosen = Action(action.replace("-", "_"))
    except ValueError:
        return _error_page(request, NotFound(_("There is no such action.")))
    try:
        found = selectors.dossier_for_staff(user=request.user, code=code)
    except DomainError as error:
        return _error_page(request, error)
    files: dict[str, UploadedFile[Any]] = {}
    for name in request.FILES:
        upload = request.FILES.get(name)
        if upload is not None:
            files[name] = upload
    try:
        revision = action_forms.revision_of(request.POST)
        service, kwargs = action_forms.service_call(
            chosen, request.POST, files, step=selectors.open_step_of(found)
        )
        service(dossier=found.pk, actor=request.user, expected_revision=revision, **kwargs)
    except DomainError as error:
        context = _dossier_context(request, found)
        context.update(
            {
                "error": error,
                "failed_action": chosen.value,
                "field_errors": {k: [str(m) for m in v] for k, v in error.field_errors.items()},
                "posted": request.POST,
            }
        )
        return render(request, "backoffice/dossier.html", context, status=error.status)
    messages.success(request, _("Done: %(action)s.") % {"action": chosen.label})
    return redirect("backoffice:dossier", code=found.code)


@require_GET
@staff_required
def dossier_file(request: HttpRequest, code: str, file_id: int) -> HttpResponseBase:
    """Send a file of the dossier to staff who may see the dossier."""
    try:
        found = selectors.dossier_for_staff(user=request.user, code=code)
        stored = dossier_file_of(dossier=found, file_id=file_id)
    except DomainError as error:
        return _error_page(request, error)
    return private_file_response(stored)


@require_GET
@staff_required
def result_file(request: HttpRequest, code: str, result_id: int) -> HttpResponseBase:
    """Send a result document of the dossier to staff who may see the dossier."""
    try:
        found = selectors.dossier_for_staff(user=request.user, code=code)
        stored = dossier_result_of(dossier=found, result_id=result_id)
    except DomainError as error:
        return _error_page(request, error)
    return private_file_response(stored)


@require_http_methods(["GET", "POST"])
@staff_required
def counter(request: HttpRequest) -> HttpResponse:
    """Take a dossier at the counter: find the procedure, tick what was handed in, decide.

    GET with ``q`` searches procedures (htmx: the results only); with
    ``procedure`` shows the intake form. POST records the dossier and its
    decision in one go through ``dossier_counter_intake``.
    """
    units = counter_forms.counter_units(request.user)
    if not units:
        return _error_page(
            request, Forbidden(_("You are not a receiving officer of any one-stop unit."))
        )
    query = request.GET.get("q", "").strip()
    if _is_partial(request) and "procedure" not in request.GET:
        found = procedure_search(q=query)[:15] if query else []
        return render(request, "backoffice/_procedure_results.html", {"procedures": found})
    code = (request.POST.get("procedure") or request.GET.get("procedure") or "").strip()
    context: dict[str, Any] = {"units": units, "q": query, "procedures": []}
    if not code:
        if query:
            context["procedures"] = procedure_search(q=query)[:15]
        return render(request, "backoffice/counter.html", context)
    try:
        form = counter_forms.CounterForm.for_procedure(code, units=units)
    except DomainError as error:
        return _error_page(request, error)
    context["form"] = form
    if request.method == "POST":
        try:
            created = form.submit(request.user, request.POST, request.FILES)
        except DomainError as error:
            form.show(request.POST, error)
            context["error"] = error
            return render(request, "backoffice/counter.html", context, status=error.status)
        messages.success(
            request,
            _("Dossier %(code)s recorded: %(status)s.")
            % {"code": created.code, "status": created.get_status_display()},
        )
        url = reverse("backoffice:dossier", kwargs={"code": created.code})
        return redirect(f"{url}?{urlencode({'from': 'counter'})}")
    return render(request, "backoffice/counter.html", context)
