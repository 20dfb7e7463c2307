"""Kept uploads: a refused submission keeps its good files, the next one uses them, once."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import LazySettings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.core.errors import ValidationFailed
from motcua.dossiers import uploads
from motcua.dossiers.files import BAD_FILE_TYPE, COMPONENT_MISSING
from motcua.dossiers.models import Channel, Dossier, DossierFile, PendingUpload
from motcua.dossiers.services import BAD_PHONE, SubmitResult, dossier_submit
from motcua.dossiers.uploads import (
    KEPT_FILE_GONE,
    KeptFile,
    SubmissionInvalid,
    pending_uploads_sweep,
)
from motcua.testing import ProcedureFactory, ProcedureVersionFactory, pdf_bytes

from .conftest import PDF, optional_key, pdf, required_key

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=VN)
HOUR = dt.timedelta(hours=1)


def files_in(root: Any) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


def submit(
    procedure: Procedure,
    form: dict[str, Any],
    files: dict[str, list[Any]] | None = None,
    kept: dict[str, list[str]] | None = None,
    *,
    keep_files: bool = True,
    now: dt.datetime = NOW,
    **extra: Any,
) -> SubmitResult:
    return dossier_submit(
        procedure_code=procedure.code,
        data=form,
        files=files or {},
        keep_files=keep_files,
        kept=kept,
        now=now,
        **extra,
    )


def refused(procedure: Procedure, form: dict[str, Any], **kwargs: Any) -> SubmissionInvalid:
    """Submit with a bad phone number; return the refusal."""
    with pytest.raises(SubmissionInvalid) as caught:
        submit(procedure, {**form, "applicant_phone": "12"}, **kwargs)
    return caught.value


def tokens(error: SubmissionInvalid) -> dict[str, list[str]]:
    return {key: [f.token for f in files] for key, files in error.kept.items()}


def test_a_refused_submission_keeps_the_files_that_passed_their_checks(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    required, optional = required_key(procedure), optional_key(procedure)
    not_a_pdf = SimpleUploadedFile("giay-chung-sinh.pdf", b"hello", "application/pdf")

    error = refused(procedure, form, files={required: [pdf()], optional: [not_a_pdf]})

    assert error.field_errors["applicant_phone"] == [BAD_PHONE]
    assert error.field_errors[optional] == [BAD_FILE_TYPE]
    assert list(error.kept) == [required]
    (kept,) = error.kept[required]
    assert (kept.original_name, kept.size) == ("to-khai.pdf", len(PDF))
    row = PendingUpload.objects.get()
    assert row.token == kept.token and len(kept.token) >= 43
    assert (row.channel, row.kept_by, row.created_at) == (Channel.ONLINE, None, NOW)
    assert row.component_id == int(required.split("-")[1])
    assert str(row.file).startswith("pending/") and "to-khai" not in str(row.file)
    assert row.file.read() == PDF
    assert (row.sha256, row.pages, row.content_type) == (
        hashlib.sha256(PDF).hexdigest(),
        1,
        "application/pdf",
    )
    assert [p.name for p in files_in(settings.MEDIA_ROOT)] == [Path(str(row.file)).name]
    assert not Dossier.objects.exists()


def test_without_keep_files_a_refusal_keeps_nothing(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        submit(
            procedure,
            {**form, "applicant_phone": "12"},
            {required_key(procedure): [pdf()]},
            keep_files=False,
        )
    assert not isinstance(caught.value, SubmissionInvalid)
    assert not PendingUpload.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


def test_a_kept_file_counts_as_uploaded_again_and_becomes_the_dossiers_file(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    required = required_key(procedure)
    error = refused(procedure, form, files={required: [pdf()]})
    row = PendingUpload.objects.get()

    dossier = submit(procedure, form, kept=tokens(error)).dossier

    stored = DossierFile.objects.get(component__dossier=dossier)
    assert stored.file.name == row.file.name  # not stored again
    assert (stored.original_name, stored.size, stored.sha256, stored.pages) == (
        "to-khai.pdf",
        len(PDF),
        row.sha256,
        1,
    )
    assert stored.file.read() == PDF
    assert stored.component.is_digitised
    assert not PendingUpload.objects.exists()
    assert len(files_in(settings.MEDIA_ROOT)) == 1


def test_a_token_is_used_once(procedure: Procedure, form: dict[str, Any]) -> None:
    required = required_key(procedure)
    error = refused(procedure, form, files={required: [pdf()]})
    submit(procedure, form, kept=tokens(error))

    with pytest.raises(SubmissionInvalid) as again:
        submit(procedure, form, kept=tokens(error))

    assert again.value.field_errors[required] == [COMPONENT_MISSING]
    assert again.value.kept == {}
    assert Dossier.objects.count() == 1


def test_on_another_failure_the_kept_files_stay_kept_with_the_new_ones(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    required, optional = required_key(procedure), optional_key(procedure)
    first = refused(procedure, form, files={required: [pdf()]})
    photo = SimpleUploadedFile("giay-chung-sinh.pdf", pdf_bytes("chung sinh"), "application/pdf")

    second = refused(procedure, form, files={optional: [photo]}, kept=tokens(first))

    assert tokens(second)[required] == tokens(first)[required]
    assert [f.original_name for f in second.kept[optional]] == ["giay-chung-sinh.pdf"]
    assert PendingUpload.objects.count() == 2
    dossier = submit(procedure, form, kept=tokens(second)).dossier
    names = DossierFile.objects.filter(component__dossier=dossier).values_list(
        "original_name", flat=True
    )
    assert sorted(names) == ["giay-chung-sinh.pdf", "to-khai.pdf"]


def test_unticked_kept_files_are_left_out(procedure: Procedure, form: dict[str, Any]) -> None:
    required, optional = required_key(procedure), optional_key(procedure)
    error = refused(
        procedure, form, files={required: [pdf()], optional: [pdf("giay-chung-sinh.pdf")]}
    )

    dossier = submit(procedure, form, kept={required: tokens(error)[required]}).dossier

    names = DossierFile.objects.filter(component__dossier=dossier).values_list(
        "original_name", flat=True
    )
    assert list(names) == ["to-khai.pdf"]
    left = PendingUpload.objects.get()  # swept when it expires
    assert left.original_name == "giay-chung-sinh.pdf"


def test_a_token_of_another_procedure_is_ignored(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    other = ProcedureFactory(name="Đăng ký kết hôn")
    error = refused(other, {**form, "procedure": other.code}, files={required_key(other): [pdf()]})
    (token,) = tokens(error)[required_key(other)]
    required = required_key(procedure)

    for kept in ({required: [token]}, {required_key(other): [token]}):
        with pytest.raises(SubmissionInvalid) as caught:
            submit(procedure, form, kept=kept)
        assert caught.value.field_errors[required] == [COMPONENT_MISSING]
        assert caught.value.kept == {}
    assert PendingUpload.objects.filter(token=token).exists()


def test_a_token_kept_for_an_earlier_version_of_the_procedure_is_ignored(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    old_key = required_key(procedure)
    error = refused(procedure, form, files={old_key: [pdf()]})
    procedure.current_version = ProcedureVersionFactory(procedure=procedure, name=procedure.name)
    procedure.save()

    with pytest.raises(SubmissionInvalid) as caught:
        submit(procedure, form, kept={required_key(procedure): tokens(error)[old_key]})

    assert caught.value.field_errors[required_key(procedure)] == [COMPONENT_MISSING]


def test_a_token_under_another_component_is_ignored(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    required, optional = required_key(procedure), optional_key(procedure)
    error = refused(procedure, form, files={optional: [pdf()]})

    with pytest.raises(SubmissionInvalid) as caught:
        submit(procedure, form, kept={required: tokens(error)[optional]})

    assert caught.value.field_errors[required] == [COMPONENT_MISSING]


def test_an_expired_token_is_ignored(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    settings.MOTCUA_KEPT_UPLOADS_HOURS = 2
    required = required_key(procedure)
    error = refused(procedure, form, files={required: [pdf()]})

    with pytest.raises(SubmissionInvalid) as late:
        submit(procedure, form, kept=tokens(error), now=NOW + 2 * HOUR)

    assert late.value.field_errors[required] == [COMPONENT_MISSING]
    assert submit(procedure, form, kept=tokens(error), now=NOW + HOUR).created


def test_tokens_count_only_where_the_page_keeps_files(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    error = refused(procedure, form, files={required_key(procedure): [pdf()]})

    with pytest.raises(ValidationFailed) as caught:
        submit(procedure, form, kept=tokens(error), keep_files=False)

    assert caught.value.field_errors[required_key(procedure)] == [COMPONENT_MISSING]


def test_a_kept_file_counts_towards_the_most_files_of_a_dossier(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    from motcua.core.errors import PayloadTooLarge

    required = required_key(procedure)
    error = refused(procedure, form, files={required: [pdf(), pdf("trang-2.pdf")]})
    settings.MOTCUA_MAX_FILES = 2

    with pytest.raises(PayloadTooLarge):
        submit(procedure, form, {required: [pdf("trang-3.pdf")]}, tokens(error))


def test_a_kept_file_taken_meanwhile_refuses_the_submission_and_writes_nothing(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    required, optional = required_key(procedure), optional_key(procedure)
    error = refused(procedure, form, files={required: [pdf()]})
    usable = uploads.pending_uploads_usable

    def taken_meanwhile(**kwargs: Any) -> Any:
        found = usable(**kwargs)
        PendingUpload.objects.all().delete()  # another request used the token
        return found

    with (
        mock.patch.object(uploads, "pending_uploads_usable", taken_meanwhile),
        pytest.raises(SubmissionInvalid) as caught,
    ):
        submit(procedure, form, {optional: [pdf("giay-chung-sinh.pdf")]}, tokens(error))

    assert caught.value.field_errors == {required: [KEPT_FILE_GONE]}
    assert list(caught.value.kept) == [optional]  # the new file is kept, the taken one not
    assert not Dossier.objects.exists()
    assert PendingUpload.objects.get().original_name == "giay-chung-sinh.pdf"


def test_a_retry_with_the_same_file_is_the_same_submission(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    required = required_key(procedure)
    error = refused(procedure, form, files={required: [pdf()]})
    first = submit(procedure, form, kept=tokens(error), idempotency_key="k")

    again = submit(procedure, form, {required: [pdf()]}, idempotency_key="k")

    assert (again.created, again.dossier) == (False, first.dossier)


@pytest.mark.parametrize("failing", ["storage", "database"])
def test_when_keeping_fails_the_refusal_stands_and_no_file_is_left(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings, failing: str
) -> None:
    required, optional = required_key(procedure), optional_key(procedure)
    saved = default_storage.save
    calls: list[str] = []

    def second_save_fails(name: str, content: Any, **kwargs: Any) -> str:
        calls.append(name)
        if len(calls) == 2:
            raise OSError("disk full")
        return saved(name, content, **kwargs)

    patched = (
        mock.patch.object(default_storage, "save", second_save_fails)
        if failing == "storage"
        else mock.patch.object(
            PendingUpload.objects, "bulk_create", side_effect=DatabaseError("down")
        )
    )
    with patched:
        error = refused(
            procedure, form, files={required: [pdf()], optional: [pdf("giay-chung-sinh.pdf")]}
        )

    assert error.field_errors["applicant_phone"] == [BAD_PHONE]
    assert error.kept == {}
    assert not PendingUpload.objects.exists()
    assert files_in(settings.MEDIA_ROOT) == []


# --- The sweeper --------------------------------------------------------------------------------


def kept_at(procedure: Procedure, form: dict[str, Any], at: dt.datetime) -> PendingUpload:
    refused(procedure, form, files={required_key(procedure): [pdf()]}, now=at)
    return PendingUpload.objects.latest("id")


def aged(name: str, at: dt.datetime) -> None:
    """Set a stored file's modification time, as if it had been written at ``at``."""
    stamp = at.timestamp()
    os.utime(default_storage.path(name), (stamp, stamp))


