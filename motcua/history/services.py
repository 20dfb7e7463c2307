"""Writes of the history imports: a previous system's dossiers into statistics.

``import_batch_create`` stores an uploaded file, checks its header (a file
that is not a table or lacks a column is refused whole, nothing written),
records the batch (queued) with its audit entry and queues its run after
the commit. ``import_batch_run`` claims a queued batch (one runner only)
and imports it; ``dossiers_import`` is the one loop behind the page, the
task and ``manage.py import_dossiers``.

The loop streams the file and checks each row (``records``); the codes of
the file are resolved once. Rows are written a chunk at a time
(``CHUNK``), each chunk in its own transaction under the statistics' lock
(the ``RefreshState`` row: refreshes and imports write one at a time): the
facts already kept under the chunk's codes are read and locked in one
query, the live dossiers' codes in one more; a row whose fact is the same is
unchanged, a different one updates it (its old counts taken away from the
rollups and the new added, ``rollups_add``), a new one is created; the
chunk's facts, its rejections and the batch's counters commit together, and
a re-run of the same file changes nothing. New facts are written not yet
counted (after ``RefreshState.imports_counted``) and added to the rollups all
at once at the import's end, set-based (``statistics.services.rollups_catch_up``: per chunk
the rollups' rows were rewritten again and again, slower as they grew); an
import stopped half-way has its facts counted by the next refresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from motcua.audit.services import audit_record, snapshot
from motcua.core.errors import DomainError, ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.statistics.facts import same
from motcua.statistics.measures import NAMES, contributions
from motcua.statistics.models import Fact, Grain, RefreshState, Rollup, Source
from motcua.statistics.rollup import Delta, add_sets, rollup_apply, scopes_of
from motcua.statistics.services import rollups_catch_up

from . import records
from .models import BatchKind, BatchState, ImportBatch, ImportRejection
from .reading import Table, table_open

CHUNK = 5000
KEPT_REJECTIONS = 1000  # a dry run keeps this many to show
_FACT_FIELDS = [f.name for f in Fact._meta.concrete_fields if f.name not in ("id", "dossier")]


def _vi(reason: str | Promise) -> str:
    """Return a reason as staff read it (the Vietnamese text of the msgid)."""
    with translation.override("vi"):
        return str(reason)


@dataclass
class Outcome:
    """What an import did (or would do, in a dry run)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    seconds: float = 0.0
    rejections: list[tuple[int, str, str]] = field(default_factory=list)  # first ones (dry run)


Progress = Callable[[Outcome, int | None], None]


def _delta(added: Sequence[Fact], removed: Sequence[Fact]) -> Delta:
    """Return the delta of adding ``added`` and taking ``removed`` away.

    Sums the same as ``statistics.rollup.delta_of``, grouped first by the
    scopes a fact counts in (the facts of a unit's procedure share them), so
    each (day, measure) of a group is spread over its scopes once.
    """
    groups: dict[tuple[tuple[str, int, int], ...], dict[tuple[dt.date, str], int]] = {}
    for facts, sign in ((added, 1), (removed, -1)):
        for fact in facts:
            items = contributions(fact)
            if not items:
                continue
            where = tuple(scopes_of(fact))
            sums = groups.get(where)
            if sums is None:
                sums = groups[where] = defaultdict(int)
            for day, name, amount in items:
                sums[(day, name)] += sign * amount
    delta = Delta()
    rows = delta.rows
    day_grain, month_grain = Grain.DAY.value, Grain.MONTH.value
    for scopes, sums in groups.items():
        for (day, name), amount in sums.items():
            if not amount:
                continue
            month = day.replace(day=1)
            for scope, key, key2 in scopes:
                rows[(day_grain, day, scope, key, key2)][name] += amount
                rows[(month_grain, month, scope, key, key2)][name] += amount
    return delta


