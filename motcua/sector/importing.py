"""Import of sector figures from CSV or XLSX (``docs/imports.md``, "Sector figures").

``read_rows`` turns a file into numbered rows; ``sector_figures_import``
writes them through the same code as the staff page, one row at a time in
its own savepoint, and reports each row: created, updated, unchanged (a
re-import changes nothing) or rejected with the reason. The management
command and the upload on the staff page are thin wrappers over these two.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core.errors import DomainError
from motcua.territory.models import AdministrativeUnit, UnitEra

from .models import SectorFigure, SectorMetric, SectorPeriod
from .services import (
    PERIOD_CLOSED,
    _figure_write,
    _period_locked,
    check_editor,
    figure_value,
    period_parts,
)

COLUMNS = ("metric_code", "year", "quarter", "month", "unit_code", "unit_era", "value", "note")
REQUIRED = ("metric_code", "year", "unit_code", "value")
NOT_A_TABLE = gettext_lazy("The file must be a CSV (UTF-8) or an XLSX workbook.")
MISSING_COLUMNS = gettext_lazy("The file lacks the columns: %(columns)s.")


class ImportFileError(DomainError):
    """The file cannot be read at all (not CSV or XLSX, no header, columns missing)."""


@dataclass(frozen=True)
class RowResult:
    line: int
    outcome: str  # created, updated, unchanged, rejected
    reason: str = ""
    metric: str = ""
    unit: str = ""


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.outcome == "rejected"]

    def summary(self) -> str:
        return _("%(c)d created, %(u)d updated, %(n)d unchanged, %(r)d rejected") % {
            "c": self.count("created"),
            "u": self.count("updated"),
            "n": self.count("unchanged"),
            "r": self.count("rejected"),
        }

    def as_text(self) -> str:
        lines = [self.summary()]
        lines += [
            _("line %(line)d: %(reason)s") % {"line": r.line, "reason": r.reason}
            for r in self.rejected
        ]
        return "\n".join(lines)


# --- reading ----------------------------------------------------------------------------------


def _header(values: Iterable[Any]) -> list[str]:
    return [str(v).strip().lower().lstrip("\ufeff") if v is not None else "" for v in values]


def _check_header(header: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFileError(MISSING_COLUMNS % {"columns": ", ".join(missing)})


def _read_csv(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(NOT_A_TABLE) from None
    if "\x00" in text:
        raise ImportFileError(NOT_A_TABLE)
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = _header(next(reader, []))
    _check_header(header)
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        rows.append((number, dict(zip(header, values, strict=False))))
    return rows


def _read_xlsx(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(NOT_A_TABLE) from None
    try:
        sheet = book.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = _header(next(values, ()))
        _check_header(header)
        rows = []
        for number, cells in enumerate(values, start=2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
                continue
            rows.append((number, dict(zip(header, cells, strict=False))))
        return rows
    finally:
        book.close()


def read_rows(name: str, data: bytes) -> list[tuple[int, dict[str, Any]]]:
    """Return the rows of a CSV or XLSX file as (line number, {column: value})."""
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return _read_xlsx(data)
    if lower.endswith(".csv"):
        return _read_csv(data)
    raise ImportFileError(NOT_A_TABLE)


# --- writing ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _whole(value: Any, name: str) -> int | None:
    """Return a whole number cell ("2019", 2019, 2019.0), None when empty."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _text(value)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 4:
        raise ValueError(name)
    return int(text)


