"""Processing-time cases: stored with a version, checked, audited, and read by the workflow."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from motcua.audit.models import AuditEntry
from motcua.catalog.cases import (
    CASE_NAME_REQUIRED,
    CASE_SAME_AS_ORDINARY,
    CASE_TIME_INVALID,
    CASE_UNIT_UNKNOWN,
    ORDINARY,
    UNKNOWN_CASE,
    CaseDef,
    ProcessingCaseSpec,
    case_spec_problems,
    time_text,
    version_time_summary,
)
from motcua.catalog.fees import CODE_DUPLICATE, CODE_INVALID
from motcua.catalog.models import ProcedureVersion, ProcessingCase
from motcua.catalog.selectors import case_time, version_case, version_cases
from motcua.catalog.services import (
    procedure_publish_content,
    procedure_publish_version,
    procedure_version_revise,
    version_content,
    version_is_in_use,
    version_snapshot,
)
from motcua.core.errors import NotFound, ValidationFailed

from .conftest import Publish
from .test_services import use_in_a_dossier

pytestmark = pytest.mark.django_db

VERIFICATION = ProcessingCaseSpec(
    code="XAC-MINH",
    name="Trường hợp cần xác minh",
    processing_time_value=Decimal(15),
    note="Đã cư trú ở nhiều nơi, có thời gian cư trú ở nước ngoài, người nước ngoài",
    legal_basis="Luật Lý lịch tư pháp 2009, Điều 48",
)
UNDER_14 = ProcessingCaseSpec(
    code="DUOI-14", name="Người dưới 14 tuổi", processing_time_value=Decimal(3)
)


def judicial_record(publish: Publish, **version: object) -> ProcedureVersion:
    procedure = publish(
        "2.001418.000.00.00.H15",
        "Cấp Phiếu lý lịch tư pháp",
        processing_time_value=Decimal(10),
        **{"processing_cases": [VERIFICATION, UNDER_14], **version},
    )
    assert procedure.current_version is not None
    return procedure.current_version


def test_a_version_keeps_its_cases_in_order_and_publishing_audits_them(publish: Publish) -> None:
    version = judicial_record(publish)

    rows = list(
        ProcessingCase.objects.filter(version=version).values_list(
            "order", "code", "processing_time_value", "processing_time_unit"
        )
    )
    assert rows == [(1, "XAC-MINH", Decimal(15), "days"), (2, "DUOI-14", Decimal(3), "days")]
    assert version_content(version).processing_cases == (VERIFICATION, UNDER_14)
    entry = AuditEntry.objects.get(action="procedure.publish_version")
    assert entry.after is not None
    assert [c["code"] for c in entry.after["processing_cases"]] == ["XAC-MINH", "DUOI-14"]
    assert entry.after["processing_cases"][0]["legal_basis"] == VERIFICATION.legal_basis


@pytest.mark.parametrize(
    ("case", "field", "message"),
    [
        (ProcessingCaseSpec("xác minh", "X", Decimal(15)), "code", CODE_INVALID),
        (ProcessingCaseSpec("", "X", Decimal(15)), "code", CODE_INVALID),
        (ProcessingCaseSpec("X", "  ", Decimal(15)), "name", CASE_NAME_REQUIRED),
        (ProcessingCaseSpec("X", "X", Decimal(0)), "processing_time_value", CASE_TIME_INVALID),
        (ProcessingCaseSpec("X", "X", Decimal(-2)), "processing_time_value", CASE_TIME_INVALID),
        (
            ProcessingCaseSpec("X", "X", Decimal(10_000)),
            "processing_time_value",
            CASE_TIME_INVALID,
        ),
        (
            ProcessingCaseSpec("X", "X", Decimal("2.25")),
            "processing_time_value",
            CASE_TIME_INVALID,
        ),
        (ProcessingCaseSpec("X", "X", Decimal("NaN")), "processing_time_value", CASE_TIME_INVALID),
        (
            ProcessingCaseSpec("X", "X", Decimal(15), "weeks"),
            "processing_time_unit",
            CASE_UNIT_UNKNOWN,
        ),
        (
            ProcessingCaseSpec("X", "X", Decimal("10.0")),
            "processing_time_value",
            CASE_SAME_AS_ORDINARY,
        ),
    ],
)
def test_each_problem_of_a_case_names_its_field(
    case: ProcessingCaseSpec, field: str, message: object
) -> None:
    assert case_spec_problems(case, (Decimal(10), "days")) == [(field, message)]


def test_the_same_number_in_another_unit_is_another_time() -> None:
    hours = ProcessingCaseSpec("GIO", "Khẩn cấp", Decimal(10), "hours")
    assert case_spec_problems(hours, (Decimal(10), "days")) == []
    assert case_spec_problems(UNDER_14, (Decimal(10), "days")) == []  # shorter is a case too


def test_bad_cases_are_refused_with_a_sentence_each_and_nothing_is_written(
    publish: Publish,
) -> None:
    version = judicial_record(publish)
    procedure = version.procedure
    audits = AuditEntry.objects.count()

    with pytest.raises(ValidationFailed) as caught, translation.override("en"):
        procedure_publish_version(
            procedure=procedure,
            name="Cấp Phiếu lý lịch tư pháp",
            processing_time_value=Decimal(10),
            processing_cases=[
                VERIFICATION,
                ProcessingCaseSpec("XAC-MINH", "Trùng mã", Decimal(20)),
                ProcessingCaseSpec("BANG", "", Decimal(10)),
            ],
        )

    with translation.override("en"):
        assert [str(m) for m in caught.value.field_errors["processing_cases"]] == [
            f"Case 2: {CODE_DUPLICATE}",
            f"Case 3: {CASE_NAME_REQUIRED}",
            f"Case 3: {CASE_SAME_AS_ORDINARY}",
        ]
    assert ProcedureVersion.objects.filter(procedure=procedure).count() == 1
    assert ProcessingCase.objects.count() == 2
    assert AuditEntry.objects.count() == audits


def test_a_same_day_procedure_may_take_longer_when_verification_is_needed(
    publish: Publish,
) -> None:
    procedure = publish(
        "1.000894.000.00.21.H15",
        "Đăng ký kết hôn",
        processing_time_value=0,
        same_day_cutoff_applies=True,
        processing_cases=[ProcessingCaseSpec("XAC-MINH", "Cần xác minh", Decimal(5))],
    )
    assert procedure.current_version is not None

    cases = version_cases(procedure.current_version.pk)

    assert [(c.code, c.value, c.same_day_cutoff_applies) for c in cases] == [
        (ORDINARY, Decimal(0), True),
        ("XAC-MINH", Decimal(5), False),
    ]
    with translation.override("vi"):
        assert version_time_summary(procedure.current_version) == (
            "Trong ngày; cần xác minh: 5 ngày làm việc"
        )


def test_correcting_a_case_of_a_version_no_dossier_uses_is_audited(publish: Publish) -> None:
    version = judicial_record(publish)
    before = version_snapshot(version)
    ProcessingCase.objects.filter(version=version, code="XAC-MINH").update(
        processing_time_value=Decimal(20)
    )

    procedure_version_revise(version=version, before=before)

    entry = AuditEntry.objects.get(action="procedure_version.revise")
    assert entry.before is not None and entry.after is not None
    assert entry.before["processing_cases"][0]["processing_time_value"] == "15.0"
    assert entry.after["processing_cases"][0]["processing_time_value"] == "20.0"


def test_a_revised_case_is_checked_like_a_published_one(publish: Publish) -> None:
    version = judicial_record(publish)
    ProcessingCase.objects.filter(version=version, code="DUOI-14").update(
        processing_time_value=Decimal(10)
    )

    with pytest.raises(ValidationFailed) as caught:
        procedure_version_revise(version=version)

    assert list(caught.value.field_errors) == ["processing_cases"]
    assert not AuditEntry.objects.filter(action="procedure_version.revise").exists()


def test_cases_do_not_make_a_version_in_use(publish: Publish) -> None:
    version = judicial_record(publish)
    assert not version_is_in_use(version)
    use_in_a_dossier(version)
    assert version_is_in_use(version)


def test_the_workflow_reads_the_ordinary_case_first_then_the_others(publish: Publish) -> None:
    version = judicial_record(publish)

    cases = version_cases(version.pk)

    assert cases == (
        CaseDef(code="", name="", value=Decimal(10), unit="days"),
        CaseDef(
            code="XAC-MINH",
            name="Trường hợp cần xác minh",
            value=Decimal(15),
            unit="days",
            order=1,
            note=VERIFICATION.note,
            legal_basis=VERIFICATION.legal_basis,
        ),
        CaseDef(code="DUOI-14", name="Người dưới 14 tuổi", value=Decimal(3), unit="days", order=2),
    )
    assert case_time(version.pk, ORDINARY) == (Decimal(10), "days")
    assert case_time(version.pk, "XAC-MINH") == (Decimal(15), "days")
    with translation.override("en"):
        assert cases[0].label == "Ordinary case"  # the Vietnamese is in the lead's .po block
    with translation.override("vi"):
        assert cases[1].label == "Trường hợp cần xác minh"
        assert cases[1].text == "15 ngày làm việc"


def test_a_version_no_dossier_uses_is_read_every_time(publish: Publish) -> None:
    version = judicial_record(publish)
    version_cases(version.pk)
    ProcessingCase.objects.filter(code="XAC-MINH").update(processing_time_value=Decimal(20))

    assert case_time(version.pk, "XAC-MINH") == (Decimal(20), "days")


def test_a_version_in_use_is_kept_in_the_cache(publish: Publish) -> None:
    version = judicial_record(publish)
    use_in_a_dossier(version)
    first = version_cases(version.pk)
    # Not possible through the services (the version is in use): proves the read is kept.
    ProcessingCase.objects.filter(code="XAC-MINH").update(processing_time_value=Decimal(20))

    with CaptureQueriesContext(connection) as queries:
        again = version_cases(version.pk)
        time = case_time(version.pk, "XAC-MINH")

    assert again == first
    assert time == (Decimal(15), "days")
    assert len(queries) == 0


def test_an_unknown_case_or_version_is_an_error(publish: Publish) -> None:
    version = judicial_record(publish)

    with pytest.raises(ValidationFailed) as caught:
        version_case(version.pk, "KHAC")
    assert caught.value.field_errors == {"case": [UNKNOWN_CASE]}
    with pytest.raises(NotFound):
        version_cases(version.pk + 1000)


def test_the_legal_time_with_its_cases_reads_as_one_line(publish: Publish) -> None:
    version = judicial_record(publish)

    with translation.override("vi"):
        vi = version_time_summary(version)
    with translation.override("en"):
        en = version_time_summary(version)

    assert vi == (
        "10 ngày làm việc; trường hợp cần xác minh: 15 ngày làm việc; "
        "người dưới 14 tuổi: 3 ngày làm việc"
    )
    assert en == (
        "10 working days; trường hợp cần xác minh: 15 working days; "
        "người dưới 14 tuổi: 3 working days"
    )


def test_times_read_as_people_say_them() -> None:
    with translation.override("vi"):
        assert time_text(Decimal(0), "days") == "Trong ngày"
        assert time_text(Decimal("4.0"), "hours") == "4 giờ làm việc"
        assert time_text(Decimal("1.5"), "days") == "1,5 ngày làm việc"


def test_a_copy_of_a_version_keeps_its_cases(publish: Publish) -> None:
    version = judicial_record(publish)

    copy = procedure_publish_content(procedure=version.procedure, content=version_content(version))

    assert copy.number == 2
    assert version_content(copy).processing_cases == (VERIFICATION, UNDER_14)


@pytest.mark.parametrize(
    "row",
    [
        {"code": "XAC-MINH", "processing_time_value": Decimal(20)},  # the code is taken
        {"code": "KHAC", "processing_time_value": Decimal(0)},
        {"code": "KHAC", "processing_time_value": Decimal(10_000)},
    ],
)
def test_the_database_refuses_what_the_services_refuse(
    publish: Publish, row: dict[str, object]
) -> None:
    version = judicial_record(publish)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProcessingCase.objects.create(version=version, name="Trường hợp khác", **row)