def rollups_add(*, added: Sequence[Fact], removed: Sequence[Fact]) -> int:
    """Add ``added`` to the rollups and take ``removed`` away; return the rows written.

    The rollup step of an import's changed facts (its new ones are added at its end);
    runs in the caller's transaction, so rollups and facts commit together.
    On PostgreSQL the summed delta is copied into a temporary table and added
    with one ``INSERT ... SELECT ... ON CONFLICT``: row-by-row upserts cost a
    round trip each (tens of thousands a chunk).
    """
    delta = _delta(added, removed)
    if connection.vendor != "postgresql":
        return rollup_apply(delta)
    return _rollup_copy(delta)


def _rollup_copy(delta: Delta) -> int:
    q = connection.ops.quote_name
    table = q(Rollup._meta.db_table)
    cols = ["grain", "day", "scope", "key", "key2", *NAMES]
    quoted = ", ".join(q(c) for c in cols)
    sets = add_sets()
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS history_delta (grain varchar(1), day date, "
            "scope varchar(1), key bigint, key2 bigint, "
            + ", ".join(f"{q(n)} bigint" for n in NAMES)
            + ") ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE history_delta")  # a caller's outer transaction may have left some
        with cursor.copy(f"COPY history_delta ({quoted}) FROM STDIN") as copy:
            for (grain, day, scope, key, key2), changes in delta.rows.items():
                if any(changes.values()):
                    copy.write_row(
                        [grain, day, scope, key, key2, *(changes.get(n) or None for n in NAMES)]
                    )
                    written += 1
        # Our own table's and columns' quoted names; no value is spliced in.
        cursor.execute(
            f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM history_delta "  # noqa: S608
            f"ON CONFLICT ({q('scope')}, {q('key')}, {q('grain')}, {q('day')}, {q('key2')}) "
            f"DO UPDATE SET {sets}"
        )
    return written


def _facts_insert(facts: list[Fact]) -> None:
    """Insert new facts; on PostgreSQL through COPY (bulk_create prepares every value in Python
    at several times the cost)."""
    if connection.vendor != "postgresql":
        Fact.objects.bulk_create(facts, batch_size=1000)
        return
    q = connection.ops.quote_name
    columns = [f for f in Fact._meta.concrete_fields if f.attname != "id"]
    names = [f.attname for f in columns]
    sql = (
        f"COPY {q(Fact._meta.db_table)} ({', '.join(q(str(c.column)) for c in columns)}) FROM STDIN"
    )
    with connection.cursor() as cursor, cursor.copy(sql) as copy:
        for fact in facts:
            copy.write_row([getattr(fact, name) for name in names])


def _lock() -> RefreshState:
    """Take the statistics' lock (the refresh state's row) for this transaction; return it."""
    RefreshState.objects.get_or_create(pk=1)
    return RefreshState.objects.select_for_update().get(pk=1)


