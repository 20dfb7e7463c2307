"""Reading an import file a row at a time: CSV (UTF-8, BOM or not, comma or semicolon) or XLSX.

The file is never loaded whole: a CSV is read line by line, a workbook
through openpyxl's read-only mode (rows streamed from the first sheet).
Headers are matched folded (``Mã hồ sơ`` is ``ma_ho_so``); a file whose
type is neither, that is not UTF-8, or that lacks a required column is
refused as a whole (``ValidationFailed``) before any row is read.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from motcua.core.errors import ValidationFailed
from motcua.core.text import fold

NOT_A_TABLE = _("The file is neither a CSV file (UTF-8) nor an Excel workbook (.xlsx).")
EMPTY_FILE = _("The file has no header row.")
MISSING_COLUMNS = _("Columns missing from the header row: {columns}.")
_ZIP = b"PK\x03\x04"
_SAMPLE = 64 * 1024


def header_key(value: Any) -> str:
    """Return a header cell as its column key: folded, words joined by underscores."""
    return fold(str(value or "")).replace(" ", "_")


@dataclass
class Table:
    """An open import file: its columns (key -> position) and its rows, streamed."""

    columns: dict[str, int]
    rows: Iterator[tuple[int, Sequence[Any]]]  # (row number in the file, cells)
    total: int | None  # data rows, as far as can be told without parsing
    closer: Any = None

    def close(self) -> None:
        if self.closer is not None:
            self.closer.close()


def _count_lines(path: Path) -> int:
    """Return the lines of a text file, counted in blocks (no parsing)."""
    count = 0
    last = b"\n"
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _columns(header: Sequence[Any], required: Sequence[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = header_key(cell)
        if key and key not in columns:
            columns[key] = index
    if not columns:
        raise ValidationFailed(EMPTY_FILE)
    missing = [c for c in required if c not in columns]
    if missing:
        raise ValidationFailed(format_lazy(MISSING_COLUMNS, columns=", ".join(missing)))
    return columns


def _open_csv(path: Path, required: Sequence[str]) -> Table:
    with path.open("rb") as f:
        sample = f.read(_SAMPLE)
    if b"\x00" in sample:
        raise ValidationFailed(NOT_A_TABLE)
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is fine; anything else is not UTF-8.
        if exc.start < len(sample) - 4:
            raise ValidationFailed(NOT_A_TABLE) from exc
        text = sample[: exc.start].decode("utf-8-sig")
    first = text.splitlines()[0] if text.strip() else ""
    if not first.strip():
        raise ValidationFailed(EMPTY_FILE)
    delimiter = ";" if first.count(";") > first.count(",") else ","
    handle = path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = next(reader)
        columns = _columns(header, required)
    except (ValidationFailed, UnicodeDecodeError, csv.Error) as exc:
        handle.close()
        if isinstance(exc, ValidationFailed):
            raise
        raise ValidationFailed(NOT_A_TABLE) from exc

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield reader.line_num, cells
        except (UnicodeDecodeError, csv.Error) as exc:
            raise ValidationFailed(NOT_A_TABLE) from exc

    return Table(columns, rows(), max(0, _count_lines(path) - 1), handle)


def _open_xlsx(path: Path, required: Sequence[str]) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        cells = sheet.iter_rows(values_only=True)
        header = next(cells, None)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed(NOT_A_TABLE) from exc
    if header is None:
        book.close()
        raise ValidationFailed(EMPTY_FILE)
    try:
        columns = _columns(header, required)
    except ValidationFailed:
        book.close()
        raise

    def rows() -> Iterator[tuple[int, Sequence[Any]]]:
        for number, values in enumerate(cells, start=2):
            if any(v is not None and str(v).strip() for v in values):
                yield number, values

    total = sheet.max_row - 1 if sheet.max_row else None
    return Table(columns, rows(), total, book)


def table_open(path: Path, required: Sequence[str]) -> Table:
    """Open ``path`` as a table (by its content, not its name); ValidationFailed if it is none."""
    with path.open("rb") as f:
        magic = f.read(4)
    if magic == _ZIP:
        return _open_xlsx(path, required)
    return _open_csv(path, required)


def csv_text(rows: Sequence[Sequence[Any]]) -> str:
    """Return ``rows`` as CSV text (the tests' and the demo's files)."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()
