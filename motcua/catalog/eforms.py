"""E-forms: a procedure's form fields, defined as data, turned into a Django form.

A definition is a list of field specs (checked by ``services.eform_spec_errors``)::

    {"name": "child_name", "label": "Họ và tên", "label_en": "Full name",
     "type": "text|textarea|date|number|email|tel|select|checkbox",
     "required": true, "max_length": 100, "min": 0, "max": 10,
     "pattern": "[0-9]+", "options": [{"value": "a", "label": "A"}], "help": "..."}

The same form validates on the server and renders inputs that carry the
browser's validation attributes (required, maxlength, min, max, pattern, type).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

PATTERN_MISMATCH = _("Enter a value in the expected format.")


class DateInput(forms.DateInput):
    input_type = "date"


def _label(spec: dict[str, Any]) -> str:
    if (get_language() or "vi").startswith("en") and spec.get("label_en"):
        return str(spec["label_en"])
    return str(spec.get("label", spec["name"]))


def _text(spec: dict[str, Any], widget: type[forms.Widget], input_type: str = "") -> forms.Field:
    attrs: dict[str, Any] = {}
    if input_type:
        attrs["type"] = input_type
    validators = []
    if spec.get("pattern"):
        attrs["pattern"] = spec["pattern"]
        validators.append(RegexValidator(f"^(?:{spec['pattern']})$", PATTERN_MISMATCH))
    return forms.CharField(
        max_length=spec.get("max_length"), widget=widget(attrs=attrs), validators=validators
    )


def _number(spec: dict[str, Any]) -> forms.Field:
    return forms.DecimalField(min_value=spec.get("min"), max_value=spec.get("max"))


def _date(spec: dict[str, Any]) -> forms.Field:
    attrs = {k: spec[k] for k in ("min", "max") if spec.get(k)}
    return forms.DateField(widget=DateInput(attrs=attrs))


def _select(spec: dict[str, Any]) -> forms.Field:
    choices = [("", "---")] + [(str(o["value"]), str(o["label"])) for o in spec["options"]]
    return forms.ChoiceField(choices=choices)


_BUILDERS: dict[str, Callable[[dict[str, Any]], forms.Field]] = {
    "text": lambda s: _text(s, forms.TextInput),
    "textarea": lambda s: _text(s, forms.Textarea),
    "email": lambda s: forms.EmailField(max_length=s.get("max_length")),
    "tel": lambda s: _text(s, forms.TextInput, "tel"),
    "number": _number,
    "date": _date,
    "select": _select,
    "checkbox": lambda s: forms.BooleanField(),
}


def eform_form_class(definition: list[dict[str, Any]]) -> type[forms.Form]:
    """Return a form class with one field per spec of ``definition``, in order."""
    fields: dict[str, forms.Field] = {}
    for spec in definition:
        field = _BUILDERS[spec["type"]](spec)
        field.required = bool(spec.get("required", False))
        field.label = _label(spec)
        field.help_text = str(spec.get("help", ""))
        field.widget.is_required = field.required
        fields[spec["name"]] = field
    return type("EForm", (forms.Form,), fields)


def eform_cleaned_json(form: forms.Form) -> dict[str, Any]:
    """Return the validated data of an e-form as JSON-ready values (dates as ISO strings)."""
    out: dict[str, Any] = {}
    for name, value in form.cleaned_data.items():
        if hasattr(value, "isoformat"):
            out[name] = value.isoformat()
        elif value is None:
            out[name] = ""
        elif isinstance(value, bool | str | int):
            out[name] = value
        else:
            out[name] = str(value)
    return out
