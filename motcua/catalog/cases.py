"""Processing-time cases: a version's ordinary legal time and the cases with a time of their own.

Some procedures have another legal time in some cases: the judicial record
certificate takes 10 working days, up to 15 when verification is needed. A
version's own ``processing_time_value``/``_unit`` is the ordinary case (code
``ORDINARY``, the empty string); its ``ProcessingCase`` rows are the others,
each with a code unique in the version. The officer chooses a dossier's case
and its due date follows that case's time (``selectors.version_cases``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .fees import CODE_DUPLICATE, CODE_INVALID, CODE_PATTERN, Problems
from .models import TimeUnit

if TYPE_CHECKING:
    from .models import ProcedureVersion, ProcessingCase

ORDINARY = ""
MAX_TIME = Decimal(10_000)
ONE_DECIMAL = Decimal("0.1")

ORDINARY_CASE_NAME = _("Ordinary case")
CASE_NAME_REQUIRED = _("Enter the case's name, e.g. Trường hợp cần xác minh.")
CASE_TIME_INVALID = _("Enter a time greater than 0 and less than 10000, with at most one decimal.")
CASE_UNIT_UNKNOWN = _("Choose working days or working hours.")
CASE_SAME_AS_ORDINARY = _(
    "This is the ordinary processing time of the version; a case has a time of its own."
)
UNKNOWN_CASE = _("This procedure has no such processing-time case.")


@dataclass(frozen=True)
class ProcessingCaseSpec:
    """A processing-time case of a version to publish; see ``models.ProcessingCase``."""

    code: str
    name: str
    processing_time_value: Decimal
    processing_time_unit: str = TimeUnit.WORKING_DAYS
    note: str = ""
    legal_basis: str = ""


@dataclass(frozen=True)
class CaseDef:
    """One case of a version as the workflow reads it: the ordinary one first, then the others.

    ``code`` is ``ORDINARY`` ("") for the version's own time, whose ``name``
    is empty (``label`` gives its name in the active language); only the
    ordinary case can be a same-day one (``value`` 0 with the cut-off rule).
    """

    code: str
    name: str
    value: Decimal
    unit: str
    order: int = 0
    same_day_cutoff_applies: bool = False
    note: str = ""
    legal_basis: str = ""

    @property
    def ordinary(self) -> bool:
        return self.code == ORDINARY

    @property
    def label(self) -> str:
        """Return the case's name; the ordinary case's in the active language."""
        return str(ORDINARY_CASE_NAME) if self.ordinary else self.name

    @property
    def text(self) -> str:
        """Return the case's time as people read it, e.g. "15 ngày làm việc"."""
        return time_text(self.value, self.unit)


def time_ok(value: Any) -> bool:
    """Tell whether ``value`` is a case's time: more than 0, less than 10000, one decimal."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return False
    return (
        number.is_finite()
        and Decimal(0) < number < MAX_TIME
        and number == number.quantize(ONE_DECIMAL)
    )


def case_spec_problems(
    spec: ProcessingCaseSpec, ordinary: tuple[Decimal, str] | None = None
) -> Problems:
    """Return what is wrong with one case, as (field, message) pairs (empty when usable).

    ``ordinary`` is the version's own (value, unit); a case with the same
    time is no case at all (None: not checked).
    """
    problems: Problems = []
    if not CODE_PATTERN.match(spec.code or ""):
        problems.append(("code", CODE_INVALID))
    if not spec.name.strip():
        problems.append(("name", CASE_NAME_REQUIRED))
    valid_time = time_ok(spec.processing_time_value)
    if not valid_time:
        problems.append(("processing_time_value", CASE_TIME_INVALID))
    if spec.processing_time_unit not in TimeUnit.values:
        problems.append(("processing_time_unit", CASE_UNIT_UNKNOWN))
    elif valid_time and ordinary is not None:
        value, unit = ordinary
        if spec.processing_time_unit == unit and Decimal(spec.processing_time_value) == value:
            problems.append(("processing_time_value", CASE_SAME_AS_ORDINARY))
    return problems


def cases_problems(
    cases: Sequence[ProcessingCaseSpec], ordinary: tuple[Decimal, str] | None
) -> list[str]:
    """Return the problems of a version's cases, one sentence each ("Case 2: ...")."""
    out: list[str] = []
    seen: set[str] = set()
    for n, case in enumerate(cases, start=1):
        problems = [str(m) for _key, m in case_spec_problems(case, ordinary)]
        if case.code in seen:
            problems.append(str(CODE_DUPLICATE))
        seen.add(case.code)
        out.extend(gettext("Case %(n)s: %(problem)s") % {"n": n, "problem": p} for p in problems)
    return out


def case_spec(case: ProcessingCase) -> ProcessingCaseSpec:
    """Return the spec of one ``ProcessingCase`` row."""
    return ProcessingCaseSpec(
        code=case.code,
        name=case.name,
        processing_time_value=case.processing_time_value,
        processing_time_unit=case.processing_time_unit,
        note=case.note,
        legal_basis=case.legal_basis,
    )


def case_specs(version: ProcedureVersion) -> tuple[ProcessingCaseSpec, ...]:
    """Return the cases of ``version`` in order (reads ``version.processing_cases``)."""
    return tuple(case_spec(c) for c in version.processing_cases.all())


# --- text for people ---------------------------------------------------------------------


def time_text(value: Decimal | int | float, unit: str) -> str:
    """Return a legal time as people read it: "10 ngày làm việc", "4 giờ làm việc", "Trong ngày"."""
    number = floatformat(value, "-1")
    if Decimal(str(value)) == 0:
        return gettext("Same day")
    if unit == TimeUnit.WORKING_HOURS:
        return gettext("%(n)s working hours") % {"n": number}
    return gettext("%(n)s working days") % {"n": number}


def _lower_first(name: str) -> str:
    """Return "trường hợp cần xác minh" for "Trường hợp cần xác minh" (not for "UBND ...")."""
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def summary_text(ordinary: str, cases: Iterable[tuple[str, str]]) -> str:
    """Return "10 ngày làm việc; trường hợp cần xác minh: 15 ngày làm việc"."""
    return "; ".join([ordinary, *(f"{_lower_first(name)}: {text}" for name, text in cases)])


def version_time_summary(version: ProcedureVersion) -> str:
    """Return the legal time of ``version`` with its cases, in one line (active language).

    Reads ``version.processing_cases`` (prefetch it for lists).
    """
    return summary_text(
        time_text(version.processing_time_value, version.processing_time_unit),
        (
            (c.name, time_text(c.processing_time_value, c.processing_time_unit))
            for c in version.processing_cases.all()
        ),
    )