def test_the_sweeper_removes_expired_kept_uploads_and_their_files_and_keeps_fresh_ones(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    old = kept_at(procedure, form, NOW - 25 * HOUR)
    fresh = kept_at(procedure, form, NOW - 23 * HOUR)
    aged(str(old.file), NOW - 25 * HOUR)
    aged(str(fresh.file), NOW - 23 * HOUR)

    report = pending_uploads_sweep(now=NOW)

    assert report == uploads.SweepReport(expired=1, orphans=0)
    assert list(PendingUpload.objects.all()) == [fresh]
    assert not default_storage.exists(str(old.file))
    assert default_storage.exists(str(fresh.file))


def test_the_sweeper_removes_old_files_without_a_row_but_never_a_dossiers_file(
    procedure: Procedure, form: dict[str, Any], settings: LazySettings
) -> None:
    # A crash between storing and recording: files under pending/ that no row holds.
    lost = default_storage.save("pending/2026/11/21/lost.pdf", ContentFile(PDF))
    recent = default_storage.save("pending/2026/11/23/recent.pdf", ContentFile(PDF))
    aged(lost, NOW - 48 * HOUR)
    aged(recent, NOW - HOUR)
    # A kept file a dossier took stays where it was kept, with no kept-upload row.
    error = refused(procedure, form, files={required_key(procedure): [pdf()]}, now=NOW - 30 * HOUR)
    dossier = submit(procedure, form, kept=tokens(error), now=NOW - 29 * HOUR).dossier
    taken = str(DossierFile.objects.get(component__dossier=dossier).file)
    assert taken.startswith("pending/")
    aged(taken, NOW - 30 * HOUR)

    report = pending_uploads_sweep(now=NOW)

    assert report == uploads.SweepReport(expired=0, orphans=1)
    assert not default_storage.exists(lost)
    assert default_storage.exists(recent)
    assert default_storage.exists(taken)


def test_the_sweeper_works_in_batches(
    procedure: Procedure, form: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(uploads, "BATCH", 2)
    names = [default_storage.save(f"pending/x/{n}.pdf", ContentFile(PDF)) for n in range(3)]
    for name in names:
        aged(name, NOW - 48 * HOUR)
    for _ in range(5):
        kept_at(procedure, form, NOW - 25 * HOUR)

    assert pending_uploads_sweep(now=NOW) == uploads.SweepReport(expired=5, orphans=3)
    assert not PendingUpload.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_the_sweeper_has_nothing_to_do_without_a_pending_folder(db: None) -> None:
    assert pending_uploads_sweep(now=NOW) == uploads.SweepReport(expired=0, orphans=0)


def test_the_command_and_the_worker_loop_sweep(
    procedure: Procedure, form: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    now = timezone.now()
    kept_at(procedure, form, now - 25 * HOUR)
    kept_at(procedure, form, now - 25 * HOUR)

    call_command("sweep_kept_uploads")
    assert "kept uploads expired: 2, orphan files: 0" in capsys.readouterr().out

    kept_at(procedure, form, now - 25 * HOUR)
    fresh = kept_at(procedure, form, now)
    call_command("run_reminders", "--times", "1")
    assert "kept uploads expired: 1" in capsys.readouterr().out
    assert list(PendingUpload.objects.all()) == [fresh]


def test_a_failing_sweep_does_not_stop_the_reminders(
    capsys: pytest.CaptureFixture[str], db: None
) -> None:
    from motcua.dossiers.management.commands import sweep_kept_uploads

    failing = mock.patch.object(
        sweep_kept_uploads, "pending_uploads_sweep", side_effect=OSError("storage")
    )
    with failing:
        call_command("run_reminders", "--times", "1")
    assert "reminders enqueued" in capsys.readouterr().out


def test_kept_files_are_listed_for_a_page_only_while_usable(
    procedure: Procedure, form: dict[str, Any]
) -> None:
    required = required_key(procedure)
    error = refused(procedure, form, files={required: [pdf()]}, now=timezone.now())
    version = procedure.current_version
    assert version is not None

    listed = uploads.kept_files_listed(
        version=version, tokens=tokens(error), channel=Channel.ONLINE
    )
    at_counter = uploads.kept_files_listed(
        version=version, tokens=tokens(error), channel=Channel.COUNTER
    )

    assert listed == {required: [KeptFile(tokens(error)[required][0], "to-khai.pdf", len(PDF))]}
    assert at_counter == {}
    PendingUpload.objects.update(created_at=timezone.now() - 25 * HOUR)
    assert (
        uploads.kept_files_listed(version=version, tokens=tokens(error), channel=Channel.ONLINE)
        == {}
    )