class _Units:
    """Units by (code, era), read once per code."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], AdministrativeUnit | None] = {}

    def get(self, code: str, era: str) -> AdministrativeUnit | None:
        key = (code, era)
        if key not in self.found:
            matches = list(AdministrativeUnit.objects.filter(code=code, era=era)[:2])
            self.found[key] = matches[0] if len(matches) == 1 else None
        return self.found[key]


def sector_figures_import(
    *, rows: Iterable[tuple[int, Mapping[str, Any]]], actor: Any
) -> ImportReport:
    """Import figures row by row; each row is created, updated, unchanged or rejected with why.

    A statistician or a leader at the province (Forbidden otherwise, nothing
    read); ``actor`` None is the system (the management command, run on the
    server), recorded as no one. Rejected: unknown metric or unit, a computed metric, a bad number,
    year, quarter or month, a closed period, a row repeating an earlier row's
    metric, period and unit. The rest are imported, each in its own savepoint
    of one transaction that locks each period it writes to (``select_for_update``)
    once, so a period cannot be closed half-way through an import.
    """
    if actor is not None:
        check_editor(actor)
    with transaction.atomic():
        return _import(rows, actor)


def _import(rows: Iterable[tuple[int, Mapping[str, Any]]], actor: Any) -> ImportReport:
    report = ImportReport()
    metrics = {m.code: m for m in SectorMetric.objects.all()}
    units = _Units()
    seen: dict[tuple[str, int, int | None, int | None, int], int] = {}
    # Each period is read and locked once, for the whole import (one transaction).
    periods: dict[tuple[int, int | None, int | None], SectorPeriod] = {}
    # The figures already there, per period: an unchanged row costs no query.
    known: dict[tuple[int, int | None, int | None], dict[tuple[int, int], tuple[Decimal, str]]] = {}
    for line, row in rows:
        code = _text(row.get("metric_code"))
        unit_code = _text(row.get("unit_code"))

        def reject(
            reason: str, code: str = code, unit_code: str = unit_code, line: int = line
        ) -> None:
            report.rows.append(RowResult(line, "rejected", reason, code, unit_code))

        metric = metrics.get(code)
        if metric is None:
            reject(_("unknown metric '%(code)s'") % {"code": code[:60]})
            continue
        if metric.computed:
            reject(_("'%(code)s' is computed from other figures") % {"code": code})
            continue
        era = _text(row.get("unit_era")).lower() or UnitEra.CURRENT
        unit = units.get(unit_code[:10], era) if era in UnitEra.values else None
        if unit is None:
            reject(
                _("unknown unit '%(code)s' (%(era)s)") % {"code": unit_code[:20], "era": era[:20]}
            )
            continue
        try:
            year = _whole(row.get("year"), "year")
            quarter = _whole(row.get("quarter"), "quarter")
            month = _whole(row.get("month"), "month")
            year, quarter, month = period_parts(year, quarter, month)
        except ValueError:
            reject(_("bad year, quarter or month"))
            continue
        except DomainError as error:
            reject(str(error.message))
            continue
        try:
            value = figure_value(metric, row.get("value"))
        except DomainError as error:
            reject(_("bad number: %(why)s") % {"why": error.message})
            continue
        if value is None:
            reject(_("no value"))
            continue
        key = (code, year, quarter, month, unit.pk)
        if key in seen:
            reject(_("duplicate of line %(line)d") % {"line": seen[key]})
            continue
        seen[key] = line
        pkey = (year, quarter, month)
        if pkey not in periods:
            periods[pkey] = _period_locked(year, quarter, month)
            known[pkey] = {
                (m, u): (v, n)
                for m, u, v, n in SectorFigure.objects.filter(period=periods[pkey]).values_list(
                    "metric_id", "unit_id", "value", "note"
                )
            }
        if periods[pkey].is_closed:
            message = PERIOD_CLOSED % {"period": periods[pkey].label}
            reject(_("closed period: %(why)s") % {"why": message})
            continue
        note = _text(row.get("note"))[:500]
        if known[pkey].get((metric.pk, unit.pk)) == (value, note):
            report.rows.append(RowResult(line, "unchanged", "", code, unit_code))
            continue
        try:
            with transaction.atomic():  # a savepoint: one row's failure leaves the others
                change = _figure_write(
                    metric=metric,
                    period=periods[pkey],
                    unit=unit,
                    value=Decimal(value),
                    note=note,
                    actor=actor,
                )
        except DomainError as error:
            reject(str(error.message))
            continue
        report.rows.append(RowResult(line, change.outcome, "", code, unit_code))
    return report
