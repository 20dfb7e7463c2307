"""The import: each record in its own savepoint, through the catalogue's services, reported."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from motcua.catalog.importing.files import Row, read_file
from motcua.catalog.importing.records import (
    ParsedRecord,
    parse_record,
    text_value,
    versions_with_content,
)
from motcua.catalog.models import Field, Procedure
from motcua.catalog.services import (
    field_upsert,
    procedure_create,
    procedure_publish_content,
    procedure_update,
    version_content,
)
from motcua.core.errors import DomainError


class RowStatus:
    CREATED = "created"
    NEW_VERSION = "new version"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REJECTED = "rejected"


@dataclass
class RowResult:
    """What happened to one row: ``row`` is its number in the file (1-based)."""

    row: str
    code: str
    status: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)
    dry_run: bool = False

    def counts(self) -> dict[str, int]:
        """Return the number of rows per status."""
        out: dict[str, int] = defaultdict(int)
        for row in self.rows:
            out[row.status] += 1
        return dict(out)

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.status == RowStatus.REJECTED]

    def as_text(self) -> str:
        """Return the report as lines of text, one per row, then the totals."""
        lines = []
        for r in self.rows:
            line = f"{r.row:>6}  {r.code or '-':<28} {r.status}"
            if r.reasons:
                line += ": " + "; ".join(r.reasons)
            lines.append(line)
        totals = ", ".join(f"{n} {status}" for status, n in sorted(self.counts().items()))
        lines.append(("dry run, nothing saved: " if self.dry_run else "") + (totals or "no rows"))
        return "\n".join(lines)


def _domain_reasons(exc: DomainError) -> list[str]:
    if not exc.field_errors:
        return [str(exc.message)]
    return [f"{name}: {m}" for name, msgs in exc.field_errors.items() for m in msgs]


def _import_one(parsed: ParsedRecord, actor: Any) -> str:
    field_obj = (
        field_upsert(code=parsed.field_code, name=parsed.field_name)
        if parsed.field_name
        else Field.objects.get(code=parsed.field_code)
    )
    identity = {**parsed.identity, "field": field_obj}
    procedure = Procedure.objects.select_related("agency", "field").filter(code=parsed.code).first()
    if procedure is None:
        procedure = procedure_create(
            code=parsed.code, name=parsed.content.name, actor=actor, **identity
        )
        procedure_publish_content(procedure=procedure, content=parsed.content, actor=actor)
        return RowStatus.CREATED
    changed = procedure_update(procedure=procedure, actor=actor, **identity)
    current = (
        versions_with_content()
        .filter(procedure=procedure, pk=procedure.current_version_id or 0)
        .first()
    )
    if current is None or version_content(current) != parsed.content:
        procedure_publish_content(procedure=procedure, content=parsed.content, actor=actor)
        return RowStatus.NEW_VERSION if current is not None else RowStatus.CREATED
    return RowStatus.UPDATED if changed else RowStatus.UNCHANGED


def catalog_import(
    *, rows: Iterable[Row], dry_run: bool = False, actor: Any = None
) -> ImportReport:
    """Import ``rows``, each in its own savepoint; return the per-row report.

    A rejected row changes nothing and does not stop the others. With
    ``dry_run`` everything is rolled back at the end, so the report tells
    what an import would do. Changes are audited as made by ``actor``
    (None: the system, e.g. the demo loader).
    """
    report = ImportReport(dry_run=dry_run)
    seen: set[str] = set()
    with transaction.atomic():
        for number, record in rows:
            parsed, reasons = parse_record(record)
            code = text_value(record, "code")
            if parsed is not None and parsed.code in seen:
                parsed, reasons = None, [f"code '{code}' appears twice in the file"]
            if parsed is None:
                report.rows.append(RowResult(number, code, RowStatus.REJECTED, reasons))
                continue
            seen.add(parsed.code)
            try:
                with transaction.atomic():
                    status = _import_one(parsed, actor)
            except DomainError as exc:
                report.rows.append(
                    RowResult(number, code, RowStatus.REJECTED, _domain_reasons(exc))
                )
                continue
            report.rows.append(RowResult(number, code, status))
        if dry_run:
            transaction.set_rollback(True)
    return report


def catalog_import_file(
    *, name: str, data: bytes, dry_run: bool = False, actor: Any = None
) -> ImportReport:
    """Read ``data`` as JSON or XLSX (by ``name``) and import it; see ``catalog_import``.

    Raises ``ImportFileError`` when the file cannot be read at all.
    """
    return catalog_import(rows=read_file(name, data), dry_run=dry_run, actor=actor)
