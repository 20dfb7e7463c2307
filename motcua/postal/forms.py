"""Forms of the collection pages: they only describe and label the inputs; the services check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import DomainError


class CollectionOrderForm(forms.Form):
    """The applicant's order of a collection (checked by ``inbound.order_request_check``)."""

    procedure = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    id_number = forms.CharField(
        label=_("Citizen identity number"),
        max_length=20,
        required=False,
        help_text=_("12 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail (optional)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(
        label=_("Address where the post collects the dossier"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    commune = forms.ChoiceField(label=_("Commune or ward"), required=False, choices=[])
    at_postal_point = forms.ChoiceField(
        label=_("Where"),
        choices=[("", _("At my address")), ("1", _("At a postal service point"))],
        required=False,
        widget=forms.RadioSelect,
    )
    wanted_on = forms.CharField(
        label=_("Wanted date (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(
        self, *args: Any, communes: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["commune"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("Choose…")), *(communes or [])]

    def show(self, error: DomainError) -> None:
        """Put the service's field errors on the fields (unknown names go to the form)."""
        self.is_valid()  # add_error needs cleaned_data
        for name, messages in error.field_errors.items():
            for message in messages:
                self.add_error(name if name in self.fields else None, str(message))
