"""Catalogue files: JSON and XLSX, read into records and written from them."""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook, load_workbook

from motcua.catalog.fees import tiers_from_json, tiers_to_text
from motcua.catalog.importing.records import (
    CASE_COLUMNS,
    CHILD_SHEETS,
    COMPONENT_COLUMNS,
    EXEMPTION_COLUMNS,
    FEE_COLUMNS,
    PROCEDURE_COLUMNS,
    procedure_record,
    procedures_for_export,
)
from motcua.catalog.models import Procedure


class ImportFileError(Exception):
    """The file cannot be read at all (not JSON, not a workbook, wrong shape)."""


# --- writing ----------------------------------------------------------------


def export_json(procedures: Iterable[Procedure] | None = None) -> bytes:
    """Return the catalogue (or ``procedures``) as UTF-8 JSON."""
    records = [
        procedure_record(p) for p in (procedures_for_export() if procedures is None else procedures)
    ]
    return json.dumps(records, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


def export_xlsx(procedures: Iterable[Procedure] | None = None) -> bytes:
    """Return the catalogue (or ``procedures``) as an XLSX workbook."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 - a new workbook has one sheet
    sheet.title = "procedures"
    sheet.append(list(PROCEDURE_COLUMNS))
    components = book.create_sheet("components")
    components.append(list(COMPONENT_COLUMNS))
    fees = book.create_sheet("fees")
    fees.append(list(FEE_COLUMNS))
    exemptions = book.create_sheet("fee_exemptions")
    exemptions.append(list(EXEMPTION_COLUMNS))
    cases = book.create_sheet("processing_cases")
    cases.append(list(CASE_COLUMNS))
    for procedure in procedures_for_export() if procedures is None else procedures:
        record = procedure_record(procedure)
        row = [record[key] for key in PROCEDURE_COLUMNS]
        row[PROCEDURE_COLUMNS.index("eform")] = json.dumps(record["eform"], ensure_ascii=False)
        row[PROCEDURE_COLUMNS.index("steps")] = "\n".join(record["steps"])
        sheet.append(row)
        for c in record["components"]:
            components.append([record["code"], *(c[k] for k in COMPONENT_COLUMNS[1:])])
        for f in record["fees"]:
            cells = {**f, "tiers": tiers_to_text(tiers_from_json(f["tiers"]))}
            fees.append([record["code"], *(cells[k] for k in FEE_COLUMNS[1:])])
        for e in record["fee_exemptions"]:
            cells = {**e, "fee_codes": ", ".join(e["fee_codes"])}
            exemptions.append([record["code"], *(cells[k] for k in EXEMPTION_COLUMNS[1:])])
        for c in record["processing_cases"]:
            cases.append([record["code"], *(c[k] for k in CASE_COLUMNS[1:])])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading ----------------------------------------------------------------

Row = tuple[str, dict[str, Any]]


def read_json(data: bytes) -> list[Row]:
    """Return the records of a JSON file, numbered from 1."""
    try:
        records = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportFileError(f"not a JSON file: {exc}") from exc
    if not isinstance(records, list):
        raise ImportFileError("a JSON catalogue is a list of procedure objects")
    return [(str(n), r if isinstance(r, dict) else {}) for n, r in enumerate(records, start=1)]


def _sheet_rows(book: Any, name: str, required: bool) -> list[tuple[int, dict[str, Any]]]:
    if name not in book.sheetnames:
        if required:
            raise ImportFileError(f"the workbook has no sheet named '{name}'")
        return []
    rows = book[name].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    out = []
    for number, values in enumerate(rows, start=2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        out.append((number, dict(zip(header, values, strict=False))))
    return out


def read_xlsx(data: bytes) -> list[Row]:
    """Return the records of a workbook, numbered by their row in sheet ``procedures``.

    Rows of the other sheets whose procedure is not in the ``procedures``
    sheet come back as records with only an ``_orphan`` message.
    """
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError(f"not an XLSX workbook: {exc}") from exc
    procedures = _sheet_rows(book, "procedures", required=True)
    children: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(
        lambda: {sheet: [] for sheet in CHILD_SHEETS}
    )
    known = {str(values.get("code") or "").strip() for _, values in procedures}
    records: list[Row] = []
    for sheet in CHILD_SHEETS:
        for number, values in _sheet_rows(book, sheet, required=False):
            code = str(values.pop("procedure_code", "") or "").strip()
            if code not in known:
                records.append(
                    (
                        f"{sheet}:{number}",
                        {"code": code, "_orphan": f"no procedure '{code}' in sheet procedures"},
                    )
                )
                continue
            children[code][sheet].append(values)
    for number, values in procedures:
        code = str(values.get("code") or "").strip()
        eform = values.get("eform")
        if isinstance(eform, str) and eform.strip():
            try:
                values["eform"] = json.loads(eform)
            except json.JSONDecodeError:
                values["eform"] = {"_invalid": "the eform cell is not valid JSON"}
        elif eform is None or eform == "":
            values["eform"] = []
        values.update(children[code])
        records.append((str(number), values))
    book.close()
    return sorted(records, key=lambda r: (not r[0].isdigit(), int(r[0]) if r[0].isdigit() else 0))


def read_file(name: str, data: bytes) -> list[Row]:
    """Return the records of ``data``, read as JSON or XLSX by the file name's extension."""
    lower = name.lower()
    if lower.endswith(".json"):
        return read_json(data)
    if lower.endswith(".xlsx"):
        return read_xlsx(data)
    raise ImportFileError("the file must be .json or .xlsx")
