"""E-forms: a procedure's form fields, defined as data, turned into a Django form.

A definition is a list of field specs (checked by ``eform_validate_definition``)::

    {"name": "child_name", "label": "Họ và tên", "label_en": "Full name",
     "type": "text|textarea|date|number|email|tel|select|checkbox",
     "required": true, "max_length": 100, "min": 0, "max": 10,
     "pattern": "[0-9]+", "options": [{"value": "a", "label": "A", "label_en": "A"}],
     "help": "...", "integer": true, "summary": true}

A date's ``min`` and ``max`` are ISO dates or ``"today"`` (a birth date is
not in the future: ``"max": "today"``); a number with ``"integer": true``
takes whole numbers only (counts of copies, pages, people). ``"summary":
true`` marks the answers that state the request: printed with it on the
receipt (form 01) and the control slip (form 06).

The same form validates on the server and renders inputs that carry the
browser's validation attributes (required, maxlength, min, max, pattern, type).
Bind it with ``prefix="eform"``: inputs are then named ``eform-<name>``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

EFORM_PREFIX = "eform"
EFORM_TYPES = frozenset(
    {"text", "textarea", "date", "number", "email", "tel", "select", "checkbox"}
)
PATTERN_MISMATCH = _("Enter a value in the expected format.")
DATE_TOO_EARLY = _("Enter a date on or after %(limit_value)s.")
DATE_TOO_LATE = _("Enter a date on or before %(limit_value)s.")

_SPEC_KEYS = frozenset(
    {"name", "label", "label_en", "type", "required", "max_length", "min", "max"}
    | {"pattern", "options", "help", "help_en", "integer", "summary"}
)
TODAY = "today"
NOT_WHOLE = _("Enter a whole number.")
YES, NO = _("Yes"), _("No")


class DateInput(forms.DateInput):
    """A date picker: ``type="date"`` sends ISO dates whatever the browser's locale."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _localised(spec: dict[str, Any], key: str, default: str = "") -> str:
    """Return ``spec[key]``, or its English variant ``<key>_en`` when English is active."""
    if _english() and spec.get(f"{key}_en"):
        return str(spec[f"{key}_en"])
    return str(spec.get(key) or default)


def _text(spec: dict[str, Any], widget: type[forms.Widget], input_type: str = "") -> forms.Field:
    attrs: dict[str, Any] = {}
    if input_type:
        attrs["type"] = input_type
    validators = []
    if spec.get("pattern"):
        # The browser anchors ``pattern`` to the whole value; so does the server.
        attrs["pattern"] = spec["pattern"]
        validators.append(RegexValidator(f"^(?:{spec['pattern']})$", PATTERN_MISMATCH))
    return forms.CharField(
        max_length=spec.get("max_length"), widget=widget(attrs=attrs), validators=validators
    )


def _number(spec: dict[str, Any]) -> forms.Field:
    if spec.get("integer"):
        # IntegerField renders type="number" step="1" and refuses 2.5 with its own message.
        return forms.IntegerField(
            min_value=spec.get("min"),
            max_value=spec.get("max"),
            error_messages={"invalid": NOT_WHOLE},
        )
    # DecimalField renders type="number" with min/max (and step="any" without decimal places).
    return forms.DecimalField(min_value=spec.get("min"), max_value=spec.get("max"))


def _day(value: str) -> dt.date:
    """Return the date a bound means: an ISO date, or ``today`` in the site's time zone."""
    return timezone.localdate() if value == TODAY else dt.date.fromisoformat(value)


def _date(spec: dict[str, Any]) -> forms.Field:
    attrs: dict[str, Any] = {}
    validators: list[Callable[[Any], None]] = []
    if spec.get("min"):
        bound = _day(spec["min"])
        attrs["min"] = bound.isoformat()
        validators.append(
            MinValueValidator(
                (lambda: _day(spec["min"])) if spec["min"] == TODAY else bound,
                message=DATE_TOO_EARLY,
            )
        )
    if spec.get("max"):
        bound = _day(spec["max"])
        attrs["max"] = bound.isoformat()
        validators.append(
            MaxValueValidator(
                (lambda: _day(spec["max"])) if spec["max"] == TODAY else bound,
                message=DATE_TOO_LATE,
            )
        )
    return forms.DateField(
        widget=DateInput(attrs=attrs), input_formats=["%Y-%m-%d"], validators=validators
    )


def _select(spec: dict[str, Any]) -> forms.Field:
    choices = [("", "---")] + [(str(o["value"]), _localised(o, "label")) for o in spec["options"]]
    return forms.ChoiceField(choices=choices)


def _email(spec: dict[str, Any]) -> forms.Field:
    return forms.EmailField(max_length=spec.get("max_length"))


_BUILDERS: dict[str, Callable[[dict[str, Any]], forms.Field]] = {
    "text": lambda s: _text(s, forms.TextInput),
    "textarea": lambda s: _text(s, forms.Textarea),
    "email": _email,
    "tel": lambda s: _text(s, forms.TextInput, "tel"),
    "number": _number,
    "date": _date,
    "select": _select,
    "checkbox": lambda s: forms.BooleanField(),
}


def eform_form_class(definition: list[dict[str, Any]]) -> type[forms.Form]:
    """Return a form class with one field per spec of ``definition``, in order.

    Labels, help texts and option labels are those of the active language
    (``label_en``/``help_en`` in English), so build the class per request.
    The definition must be valid (``eform_validate_definition`` returns []).
    """
    fields: dict[str, forms.Field] = {}
    for spec in definition:
        field = _BUILDERS[spec["type"]](spec)
        field.required = bool(spec.get("required", False))
        field.label = _localised(spec, "label", spec["name"])
        field.help_text = _localised(spec, "help")
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


