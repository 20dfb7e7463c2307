"""The back office's pages: inboxes, the dossier page with its actions, the counter, files.

Each view reads through ``motcua.workflow.selectors`` and writes through one
service of ``motcua.workflow.services``; the rules (who may do what, in which
state) are the services', and the buttons shown come from the same rules
table. Domain errors are shown on the page they came from, with their
status (400, 403, 404, 409); a stale page (someone acted first) says so.
With htmx, the inbox and the counter's procedure search return fragments.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.audit.models import AuditChannel, ReadAction
from motcua.audit.services import audit_dossier_read
from motcua.calendar.selectors import working_day_length
from motcua.catalog.selectors import procedure_search
from motcua.core.errors import DomainError, Forbidden, NotFound
from motcua.core.middleware import UNSTORABLE_INPUT, UnstorableInput, unstorable_fields
from motcua.core.names import person_name
from motcua.dossiers.files import private_file_response
from motcua.dossiers.selectors import dossier_file_of, dossier_result_of
from motcua.payments.selectors import dossier_receipts
from motcua.staff.decorators import staff_required
from motcua.staff.redirects import safe_next_url
from motcua.workflow import selectors, services
from motcua.workflow.actions import ACTIONS, ActionSpec, Choice, Input, action_run
from motcua.workflow.documents import FORMS
from motcua.workflow.rules import Action
from motcua.workflow.selectors import StaffDossier

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
    due = selectors.due_counts(user=request.user)
    return render(request, "backoffice/inbox.html", {"page": page, "due": due})


@require_POST
@staff_required
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked dossiers of an inbox to one person, and say which could not be."""
    back = safe_next_url(request, request.POST.get("next"), "backoffice:inbox")
    codes = request.POST.getlist("codes")
    assignee = inbox_page.bulk_assignee(request.user, request.POST.get("assignee", ""))
    if not codes or assignee is None:
        messages.error(request, _("Tick at least one dossier and choose the person."))
        return HttpResponseRedirect(back)
    outcome = services.dossiers_assign(codes=codes, actor=_staff(request), assignee=assignee)
    if outcome.done:
        messages.success(
            request,
            ngettext(
                "%(n)d dossier assigned to %(name)s.",
                "%(n)d dossiers assigned to %(name)s.",
                len(outcome.done),
            )
            % {"n": len(outcome.done), "name": person_name(assignee)},
        )
    for code, why in outcome.refused.items():
        messages.error(request, f"{code}: {why}")
    return HttpResponseRedirect(back)


@dataclass(frozen=True)
class BoundInput:
    """An input of an action's form, with its choices for this dossier."""

    input: Input
    choices: list[Choice]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.input, name)


@dataclass(frozen=True)
class PageForm:
    """An action the viewer may do now, as the dossier page offers it."""

    spec: ActionSpec
    inputs: list[BoundInput]

    @property
    def action(self) -> Action:
        return self.spec.action

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def primary(self) -> bool:
        return self.spec.primary

    @property
    def multipart(self) -> bool:
        return self.spec.multipart


def page_forms(dossier: StaffDossier) -> list[PageForm]:
    """Return the forms of the actions the viewer may do now, from the action table."""
    forms = []
    for action in dossier.actions:
        spec = ACTIONS[action]
        inputs = []
        for field in spec.inputs:
            choices = field.choices(dossier) if field.choices is not None else []
            if field.only_if_several and len(choices) <= 1:
                continue  # the service takes the only way there is
            inputs.append(BoundInput(field, choices))
        forms.append(PageForm(spec, inputs))
    return forms


def _documents(dossier: StaffDossier) -> list[tuple[str, str]]:
    """Return the printable forms that apply to the dossier now, as (label, url)."""
    return [
        (
            str(form.label),
            reverse("backoffice:dossier-form", kwargs={"code": dossier.code, "form": number}),
        )
        for number, form in FORMS.items()
        if (dossier.events_of(form.event) if form.event is not None else dossier.steps)
    ]


def _dossier_context(dossier: StaffDossier) -> dict[str, Any]:
    return {
        "dossier": dossier,
        "forms": page_forms(dossier),
        "receipt_url": reverse("backoffice:dossier-receipt", kwargs={"code": dossier.code})
        if dossier.steps
        else "",
        "documents": _documents(dossier),
        "day": working_day_length(),
        "fee_receipts": dossier_receipts(dossier.id),
    }


@require_GET
@staff_required
def dossier(request: HttpRequest, code: str) -> HttpResponse:
    """Show a dossier: status and time left, actions, the applicant's answers, components,
    files, supplement requests, control slip, timeline."""
    try:
        found = selectors.dossier_for_staff(user=request.user, code=code)
    except DomainError as error:
        return _error_page(request, error)
    response = render(request, "backoffice/dossier.html", _dossier_context(found))
    audit_dossier_read(
        action=ReadAction.DOSSIER,
        dossier_id=found.id,
        code=found.code,
        actor=request.user,
        channel=AuditChannel.PAGE,
    )
    return response


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
    # The posted fields and files, as a form's multi-valued mapping.
    data: MultiValueDict[str, Any] = MultiValueDict(dict(request.POST.lists()))
    for name, files in request.FILES.lists():
        data.setlist(name, files)
    try:
        action_run(chosen, dossier=found.id, actor=_staff(request), data=data)
    except DomainError as error:
        context = _dossier_context(found)
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
        found = selectors.dossier_visible(user=request.user, code=code)
        stored = dossier_file_of(dossier=found, file_id=file_id)
    except DomainError as error:
        return _error_page(request, error)
    response = private_file_response(stored)
    audit_dossier_read(
        action=ReadAction.FILE,
        dossier_id=found.pk,
        code=found.code,
        actor=request.user,
        channel=AuditChannel.PAGE,
        note=f"file {stored.pk}",
    )
    return response


@require_GET
@staff_required
def result_file(request: HttpRequest, code: str, result_id: int) -> HttpResponseBase:
    """Send a result document of the dossier to staff who may see the dossier."""
    try:
        found = selectors.dossier_visible(user=request.user, code=code)
        stored = dossier_result_of(dossier=found, result_id=result_id)
    except DomainError as error:
        return _error_page(request, error)
    response = private_file_response(stored)
    audit_dossier_read(
        action=ReadAction.RESULT,
        dossier_id=found.pk,
        code=found.code,
        actor=request.user,
        channel=AuditChannel.PAGE,
        note=f"result {stored.code}",
    )
    return response


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
    if unstorable_fields(request.POST):  # multipart: the middleware left it to the view
        raise UnstorableInput(UNSTORABLE_INPUT)
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
