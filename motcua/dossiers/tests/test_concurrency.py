"""Concurrent submissions on PostgreSQL: every code distinct and consecutive."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from motcua.catalog.models import Procedure
from motcua.dossiers.services import dossier_submit
from motcua.testing import OneStopUnitFactory, ProcedureFactory

from .conftest import pdf, required_key


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_consecutive_codes() -> None:
    OneStopUnitFactory(code="000.00.00.H15")
    procedure: Procedure = ProcedureFactory()
    form: dict[str, Any] = {
        "applicant_name": "Lê Văn Tám",
        "applicant_id_number": "048090001111",
        "applicant_phone": "0905000111",
        "applicant_address": "Đà Nẵng",
        "delivery": "counter",
        "eform-child_name": "Lê Văn Bé",
        "eform-birth_date": "2026-01-01",
    }
    key = required_key(procedure)
    codes: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        try:
            barrier.wait()
            result = dossier_submit(procedure_code=procedure.code, data=form, files={key: [pdf()]})
            codes.append(result.dossier.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    numbers = sorted(int(code.rsplit("-", 1)[1]) for code in codes)
    assert numbers == list(range(1, 9))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_with_one_idempotency_key_make_one_dossier(settings: Any) -> None:
    from pathlib import Path

    from motcua.dossiers.models import Dossier

    OneStopUnitFactory(code="000.00.00.H15")
    procedure: Procedure = ProcedureFactory()
    form: dict[str, Any] = {
        "applicant_name": "Lê Văn Tám",
        "applicant_id_number": "048090001111",
        "applicant_phone": "0905000111",
        "applicant_address": "Đà Nẵng",
        "delivery": "counter",
        "eform-child_name": "Lê Văn Bé",
        "eform-birth_date": "2026-01-01",
    }
    key = required_key(procedure)
    results: list[tuple[str, bool]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker() -> None:
        try:
            barrier.wait()
            result = dossier_submit(
                procedure_code=procedure.code,
                data=form,
                files={key: [pdf()]},
                idempotency_key="one-key",
            )
            results.append((result.dossier.code, result.created))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len({code for code, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Dossier.objects.count() == 1
    assert len([p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_kept_file_sent_by_two_submissions_at_once_goes_to_one_dossier(settings: Any) -> None:
    from pathlib import Path

    from motcua.dossiers.files import COMPONENT_MISSING
    from motcua.dossiers.models import Dossier, DossierFile, PendingUpload
    from motcua.dossiers.uploads import KEPT_FILE_GONE, SubmissionInvalid

    OneStopUnitFactory(code="000.00.00.H15")
    procedure: Procedure = ProcedureFactory()
    form: dict[str, Any] = {
        "applicant_name": "Lê Văn Tám",
        "applicant_id_number": "048090001111",
        "applicant_phone": "0905000111",
        "applicant_address": "Đà Nẵng",
        "delivery": "counter",
        "eform-child_name": "Lê Văn Bé",
        "eform-birth_date": "2026-01-01",
    }
    key = required_key(procedure)
    with pytest.raises(SubmissionInvalid) as first:
        dossier_submit(
            procedure_code=procedure.code,
            data={**form, "applicant_phone": "1"},
            files={key: [pdf()]},
            keep_files=True,
        )
    tokens = {key: [f.token for f in first.value.kept[key]]}
    kept_name = str(PendingUpload.objects.get().file)
    codes: list[str] = []
    refusals: list[SubmissionInvalid] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def worker() -> None:
        try:
            barrier.wait()
            result = dossier_submit(
                procedure_code=procedure.code, data=form, files={}, keep_files=True, kept=tokens
            )
            codes.append(result.dossier.code)
        except SubmissionInvalid as exc:
            refusals.append(exc)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(codes) == 1 and len(refusals) == 3
    # Each loser found the token gone at the check, or lost the claim to the winner.
    for refusal in refusals:
        assert [str(m) for m in refusal.field_errors[key]] in (
            [str(COMPONENT_MISSING)],
            [str(KEPT_FILE_GONE)],
        )
        assert refusal.kept == {}
    assert Dossier.objects.count() == 1
    assert str(DossierFile.objects.get().file) == kept_name
    assert not PendingUpload.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    stored = [str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()]
    assert stored == [kept_name]