class _Run:
    """One pass over a table: rows checked, written a chunk at a time."""

    def __init__(
        self, batch: ImportBatch, table: Table, *, write: bool, progress: Progress | None
    ) -> None:
        self.batch = batch
        self.table = table
        self.write = write
        self.progress = progress
        self.out = Outcome()
        self.parser = records.RowParser(table.columns, records.Refs.load(), timezone.localdate())
        self.seen: set[str] = set()
        self.facts: list[tuple[int, Fact]] = []
        self.rejections: list[ImportRejection] = []
        self.pending = 0

    def reject(self, number: int, code: str, reason: str | Promise) -> None:
        self.rejections.append(
            ImportRejection(batch_id=self.batch.pk, row=number, code=code[:100], reason=_vi(reason))
        )

    def go(self) -> Outcome:
        started = time.monotonic()
        parser = self.parser
        for number, cells in self.table.rows:
            self.pending += 1
            code = ""
            try:
                code = parser.code(cells)
                if code in self.seen:
                    raise records.Rejected(records.DUPLICATE)
                self.seen.add(code)
                self.facts.append((number, parser.fact(cells, code)))
            except records.Rejected as rejected:
                self.reject(number, code, rejected.reason)
            if self.pending >= CHUNK:
                self.flush()
        self.flush()
        if self.write:
            rollups_catch_up()
        self.out.seconds = time.monotonic() - started
        return self.out

    def flush(self) -> None:
        if not self.pending:
            return
        if self.write:
            with transaction.atomic():
                self._chunk(_lock().imports_counted)
        else:
            self._chunk(0)
        self.facts, self.rejections, self.pending = [], [], 0
        if self.progress is not None:
            self.progress(self.out, self.table.total)

    def _chunk(self, counted: int) -> None:
        """Write the chunk's rows; imported facts with ids up to ``counted`` are counted."""
        codes = [fact.code for _n, fact in self.facts]
        kept = Fact.objects.filter(code__in=codes)
        if self.write:
            kept = kept.select_for_update()
        existing = {f.code: f for f in kept}
        live = set(Dossier.objects.filter(code__in=codes).values_list("code", flat=True))
        new: list[Fact] = []
        changed: list[Fact] = []
        rewritten: list[Fact] = []
        old: list[Fact] = []
        unchanged = 0
        for number, fact in self.facts:
            previous = existing.get(fact.code)
            if fact.code in live or (previous is not None and previous.source != Source.IMPORT):
                self.reject(number, fact.code, records.LIVE_CODE)
            elif previous is None:
                # Counted in the rollups at the import's end, all at once (rollups_catch_up).
                fact.batch = self.batch.pk
                new.append(fact)
            elif same(previous, fact):
                unchanged += 1
            else:
                fact.pk, fact.batch = previous.pk, self.batch.pk
                if previous.pk <= counted:  # counted: old values taken away, new ones added
                    changed.append(fact)
                    old.append(previous)
                else:  # not counted yet: rewritten only, counted with the others
                    rewritten.append(fact)
        out = self.out
        out.rows += self.pending
        out.created += len(new)
        out.updated += len(changed) + len(rewritten)
        out.unchanged += unchanged
        out.rejected += len(self.rejections)
        if not self.write:
            room = KEPT_REJECTIONS - len(out.rejections)
            out.rejections += [(r.row, r.code, r.reason) for r in self.rejections[: max(room, 0)]]
            return
        if new:
            _facts_insert(new)
        if changed or rewritten:
            Fact.objects.bulk_update(changed + rewritten, _FACT_FIELDS, batch_size=1000)
        if old:
            rollups_add(added=changed, removed=old)
        if self.rejections:
            ImportRejection.objects.bulk_create(self.rejections, batch_size=1000)
        ImportBatch.objects.filter(pk=self.batch.pk).update(
            rows_total=self.table.total,
            rows_done=out.rows,
            created=out.created,
            updated=out.updated,
            unchanged=out.unchanged,
            rejected=out.rejected,
        )


def dossiers_import(
    *, batch: ImportBatch, path: Path, write: bool = True, progress: Progress | None = None
) -> Outcome:
    """Import the dossiers of the file at ``path`` into ``batch`` (see the module).

    ``write`` False: check every row and count what would change, writing
    nothing (``batch`` need not be saved). Raises ValidationFailed for a
    file that is not a table of dossiers (nothing written).
    """
    table = table_open(path, records.REQUIRED)
    try:
        return _Run(batch, table, write=write, progress=progress).go()
    finally:
        table.close()


def _import_dir() -> Path:
    directory = Path(settings.HISTORY_IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _store(chunks: Iterable[bytes]) -> tuple[Path, str]:
    """Write an upload to the imports' folder; return its path and SHA-256."""
    path = _import_dir() / f"{uuid.uuid4().hex}.upload"
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for chunk in chunks:
            digest.update(chunk)
            out.write(chunk)
    return path, digest.hexdigest()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


_AUDITED = ["kind", "file_name", "sha256", "state", "dry_run"]


def import_batch_create(
    *, file_name: str, chunks: Iterable[bytes], actor: Any, run: bool = True
) -> ImportBatch:
    """Store an uploaded file of dossiers and queue its import; return the batch.

    The file is checked first (a table with the required columns), so a bad
    file leaves nothing behind (ValidationFailed). The batch and its audit
    entry commit together; the run is queued after the commit (``run``).
    """
    path, digest = _store(chunks)
    try:
        table_open(path, records.REQUIRED).close()
    except DomainError:
        path.unlink(missing_ok=True)
        raise
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                kind=BatchKind.DOSSIERS,
                file_name=Path(file_name).name[:255],
                sha256=digest,
                stored_as=str(path),
                uploaded_by=actor if getattr(actor, "pk", None) else None,
                uploaded_at=timezone.now(),
            )
            audit_record(
                action="history.import_upload",
                target=batch,
                actor=actor,
                after=snapshot(batch, _AUDITED),
            )
            if run:
                from .tasks import import_task

                transaction.on_commit(lambda: import_task.enqueue(batch.pk))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return batch