def eform_validate_definition(definition: Any) -> list[str]:
    """Return the problems of an e-form definition, one sentence each (empty when usable).

    Checks what ``eform_form_class`` relies on: a list of objects with a unique
    identifier ``name``, a ``label``, a known ``type``, options for a select,
    and well-formed constraints (lengths, bounds, ISO dates, a pattern that
    compiles). Used by the catalogue import to reject a bad row.
    """
    if not isinstance(definition, list):
        return ["The e-form must be a list of field specs."]
    problems: list[str] = []
    seen: set[str] = set()
    for index, spec in enumerate(definition, start=1):
        if not isinstance(spec, dict):
            problems.append(f"Field {index}: not an object.")
            continue
        name = spec.get("name")
        where = f"Field {index}" + (f" ({name})" if isinstance(name, str) else "")
        if not isinstance(name, str) or not name.isidentifier():
            problems.append(f"{where}: 'name' must be an identifier (letters, digits, _).")
        elif name in seen:
            problems.append(f"{where}: duplicate name.")
        else:
            seen.add(name)
        problems.extend(f"{where}: {p}" for p in _spec_problems(spec))
    return problems


def _spec_problems(spec: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    unknown = sorted(set(spec) - _SPEC_KEYS)
    if unknown:
        problems.append(f"unknown keys {', '.join(map(repr, unknown))}.")
    if not isinstance(spec.get("label"), str) or not spec["label"].strip():
        problems.append("'label' is required.")
    for key in ("label_en", "help", "help_en"):
        if key in spec and not isinstance(spec[key], str):
            problems.append(f"'{key}' must be text.")
    kind = spec.get("type")
    if kind not in EFORM_TYPES:
        problems.append(
            f"unknown type {kind!r} (expected one of {', '.join(sorted(EFORM_TYPES))})."
        )
    for key in ("required", "integer", "summary"):
        if key in spec and not isinstance(spec[key], bool):
            problems.append(f"'{key}' must be true or false.")
    if "integer" in spec and kind != "number":
        problems.append("'integer' is only for a number.")
    max_length = spec.get("max_length")
    if max_length is not None and (not _is_int(max_length) or max_length < 1):
        problems.append("'max_length' must be a whole number of 1 or more.")
    if kind == "select":
        problems.extend(_option_problems(spec.get("options")))
    elif "options" in spec:
        problems.append("'options' is only for a select.")
    problems.extend(_bound_problems(spec, kind))
    pattern = spec.get("pattern")
    if pattern is not None:
        if kind not in {"text", "textarea", "tel"}:
            problems.append("'pattern' is only for text, textarea and tel fields.")
        elif not isinstance(pattern, str):
            problems.append("'pattern' must be text.")
        else:
            try:
                re.compile(pattern)
            except re.error:
                problems.append("'pattern' is not a valid regular expression.")
    return problems


def _option_problems(options: Any) -> list[str]:
    if not isinstance(options, list) or not options:
        return ["a select needs a non-empty list of 'options'."]
    if not all(isinstance(o, dict) and "value" in o and "label" in o for o in options):
        return ["each option needs a 'value' and a 'label'."]
    values = [str(o["value"]) for o in options]
    if len(set(values)) != len(values):
        return ["option values must be unique."]
    return []


def _bound_problems(spec: dict[str, Any], kind: Any) -> list[str]:
    bounds = {key: spec[key] for key in ("min", "max") if spec.get(key) is not None}
    if not bounds:
        return []
    if kind == "number":
        if not all(_is_number(v) for v in bounds.values()):
            return ["'min' and 'max' must be numbers."]
        if spec.get("integer") and not all(float(v).is_integer() for v in bounds.values()):
            return ["'min' and 'max' of a whole number must be whole numbers."]
        parsed: dict[str, Any] = bounds
    elif kind == "date":
        try:
            parsed = {k: _day(v) for k, v in bounds.items()}
        except (TypeError, ValueError):
            return ["'min' and 'max' must be dates as YYYY-MM-DD, or 'today'."]
    else:
        return ["'min' and 'max' are only for number and date fields."]
    if len(parsed) == 2 and parsed["min"] > parsed["max"]:
        return ["'min' is greater than 'max'."]
    return []


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Answer:
    """An answer of the applicant, labelled as the e-form labels it, as text to show."""

    name: str
    label: str
    text: str
    summary: bool = False


def _answer_text(spec: dict[str, Any], value: Any) -> str:
    kind = spec.get("type")
    if value is None or value == "":
        return ""
    if kind == "checkbox":
        return str(YES if value else NO)
    if kind == "select":
        for option in spec.get("options") or []:
            if str(option.get("value")) == str(value):
                return _localised(option, "label")
        return str(value)
    if kind == "date":
        try:
            return str(formats.date_format(dt.date.fromisoformat(str(value)), "d/m/Y"))
        except ValueError:
            return str(value)
    return str(value)


def eform_answers(definition: list[dict[str, Any]], data: dict[str, Any]) -> list[Answer]:
    """Return the answers in ``data`` in the order of ``definition``, each with its label.

    Every field of the form is listed (an unanswered one with empty text), in
    the active language: the choices' labels, dates as dd/mm/yyyy, yes or no.
    Answers to fields no longer in the definition come last, by their name.
    """
    answers = [
        Answer(
            name=spec["name"],
            label=_localised(spec, "label", spec["name"]),
            text=_answer_text(spec, data.get(spec["name"])),
            summary=bool(spec.get("summary")),
        )
        for spec in definition
        if isinstance(spec, dict) and "name" in spec
    ]
    known = {a.name for a in answers}
    answers.extend(
        Answer(name=k, label=k, text=str(v)) for k, v in sorted(data.items()) if k not in known
    )
    return answers
