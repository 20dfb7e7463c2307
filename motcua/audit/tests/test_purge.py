"""Reads are kept as long as the province sets, then purged daily; the purge is recorded."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from motcua.audit.models import AuditEntry, AuditKind
from motcua.audit.services import PURGE_ACTION, audit_purge

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 12, 6, 3, 0, tzinfo=dt.UTC)


def entry(kind: str, days_old: float, action: str = "x") -> AuditEntry:
    return AuditEntry.objects.create(
        at=NOW - dt.timedelta(days=days_old),
        kind=kind,
        action=action,
        object_type="dossiers.dossier",
        object_id="1",
    )


def left() -> set[tuple[str, str]]:
    return {(e.kind, e.action) for e in AuditEntry.objects.all()}


def test_reads_older_than_the_retention_go_and_the_purge_is_recorded(settings: Any) -> None:
    settings.MOTCUA_AUDIT_READ_RETENTION_DAYS = 30
    settings.MOTCUA_AUDIT_CHANGE_RETENTION_DAYS = 0
    entry(AuditKind.READ, 31, "old read")
    entry(AuditKind.READ, 30.5, "old read too")
    entry(AuditKind.READ, 29, "recent read")
    entry(AuditKind.CHANGE, 400, "old change")
    entry(AuditKind.ACCESS, 400, "old sign-in")

    [report] = audit_purge(now=NOW)

    assert report.deleted == 2
    assert report.kinds == ("read",)
    assert report.before == NOW - dt.timedelta(days=30)
    purge = AuditEntry.objects.get(action=PURGE_ACTION)
    assert purge.kind == AuditKind.CHANGE
    assert purge.at == NOW
    assert purge.actor is None
    assert purge.after == {
        "kinds": ["read"],
        "before": (NOW - dt.timedelta(days=30)).isoformat(),
        "deleted": 2,
        "days": 30,
    }
    assert left() == {
        ("read", "recent read"),
        ("change", "old change"),
        ("access", "old sign-in"),
        ("change", PURGE_ACTION),
    }


def test_a_purge_with_nothing_to_delete_records_nothing(settings: Any) -> None:
    settings.MOTCUA_AUDIT_READ_RETENTION_DAYS = 30
    entry(AuditKind.READ, 1)
    [report] = audit_purge(now=NOW)
    assert report.deleted == 0
    assert not AuditEntry.objects.filter(action=PURGE_ACTION).exists()


def test_changes_are_purged_only_when_their_own_setting_says_so(settings: Any) -> None:
    settings.MOTCUA_AUDIT_READ_RETENTION_DAYS = 0  # reads kept for ever
    settings.MOTCUA_AUDIT_CHANGE_RETENTION_DAYS = 3650
    entry(AuditKind.READ, 5000, "very old read")
    entry(AuditKind.CHANGE, 3651, "old change")
    entry(AuditKind.ACCESS, 3651, "old sign-in")
    entry(AuditKind.CHANGE, 3649, "recent change")

    [report] = audit_purge(now=NOW)

    assert (report.kinds, report.deleted) == (("change", "access"), 2)
    assert left() == {
        ("read", "very old read"),
        ("change", "recent change"),
        ("change", PURGE_ACTION),
    }


def test_no_retention_purges_nothing(settings: Any) -> None:
    settings.MOTCUA_AUDIT_READ_RETENTION_DAYS = 0
    settings.MOTCUA_AUDIT_CHANGE_RETENTION_DAYS = 0
    entry(AuditKind.READ, 5000)
    assert audit_purge(now=NOW) == []
    assert AuditEntry.objects.count() == 1


def test_the_purge_is_the_only_way_out(settings: Any) -> None:
    entry(AuditKind.READ, 5000)
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(kind=AuditKind.READ).delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(kind=AuditKind.READ).update(note="x")
    assert AuditEntry.objects.count() == 1


def test_the_default_keeps_reads_a_year_and_changes_for_ever() -> None:
    from django.conf import settings

    assert settings.MOTCUA_AUDIT_READ_RETENTION_DAYS == 365
    assert settings.MOTCUA_AUDIT_CHANGE_RETENTION_DAYS == 0


def test_the_command_purges_and_says_how_many(settings: Any) -> None:
    settings.MOTCUA_AUDIT_READ_RETENTION_DAYS = 10
    AuditEntry.objects.create(
        at=timezone.now() - dt.timedelta(days=11),
        kind=AuditKind.READ,
        action="old",
        object_type="x",
    )
    out = io.StringIO()
    call_command("purge_audit_log", stdout=out)
    assert "audit log: 1 read entries before" in out.getvalue()
    assert not AuditEntry.objects.filter(action="old").exists()
    settings.MOTCUA_AUDIT_READ_RETENTION_DAYS = 0
    out = io.StringIO()
    call_command("purge_audit_log", stdout=out)
    assert "nothing is purged" in out.getvalue()


def test_run_reminders_purges_the_audit_log_once_a_day() -> None:
    calls: list[str] = []

    def command(name: str, *args: Any, **kwargs: Any) -> None:
        calls.append(name)

    with (
        mock.patch(
            "motcua.workflow.management.commands.run_reminders.call_command", side_effect=command
        ),
        mock.patch("motcua.workflow.management.commands.run_reminders.time.sleep"),
    ):
        call_command("run_reminders", times=3, every=1, stdout=io.StringIO())
    assert calls.count("purge_audit_log") == 1
    assert calls.count("prune_db_task_results") == 1


def test_a_failing_purge_does_not_stop_the_reminders(caplog: pytest.LogCaptureFixture) -> None:
    def command(name: str, *args: Any, **kwargs: Any) -> None:
        if name == "purge_audit_log":
            raise RuntimeError("database gone")

    with (
        mock.patch(
            "motcua.workflow.management.commands.run_reminders.call_command", side_effect=command
        ),
        mock.patch("motcua.workflow.management.commands.run_reminders.time.sleep"),
    ):
        call_command("run_reminders", times=2, every=1, stdout=io.StringIO())
    assert "purging the audit log failed" in caplog.text