def import_batch_run(*, batch_id: int, progress: Progress | None = None) -> ImportBatch | None:
    """Run a queued batch's import; None when it is not queued (another runner has it).

    Claims the batch atomically (queued -> running). A file that turns out
    broken midway fails the batch with its error; the chunks before it stay
    imported (running the fixed file again completes it). The stored file is
    removed at the end.
    """
    now = timezone.now()
    claimed = ImportBatch.objects.filter(pk=batch_id, state=BatchState.QUEUED).update(
        state=BatchState.RUNNING, started_at=now
    )
    if claimed != 1:
        return None
    batch = ImportBatch.objects.get(pk=batch_id)
    path = Path(batch.stored_as)
    state, error = BatchState.DONE, ""
    try:
        dossiers_import(batch=batch, path=path, progress=progress)
    except DomainError as exc:
        state, error = BatchState.FAILED, _vi(exc.message)
    except Exception as exc:  # the batch must say it failed; the worker logs the rest
        state, error = BatchState.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        if connection.in_atomic_block:  # pragma: no cover - only when called inside one
            raise
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch_id)
        batch.state, batch.error, batch.finished_at = state, error, timezone.now()
        if state == BatchState.DONE and batch.rows_total != batch.rows_done:
            batch.rows_total = batch.rows_done
        batch.save(update_fields=["state", "error", "finished_at", "rows_total"])
        audit_record(
            action="history.import_done",
            target=batch,
            after=snapshot(
                batch, ["state", "rows_done", "created", "updated", "unchanged", "rejected"]
            ),
        )
    path.unlink(missing_ok=True)
    return batch


def import_file(
    *, path: Path, actor: Any = None, dry_run: bool = False, progress: Progress | None = None
) -> tuple[ImportBatch, Outcome]:
    """Import the file at ``path`` now (the command line): a batch recorded and run in place.

    ``dry_run``: every row checked and counted, nothing written (the batch is
    not saved). ValidationFailed for a file that is not a table of dossiers.
    """
    if not path.is_file():
        raise ValidationFailed(records.NO_SUCH_FILE)
    batch = ImportBatch(
        kind=BatchKind.DOSSIERS,
        file_name=path.name[:255],
        sha256=_sha256(path),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        uploaded_at=timezone.now(),
        dry_run=dry_run,
    )
    if dry_run:
        return batch, dossiers_import(batch=batch, path=path, write=False, progress=progress)
    table_open(path, records.REQUIRED).close()  # a bad file records nothing
    now = timezone.now()
    with transaction.atomic():
        batch.state, batch.started_at = BatchState.RUNNING, now
        batch.save()
        audit_record(
            action="history.import_upload",
            target=batch,
            actor=actor,
            after=snapshot(batch, _AUDITED),
            note=str(path),
        )
    state, error = BatchState.DONE, ""
    outcome = Outcome()
    try:
        outcome = dossiers_import(batch=batch, path=path, progress=progress)
    except DomainError as exc:
        state, error = BatchState.FAILED, _vi(exc.message)
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        batch.state, batch.error, batch.finished_at = state, error, timezone.now()
        if state == BatchState.DONE:
            batch.rows_total = batch.rows_done
        batch.save(update_fields=["state", "error", "finished_at", "rows_total"])
        audit_record(
            action="history.import_done",
            target=batch,
            after=snapshot(
                batch, ["state", "rows_done", "created", "updated", "unchanged", "rejected"]
            ),
        )
    if state == BatchState.FAILED:
        raise ValidationFailed(error)
    return batch, outcome
