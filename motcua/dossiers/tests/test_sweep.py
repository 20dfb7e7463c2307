"""The sweep of files a crash left: stored files without a row, temporary uploads."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.models import DossierFile, PendingUpload
from motcua.dossiers.sweep import OrphanReport, _ends_before, held_names, orphan_files_sweep

from .conftest import PDF, pdf, required_key
from .test_uploads import refused, submit, tokens

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def aged(name: str, age: dt.timedelta) -> None:
    """Set a stored file's modification time ``age`` ago."""
    stamp = (timezone.now() - age).timestamp()
    os.utime(default_storage.path(name), (stamp, stamp))


def today(folder: str) -> str:
    return f"{folder}/{timezone.now():%Y/%m/%d}"


@pytest.fixture
def temp_dir(settings: Any, tmp_path: Path) -> Path:
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    return tmp_path / "uploads"


def test_old_files_no_row_holds_are_removed_and_held_or_recent_ones_kept(
    procedure: Procedure, form: dict[str, Any], temp_dir: Path
) -> None:
    now = timezone.now()
    dossier = submit(procedure, form, files={required_key(procedure): [pdf()]}, now=now).dossier
    held = str(DossierFile.objects.get(component__dossier=dossier).file)
    refused(procedure, form, files={required_key(procedure): [pdf()]}, now=now)
    kept = str(PendingUpload.objects.get().file)
    lost = [
        default_storage.save(f"{today(folder)}/lost.pdf", ContentFile(PDF))
        for folder in ("dossiers", "results", "pending")
    ]
    recent = default_storage.save(f"{today('dossiers')}/being-recorded.pdf", ContentFile(PDF))
    for name in (held, kept, *lost):
        aged(name, 2 * HOUR)
    aged(recent, HOUR / 2)

    report = orphan_files_sweep()

    assert report == OrphanReport(stored=3, temporary=0)
    assert not any(default_storage.exists(name) for name in lost)
    assert all(default_storage.exists(name) for name in (held, kept, recent))


def test_a_kept_file_a_dossier_took_is_held_by_the_dossiers_row(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    now = timezone.now()
    error = refused(procedure, form, files={required_key(procedure): [pdf()]}, now=now)
    dossier = submit(procedure, form, kept=tokens(error), now=now).dossier
    taken = str(DossierFile.objects.get(component__dossier=dossier).file)
    assert taken.startswith("pending/") and not PendingUpload.objects.exists()
    assert held_names([taken, "pending/nobody.pdf"]) == {taken}


def test_old_temporary_uploads_are_removed_and_those_being_written_kept(temp_dir: Path) -> None:
    old, fresh = temp_dir / "tmpa.upload.pdf", temp_dir / "tmpb.upload.pdf"
    old.write_bytes(PDF)
    fresh.write_bytes(PDF)
    stamp = (timezone.now() - 2 * HOUR).timestamp()
    os.utime(old, (stamp, stamp))

    assert orphan_files_sweep() == OrphanReport(stored=0, temporary=1)
    assert list(temp_dir.iterdir()) == [fresh]


def test_a_grace_of_zero_removes_every_file_without_a_row(temp_dir: Path) -> None:
    name = default_storage.save(f"{today('dossiers')}/lost.pdf", ContentFile(PDF))
    (temp_dir / "tmpc.upload").write_bytes(PDF)
    later = timezone.now() + dt.timedelta(seconds=1)  # mtimes may be a little ahead of now

    report = orphan_files_sweep(now=later, grace=dt.timedelta(0))

    assert report == OrphanReport(stored=1, temporary=1)
    assert not default_storage.exists(name)


def test_the_hourly_sweep_reads_recent_dated_folders_and_all_reads_every_one(db: None) -> None:
    ancient = default_storage.save("dossiers/2019/03/04/lost.pdf", ContentFile(PDF))
    aged(ancient, dt.timedelta(days=365))

    assert orphan_files_sweep().stored == 0
    assert default_storage.exists(ancient)
    assert orphan_files_sweep(everything=True).stored == 1
    assert not default_storage.exists(ancient)


@pytest.mark.parametrize(
    ("path", "ends_before"),
    [
        ("dossiers/2026/12/05", True),
        ("dossiers/2026/12/06", False),
        ("results/2026/11", True),
        ("results/2026/12", False),
        ("dossiers/2025", True),
        ("dossiers/2026", False),
        ("pending/x", False),
        ("dossiers/2026/13", False),  # not a date: read
    ],
)
def test_dated_folders_before_the_recent_days_are_left_out(path: str, ends_before: bool) -> None:
    assert _ends_before(path, dt.date(2026, 12, 6)) is ends_before


def test_the_command_and_the_worker_loop_sweep(
    temp_dir: Path, capsys: pytest.CaptureFixture[str], db: None
) -> None:
    name = default_storage.save(f"{today('dossiers')}/lost.pdf", ContentFile(PDF))
    aged(name, 2 * HOUR)
    call_command("sweep_orphan_files")
    assert "stored files without a row: 1, temporary uploads: 0" in capsys.readouterr().out

    name = default_storage.save(f"{today('results')}/lost.pdf", ContentFile(PDF))
    aged(name, 2 * HOUR)
    call_command("run_reminders", "--times", "1")
    assert "stored files without a row: 1" in capsys.readouterr().out
    assert not default_storage.exists(name)
