"""Importing a previous system's dossiers: rows checked, facts and rollups written, idempotent."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import Workbook

from motcua.audit.models import AuditEntry
from motcua.core.errors import ValidationFailed
from motcua.history import records
from motcua.history.models import BatchState, ImportBatch, ImportRejection
from motcua.history.reading import MISSING_COLUMNS, NOT_A_TABLE
from motcua.history.services import (
    _vi,
    import_batch_create,
    import_batch_run,
    import_file,
)
from motcua.statistics.models import Fact, RefreshState, Rollup, Scope
from motcua.statistics.periods import year
from motcua.statistics.scopes import province_keys
from motcua.statistics.selectors import Where, figures
from motcua.testing import DossierFactory

from .conftest import HEADER, Old

pytestmark = pytest.mark.django_db
Write = Callable[..., Path]


def _reasons(batch: ImportBatch) -> dict[int, str]:
    return dict(ImportRejection.objects.filter(batch=batch).values_list("row", "reason"))


def test_a_row_becomes_a_fact_of_the_old_unit_counted_under_the_old_province(
    old: Old, write: Write
) -> None:
    batch, out = import_file(path=write([old.row("QN-1")]))
    assert (out.created, out.rejected, batch.state) == (1, 0, BatchState.DONE)
    fact = Fact.objects.get(code="QN-1")
    assert (fact.source, fact.batch, fact.dossier_id) == ("import", batch.pk, None)
    assert fact.receiving_unit_id == old.unit.pk
    assert fact.province_id == old.province.pk  # the district's province
    assert (fact.channel, fact.online_level, fact.state, fact.ended) == (
        3,
        "3",
        "result_returned",
        "processed",
    )
    assert fact.outcome == "early"  # computed: ended on the 12th, due on the 15th
    assert (fact.returned_on, fact.returned_via) == (dt.date(2019, 3, 14), "post")
    assert fact.processing_seconds == (7 * 24 + 10) * 3600 + 30 * 60
    totals = figures(where=Where(Scope.PROVINCE, (old.province.pk,)), period=year(2019)).totals
    assert (totals["recv_post"], totals["ret_post"], totals["fin_early"]) == (1, 1, 1)


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"ma_ho_so": ""}, records.NO_CODE),
        ({"ma_ho_so": "X" * 61}, records.CODE_TOO_LONG),
        ({"ma_don_vi_tiep_nhan": "nope"}, records.UNKNOWN_UNIT),
        ({"ma_co_quan_giai_quyet": "nope"}, records.UNKNOWN_AGENCY),
        ({"ma_thu_tuc": "nope"}, records.UNKNOWN_PROCEDURE),
        ({"trang_thai": "11"}, records.UNKNOWN_STATUS),
        ({"trang_thai": "xong"}, records.UNKNOWN_STATUS),
        ({"kenh": "4"}, records.UNKNOWN_CHANNEL),
        ({"muc_do": "5"}, records.UNKNOWN_LEVEL),
        ({"ket_qua": "som"}, records.UNKNOWN_VERDICT),
        ({"hinh_thuc_tra": "bo_cau"}, records.UNKNOWN_RETURN),
        ({"ngay_tiep_nhan": "31/02/2019"}, records.BAD_DATE),
        ({"ngay_tiep_nhan": "hôm qua"}, records.BAD_DATE),
        ({"ngay_tiep_nhan": ""}, records.NO_RECEIPT),
        ({"ngay_tiep_nhan": "05/03/1999"}, records.DATE_OUT_OF_RANGE),
        ({"ngay_tra_ket_qua": "01/01/2099"}, records.DATE_OUT_OF_RANGE),
        ({"ngay_ket_thuc": "01/03/2019"}, records.END_BEFORE_RECEIPT),
        ({"ngay_ket_thuc": "", "trang_thai": "9"}, records.NO_END),
        ({"trang_thai": "4"}, records.OPEN_WITH_END),
        ({"ngay_tra_ket_qua": "2019-03-01"}, records.RETURN_BEFORE_RECEIPT),
        ({"da_gia_han": "co"}, records.BAD_FLAG),
        ({"so_lan_bo_sung": "-1"}, records.BAD_COUNT),
    ],
)
def test_a_bad_row_is_rejected_with_its_reason_and_the_rest_imported(
    old: Old, write: Write, values: dict[str, str], reason: str
) -> None:
    path = write([old.row("QN-1"), old.row("QN-2", **values), old.row("QN-3")])
    batch, out = import_file(path=path)
    assert (out.created, out.rejected) == (2, 1)
    assert _reasons(batch) == {3: _vi(reason)}
    assert set(Fact.objects.values_list("code", flat=True)) == {"QN-1", "QN-3"}


def test_reasons_are_kept_in_vietnamese(old: Old, write: Write) -> None:
    batch, _out = import_file(path=write([old.row("QN-1", kenh="9")]))
    assert _reasons(batch) == {
        2: "Kênh không hợp lệ: dùng 1 (trực tiếp), 2 (trực tuyến) hoặc 3 (bưu chính)."
    }


def test_a_code_twice_in_the_file_keeps_the_first(old: Old, write: Write) -> None:
    batch, out = import_file(path=write([old.row("QN-1"), old.row("QN-1", kenh="1")]))
    assert (out.created, out.rejected) == (1, 1)
    assert _reasons(batch) == {3: _vi(records.DUPLICATE)}
    assert Fact.objects.get(code="QN-1").channel == 3


def test_a_code_of_a_live_dossier_is_rejected(old: Old, write: Write) -> None:
    dossier = DossierFactory()
    batch, out = import_file(path=write([old.row(dossier.code), old.row("QN-2")]))
    assert (out.created, out.rejected) == (1, 1)
    assert _reasons(batch) == {2: _vi(records.LIVE_CODE)}
    assert not Fact.objects.filter(code=dossier.code).exists()


def test_words_and_levels_and_status_map_as_documented(old: Old, write: Write) -> None:
    rows = [
        old.row("A", kenh="trực tuyến", muc_do="toan_trinh", hinh_thuc_tra="truc_tuyen"),
        old.row("B", kenh="Trực tiếp", muc_do="", trang_thai="3", ngay_ket_thuc=""),
        old.row("C", trang_thai="5", ngay_ket_thuc="", ngay_tra_ket_qua="", hinh_thuc_tra=""),
        old.row("D", trang_thai="8", ket_qua="qua_han", da_gia_han="1", so_lan_bo_sung="2"),
        old.row("E", ngay_tiep_nhan="2019-03-05T08:00:00", han_xu_ly="12/03/2019"),
    ]
    import_file(path=write(rows))
    facts = {f.code: f for f in Fact.objects.all()}
    a, b, c, d, e = (facts[k] for k in "ABCDE")
    assert (a.channel, a.online_level, a.returned_via) == (2, "full", "online")
    assert a.fully_online
    # No level given: the procedure's (full today, none recorded before 2022).
    assert (b.channel, b.online_level, b.ended, b.finished_on) == (
        1,
        "full",
        "refused",
        dt.date(2019, 3, 5),
    )
    assert (c.state, c.finished_at, c.returned_on, c.outcome) == (
        "supplement_requested",
        None,
        None,
        "",
    )
    assert (d.ended, d.outcome, d.extended, d.supplements) == ("stopped", "late", True, 2)
    assert e.outcome == "on_time"


def test_a_reimport_of_the_same_file_changes_nothing(old: Old, write: Write) -> None:
    path = write([old.row(f"QN-{i}") for i in range(5)] + [old.row("bad", kenh="x")])
    first, _out = import_file(path=path)
    rollups = sorted(Rollup.objects.values_list("scope", "key", "grain", "day", "received"))
    facts = sorted(Fact.objects.values_list("code", "batch"))
    second, out = import_file(path=path)
    assert (out.created, out.updated, out.unchanged, out.rejected) == (0, 0, 5, 1)
    assert sorted(Rollup.objects.values_list("scope", "key", "grain", "day", "received")) == rollups
    assert sorted(Fact.objects.values_list("code", "batch")) == facts
    assert second.sha256 == first.sha256


def test_a_changed_row_updates_its_fact_and_moves_its_counts(old: Old, write: Write) -> None:
    import_file(path=write([old.row("QN-1"), old.row("QN-2")]))
    batch, out = import_file(
        path=write([old.row("QN-1", ngay_tiep_nhan="05/04/2019", ngay_ket_thuc="06/04/2019",
                            ngay_tra_ket_qua="07/04/2019", han_xu_ly="01/04/2019"),
                    old.row("QN-2")])
    )  # fmt: skip
    assert (out.created, out.updated, out.unchanged) == (0, 1, 1)
    fact = Fact.objects.get(code="QN-1")
    assert (fact.batch, fact.received_on, fact.outcome) == (batch.pk, dt.date(2019, 4, 5), "late")
    where = Where(Scope.UNIT, (old.unit.pk,))
    march = figures(where=where, period=year(2019)).totals
    assert (march["received"], march["fin_late"], march["fin_early"]) == (2, 1, 1)
    from motcua.statistics.periods import month

    assert figures(where=where, period=month(2019, 3)).totals["received"] == 1
    assert figures(where=where, period=month(2019, 4)).totals["received"] == 1


def test_rollups_after_an_import_equal_a_recount_of_the_rows(old: Old, write: Write) -> None:
    rng = random.Random(13)
    rows = []
    for i in range(400):
        received = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(340))
        done = rng.random() < 0.8
        finished = received + dt.timedelta(days=rng.randrange(20))
        rows.append(
            old.row(
                f"R-{i}",
                kenh=str(rng.choice([1, 2, 3])),
                trang_thai=rng.choice(["9", "10", "8"]) if done else rng.choice(["2", "4", "5"]),
                ngay_tiep_nhan=received.strftime("%d/%m/%Y"),
                han_xu_ly=(received + dt.timedelta(days=10)).strftime("%d/%m/%Y"),
                ngay_ket_thuc=finished.strftime("%d/%m/%Y") if done else "",
                ngay_tra_ket_qua=finished.strftime("%d/%m/%Y") if done else "",
                hinh_thuc_tra=rng.choice(["truc_tiep", "buu_chinh", "truc_tuyen"]),
            )
        )
    import_file(path=write(rows))
    got = figures(
        where=Where(Scope.PROVINCE, province_keys(old.province.pk)),
        period=year(2019),
    ).totals
    ended = [r for r in rows if r[HEADER.index("ngay_ket_thuc")]]
    late = [
        r
        for r in ended
        if r[HEADER.index("trang_thai")] != "8"
        and dt.datetime.strptime(r[HEADER.index("ngay_ket_thuc")], "%d/%m/%Y")  # noqa: DTZ007
        > dt.datetime.strptime(r[HEADER.index("han_xu_ly")], "%d/%m/%Y")  # noqa: DTZ007
    ]
    assert got["received"] == 400
    assert got["recv_post"] == sum(1 for r in rows if r[HEADER.index("kenh")] == "3")
    assert got["finished"] == len(ended)
    assert got["fin_late"] == len(late)
    assert got["ret_post"] == sum(
        1 for r in ended if r[HEADER.index("hinh_thuc_tra")] == "buu_chinh"
    )


def _rollup_rows() -> dict[tuple[Any, ...], tuple[int, ...]]:
    from motcua.statistics.measures import NAMES

    out = {}
    for row in Rollup.objects.values_list("grain", "day", "scope", "key", "key2", *NAMES):
        values = tuple(int(v or 0) for v in row[5:])
        if any(values):
            out[row[:5]] = values
    return out


def _recount() -> dict[tuple[Any, ...], tuple[int, ...]]:
    from motcua.statistics.measures import NAMES
    from motcua.statistics.rollup import delta_of

    delta = delta_of(Fact.objects.all())
    out = {}
    for key, changes in delta.rows.items():
        values = tuple(changes.get(n, 0) for n in NAMES)
        if any(values):
            out[key] = values
    return out


def test_an_import_counts_its_new_facts_at_its_end_and_a_stopped_one_at_the_next_refresh(
    old: Old, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.history import services
    from motcua.statistics.services import statistics_refresh

    def uncounted() -> int:
        counted = RefreshState.objects.get().imports_counted
        return Fact.objects.filter(source="import", pk__gt=counted).count()

    import_file(path=write([old.row(f"QN-{i}") for i in range(4)]))
    assert uncounted() == 0
    assert _rollup_rows() == _recount()
    # An import stopped before its end: its facts are written, not yet counted.
    monkeypatch.setattr(services, "rollups_catch_up", lambda: 0)
    rows = [old.row(f"QN-{i}") for i in range(4, 8)]
    import_file(path=write(rows))
    assert uncounted() == 4
    # Changed again before being counted: updated, still not counted; a counted one moves.
    import_file(path=write([*rows[:3], old.row("QN-7", kenh="1"), old.row("QN-0", kenh="2")]))
    assert uncounted() == 4
    assert (Fact.objects.get(code="QN-7").channel, Fact.objects.get(code="QN-0").channel) == (1, 2)
    monkeypatch.undo()
    statistics_refresh()
    assert uncounted() == 0
    assert _rollup_rows() == _recount()
    totals = figures(where=Where(Scope.UNIT, (old.unit.pk,)), period=year(2019)).totals
    assert totals["received"] == 8


def test_semicolons_and_a_bom_and_vietnamese_headers_are_read(old: Old, write: Write) -> None:
    header = ["Mã hồ sơ", *HEADER[1:]]
    path = write([old.row("QN-1"), old.row("QN-2")], header=header, delimiter=";", bom=True)
    _batch, out = import_file(path=path)
    assert (out.created, out.rejected) == (2, 0)


def test_a_workbook_is_read_with_its_dates_and_numbers(old: Old, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    row: list[object] = list(old.row("QN-1"))
    row[HEADER.index("kenh")] = 2
    row[HEADER.index("trang_thai")] = 9
    row[HEADER.index("ngay_tiep_nhan")] = dt.datetime(2019, 3, 5, 8, 0)  # noqa: DTZ001
    row[HEADER.index("ngay_ket_thuc")] = dt.date(2019, 3, 20)
    sheet.append(row)
    path = tmp_path / "ho-so.xlsx"
    book.save(path)
    _batch, out = import_file(path=path)
    assert (out.created, out.rejected) == (1, 0)
    fact = Fact.objects.get()
    assert (fact.channel, fact.state, fact.outcome) == (2, "processed", "late")
    assert timezone.localtime(fact.received_at).hour == 8


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", NOT_A_TABLE),
        (b"ma_ho_so,kenh\nA,1\n", MISSING_COLUMNS),
    ],
)
def test_a_bad_file_is_refused_whole_and_nothing_is_written(
    old: Old, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationFailed) as caught:
        import_file(path=path)
    assert str(caught.value.message).startswith(str(message).split("{")[0])
    assert not ImportBatch.objects.exists()
    with pytest.raises(ValidationFailed):
        import_batch_create(file_name="x.csv", chunks=[content], actor=None)
    assert not ImportBatch.objects.exists()
    assert not list((tmp_path / "imports").iterdir())


def test_a_dry_run_counts_and_writes_nothing(old: Old, write: Write) -> None:
    _batch, out = import_file(path=write([old.row("A"), old.row("B", kenh="9")]), dry_run=True)
    assert (out.created, out.rejected, out.rejections[0][0]) == (1, 1, 3)
    assert not Fact.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not Rollup.objects.exists()


def test_an_upload_is_audited_queued_and_run_with_progress_per_chunk(
    old: Old,
    write: Write,
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr("motcua.history.services.CHUNK", 3)
    settings.TASKS = {  # type: ignore[attr-defined]
        **settings.TASKS,  # type: ignore[attr-defined]
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"},
    }
    path = write([old.row(f"QN-{i}") for i in range(7)])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = import_batch_create(
            file_name="../ho-so.csv", chunks=[path.read_bytes()], actor=None
        )
    assert len(callbacks) == 1
    assert (batch.state, batch.file_name) == (BatchState.QUEUED, "ho-so.csv")
    audited = AuditEntry.objects.filter(action="history.import_upload", object_id=str(batch.pk))
    assert audited.exists()
    seen: list[tuple[int, int | None]] = []

    def progress(out: object, total: int | None) -> None:
        stored = ImportBatch.objects.get(pk=batch.pk)
        seen.append((stored.rows_done, stored.rows_total))

    done = import_batch_run(batch_id=batch.pk, progress=progress)
    assert done is not None
    assert seen == [(3, 7), (6, 7), (7, 7)]
    assert (done.state, done.created, done.rows_done, done.percent) == (BatchState.DONE, 7, 7, 100)
    assert not Path(done.stored_as).exists()
    # Claimed once: a second runner finds it taken.
    assert import_batch_run(batch_id=batch.pk) is None
