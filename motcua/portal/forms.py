"""The submission form's fields, rendered with the dossier service's errors beside them.

These forms only render: they carry labels, hints and browser validation
attributes, and show back what the citizen typed. The rules are the dossier
service's (``dossier_submit``); its per-field messages, keyed by input name,
are placed next to the matching input and listed in a summary at the top.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.conf import settings
from django.forms.boundfield import BoundField
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from motcua.catalog.eforms import eform_form_class
from motcua.catalog.fees import FeeExemptionSpec, FeeQuote, exemption_text, version_fees
from motcua.catalog.models import Component, OnlineLevel, Procedure, QuantitySource
from motcua.core.errors import DomainError
from motcua.dossiers.fees import CLAIM_INPUT, PROOF_INPUT, fee_claims_from_data, fee_quote_for
from motcua.dossiers.models import ApplicantKind, Channel, Delivery
from motcua.dossiers.uploads import KEPT_INPUT, KeptFile
from motcua.outbox.preferences import LANGUAGE_INPUT, YES

ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png"
EFORM_PREFIX = "eform"
COMPONENT_PREFIX = "component"
KEPT_FILES_HINT = _("Untick a kept file to leave it out.")
FROM_IDENTITY = _("From your national identity (VNeID): it cannot be changed here.")


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that lets the citizen pick several files (several pages) at once."""

    allow_multiple_selected = True


class ApplicantForm(forms.Form):
    """Who submits the dossier."""

    applicant_kind = forms.ChoiceField(
        label=_("You are submitting as"),
        choices=ApplicantKind.choices,
        initial=ApplicantKind.PERSON,
        widget=forms.RadioSelect,
    )
    applicant_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    applicant_id_number = forms.CharField(
        label=_("Citizen ID number"),
        help_text=_("The 12 digits on your citizen identity card (CCCD)."),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "pattern": "[0-9]{12}", "autocomplete": "off"}
        ),
    )
    applicant_phone = forms.CharField(
        label=_("Phone number"),
        help_text=_("We call or text this number about your dossier."),
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    applicant_email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    applicant_address = forms.CharField(
        label=_("Address"),
        help_text=_("House number, street, commune or ward, province or city."),
        max_length=500,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )


class MessagesForm(forms.Form):
    """How the applicant is told about each step: e-mail, SMS, and the language."""

    message_email = forms.BooleanField(
        label=_("Send me e-mails about this dossier"),
        help_text=_("To the e-mail address above, if you give one."),
        required=False,
        initial=True,
    )
    message_sms = forms.BooleanField(
        label=_("Send me text messages (SMS) about this dossier"),
        help_text=_("To the phone number above."),
        required=False,
        initial=True,
    )
    message_language = forms.ChoiceField(
        label=_("Language of the messages"), choices=lambda: settings.LANGUAGES
    )


def messages_initial(data: Mapping[str, Any] | None, language: str) -> dict[str, Any]:
    """Return the choice of messages shown: what was posted or saved, else both on in
    ``language`` (the page's)."""
    if data is None or LANGUAGE_INPUT not in data:
        return {"message_email": True, "message_sms": True, "message_language": language}
    return {
        "message_email": str(data.get("message_email") or "").lower() in YES,
        "message_sms": str(data.get("message_sms") or "").lower() in YES,
        "message_language": data.get(LANGUAGE_INPUT),
    }


class DeliveryForm(forms.Form):
    """How the citizen receives the result; the choices depend on the procedure."""

    delivery = forms.ChoiceField(
        label=_("How do you want to receive the result?"), widget=forms.RadioSelect
    )
    delivery_address = forms.CharField(
        label=_("Address to send the result to"),
        help_text=_("Needed only if you receive the result by post."),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def __init__(self, *args: Any, procedure: Procedure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(Delivery.COUNTER.value, Delivery.COUNTER.label)]
        if procedure.returns_by_post:
            choices.append((Delivery.POST.value, Delivery.POST.label))
        if procedure.online_level == OnlineLevel.FULL:
            choices.append((Delivery.ONLINE.value, Delivery.ONLINE.label))
        field = self.fields["delivery"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices
        field.initial = choices[-1][0] if len(choices) > 1 else choices[0][0]


def components_form_class(components: Sequence[Component]) -> type[forms.Form]:
    """Return a form with one file input per component, named ``component-<id>``."""
    fields: dict[str, forms.Field] = {}
    for component in components:
        counts = []
        if component.originals:
            counts.append(
                ngettext("%(n)d original", "%(n)d originals", component.originals)
                % {"n": component.originals}
            )
        if component.copies:
            counts.append(
                ngettext("%(n)d copy", "%(n)d copies", component.copies) % {"n": component.copies}
            )
        fields[str(component.pk)] = forms.FileField(
            label=component.name,
            required=component.is_required,
            help_text=" · ".join(
                [*counts, str(_("PDF, JPG or PNG; you may choose several files."))]
            ),
            widget=MultipleFileInput(attrs={"accept": ACCEPTED_FILES}),
        )
    return type("ComponentsForm", (forms.Form,), fields)


@dataclass
class Row:
    """One input of the page with its label, hint, errors and widget."""

    bound: BoundField
    errors: list[str]
    css_class: str = ""
    kept: list[KeptFile] = field(default_factory=list)  # a component's files kept last time

    @property
    def id(self) -> str:
        return self.bound.auto_id or self.bound.html_name

    @property
    def kept_name(self) -> str:
        return KEPT_INPUT.format(self.bound.html_name)

    @property
    def label(self) -> str:
        return str(self.bound.label)

    @property
    def hint(self) -> str:
        return str(self.bound.help_text or "")

    @property
    def required(self) -> bool:
        return self.bound.field.required

    @property
    def use_fieldset(self) -> bool:
        return self.bound.use_fieldset

    @property
    def describedby(self) -> str:
        ids = []
        if self.hint:
            ids.append(f"{self.id}-hint")
        if self.errors:
            ids.append(f"{self.id}-error")
        return " ".join(ids)

    @property
    def widget(self) -> SafeString:
        attrs: dict[str, str | bool] = {}
        if self.errors:
            attrs["aria-invalid"] = "true"
        if self.describedby and not self.use_fieldset:
            attrs["aria-describedby"] = self.describedby
        return self.bound.as_widget(attrs=attrs)


@dataclass
class Section:
    """A group of inputs under a heading (applicant, e-form, components, delivery)."""

    title: str
    rows: list[Row]
    intro: str = ""


@dataclass
class SummaryItem:
    """An entry of the error summary: a message, and the input it links to if any."""

    message: str
    target: str = ""
    label: str = ""


@dataclass
class FeeClaimRow:
    """An exemption the applicant may claim: a checkbox, and the reference of its proof."""

    exemption: FeeExemptionSpec
    summary: str
    checked: bool = False
    proof: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.exemption.code

    @property
    def id(self) -> str:
        return f"fee-claim-{self.exemption.code}"

    @property
    def proof_name(self) -> str:
        return PROOF_INPUT.format(self.exemption.code)


@dataclass
class FeeSection:
    """The fees of a submission: the exemptions one may claim, and the amount so far."""

    claims: list[FeeClaimRow]
    quote: FeeQuote | None
    errors: list[str] = field(default_factory=list)
    claim_errors: list[str] = field(default_factory=list)
    inputs: tuple[str, ...] = ()

    @property
    def include(self) -> str:
        """Return the CSS selector of the inputs a live quote sends (never files or names)."""
        return ", ".join(f"[name='{name}']" for name in self.inputs)


def fee_section(
    procedure: Procedure,
    data: Mapping[str, Any] | None,
    field_errors: Mapping[str, list[str]],
    *,
    channel: int = Channel.ONLINE,
) -> FeeSection | None:
    """Return the fees part of the submission page (None when the procedure has no fee rules).

    The amount shown is a live quote of what was typed (``fee_quote_for`` with
    ``partial``): a count not given yet leaves its line waiting, a proof is
    asked for only when the dossier is submitted.
    """
    version = procedure.current_version
    assert version is not None  # noqa: S101 - published procedures have a current version
    rules = version_fees(version)
    if not rules.fees:
        return None
    today = timezone.localdate()
    claimed = {c.code: c.proof for c in fee_claims_from_data(data or {})}
    claims = [
        FeeClaimRow(
            exemption=e,
            summary=exemption_text(e),
            checked=e.code in claimed,
            proof=claimed.get(e.code, "")
            or str((data or {}).get(PROOF_INPUT.format(e.code)) or ""),
            errors=list(field_errors.get(PROOF_INPUT.format(e.code), [])),
        )
        for e in rules.claimable_on(today)
    ]
    quote: FeeQuote | None = None
    errors: list[str] = []
    try:
        quote = fee_quote_for(
            version=version, channel=channel, data=data or {}, on=today, partial=True
        )
    except DomainError as exc:
        errors = [str(m) for messages in exc.field_errors.values() for m in messages]
    counts = rules.quantity_names(QuantitySource.EFORM)
    return FeeSection(
        claims=claims,
        quote=quote,
        errors=errors,
        claim_errors=list(field_errors.get(CLAIM_INPUT, [])),
        inputs=(*(f"{EFORM_PREFIX}-{n}" for n in counts), CLAIM_INPUT),
    )


@dataclass
class SubmissionForm:
    sections: list[Section]
    summary: list[SummaryItem] = field(default_factory=list)
    fees: FeeSection | None = None


def _initial(form_class: type[forms.Form], prefix: str, data: Mapping[str, Any] | None) -> Any:
    if data is None:
        return {}
    names = [f"{prefix}-{name}" if prefix else name for name in form_class.base_fields]
    return {
        name.removeprefix(f"{prefix}-") if prefix else name: data.get(name)
        for name in names
        if name in data
    }


def _rows(form: forms.Form, field_errors: Mapping[str, list[str]], css: str = "") -> list[Row]:
    rows = []
    for bound in form:
        css_class = "delivery-address" if bound.name == "delivery_address" else css
        rows.append(Row(bound, list(field_errors.get(bound.html_name, [])), css_class))
    return rows


def submission_form(
    procedure: Procedure,
    data: Mapping[str, Any] | None,
    field_errors: Mapping[str, list[str]],
    kept: Mapping[str, list[KeptFile]] | None = None,
    fixed: Collection[str] = (),
) -> SubmissionForm:
    """Build the submission page's inputs, showing back ``data`` and the service's errors.

    The forms are left unbound (``data`` only fills them): only the dossier
    service validates, so the page shows its messages and no others. Under
    each component's input are the files ``kept`` for it (by input name),
    each a ticked checkbox carrying its token. The applicant's inputs named in
    ``fixed`` come from the signed-in identity: shown read-only (the view
    replaces whatever is posted for them).
    """
    kept = kept or {}
    version = procedure.current_version
    assert version is not None  # noqa: S101 - published procedures have a current version
    eform_class = eform_form_class(version.eform)
    components_class = components_form_class(list(version.components.all()))
    applicant = ApplicantForm(initial=_initial(ApplicantForm, "", data))
    for name in fixed:
        if name in applicant.fields:
            field = applicant.fields[name]
            field.help_text = FROM_IDENTITY
            if isinstance(field.widget, forms.RadioSelect):
                field.disabled = True  # a radio has no read-only state; the view sets the value
            else:
                field.widget.attrs["readonly"] = True
    eform = eform_class(prefix=EFORM_PREFIX, initial=_initial(eform_class, EFORM_PREFIX, data))
    # A component with a kept file needs no new one: as for a file already stored, the
    # file input loses its browser ``required`` when it has an initial value.
    components = components_class(
        prefix=COMPONENT_PREFIX,
        initial={key.removeprefix(f"{COMPONENT_PREFIX}-"): files for key, files in kept.items()},
    )
    delivery = DeliveryForm(procedure=procedure, initial=_initial(DeliveryForm, "", data))
    choice = MessagesForm(initial=messages_initial(data, (get_language() or "vi")[:2]))

    sections = [Section(str(_("Applicant")), _rows(applicant, field_errors))]
    if eform.fields:
        sections.append(Section(str(_("Application form")), _rows(eform, field_errors)))
    if components.fields:
        rows = _rows(components, field_errors)
        for row in rows:
            row.kept = list(kept.get(row.bound.html_name, []))
        intro = str(
            _(
                "Upload a scan or a clear photo of each document. If the form shows errors, "
                "the files you chose are kept: you do not need to choose them again."
            )
        )
        if any(row.kept for row in rows):
            intro = f"{intro} {KEPT_FILES_HINT}"
        sections.append(Section(str(_("Documents")), rows, intro=intro))
    sections.append(Section(str(_("Receiving the result")), _rows(delivery, field_errors)))
    sections.append(
        Section(
            str(_("Messages about your dossier")),
            _rows(choice, field_errors),
            intro=str(_("We tell you at each step: when it is received, asked, decided.")),
        )
    )

    fees = fee_section(procedure, data, field_errors)
    summary: list[SummaryItem] = []
    known: set[str] = set()
    for section in sections:
        for row in section.rows:
            known.add(row.bound.html_name)
            summary.extend(SummaryItem(msg, f"#{row.id}", row.label) for msg in row.errors)
    for claim in fees.claims if fees is not None else []:
        known.add(claim.proof_name)
        summary.extend(
            SummaryItem(msg, f"#{claim.proof_name}", claim.summary) for msg in claim.errors
        )
    for name, messages in field_errors.items():
        if name not in known:
            summary.extend(SummaryItem(str(msg)) for msg in messages)
    return SubmissionForm(sections, summary, fees)


def kept_tokens(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Return the kept files' tokens the page sent back (ticked), by component input."""
    suffix = KEPT_INPUT.format("")
    getlist = getattr(data, "getlist", None)
    tokens: dict[str, list[str]] = {}
    for name in data:
        if name.startswith(f"{COMPONENT_PREFIX}-") and name.endswith(suffix):
            values = getlist(name) if getlist is not None else [data[name]]
            tokens[name.removesuffix(suffix)] = [str(v) for v in values if v]
    return tokens


def idempotency_key(data: Mapping[str, Any] | None) -> str | None:
    """Return the form's hidden idempotency key if it is a well-formed UUID, else None."""
    if data is None:
        return None
    raw = str(data.get("idempotency_key") or "")
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        return None
