"""The catalogue's history: written on every change path, read as of any date."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from motcua.audit.models import AuditEntry
from motcua.catalog.history import (
    SCHEME_CURRENT,
    SCHEME_LEGACY,
    ProvisionState,
    online_provision,
    procedure_provision_record,
    procedures_published_between,
)
from motcua.catalog.importing import catalog_import
from motcua.catalog.models import (
    OnlineLevel,
    Procedure,
    ProcedureProvision,
    ProvisionSource,
)
from motcua.catalog.services import procedure_update
from motcua.organisation.models import Agency, GovernmentLevel
from motcua.territory.models import UnitEra
from motcua.testing import AgencyFactory, ProcedureFactory, ProvinceFactory, UserFactory

from .conftest import Publish
from .test_importing import record

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def rows(procedure: Procedure) -> list[tuple[Any, ...]]:
    return list(
        ProcedureProvision.objects.filter(procedure=procedure)
        .order_by("valid_from")
        .values_list("valid_from", "valid_to", "online_level", "is_published", "source")
    )


def state(agency: Agency, online: str = "", legacy: int | None = None, **kw: Any) -> ProvisionState:
    return ProvisionState(
        online_level=online,
        legacy_online_level=legacy,
        is_published=kw.get("published", True),
        agency_id=agency.pk,
        level=kw.get("level", GovernmentLevel.PROVINCE),
    )


def test_creating_a_procedure_begins_its_history_today(publish: Publish) -> None:
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    assert rows(procedure) == [(TODAY(), None, "full", True, ProvisionSource.CATALOG)]


def test_a_change_of_online_level_closes_the_row_and_opens_one(
    publish: Publish, tu_phap: Agency
) -> None:
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    ProcedureProvision.objects.filter(procedure=procedure).update(valid_from=dt.date(2024, 1, 1))
    admin = UserFactory()
    procedure_update(procedure=procedure, online_level=OnlineLevel.PARTIAL, actor=admin)
    assert rows(procedure) == [
        (dt.date(2024, 1, 1), TODAY(), "full", True, "catalog"),
        (TODAY(), None, "partial", True, "catalog"),
    ]
    entry = AuditEntry.objects.get(action="procedure.provision_record", actor=admin)
    assert entry.before is not None and entry.before["rows"][0]["online_level"] == "full"
    # A second change the same day replaces today's row: no empty period.
    procedure_update(procedure=procedure, online_level=OnlineLevel.NONE, is_published=False)
    assert rows(procedure)[-1] == (TODAY(), None, "none", False, "catalog")
    assert len(rows(procedure)) == 2


def test_a_change_of_other_fields_writes_no_history(publish: Publish) -> None:
    procedure = publish("1.001193.000.00.00.H15", "Đăng ký khai sinh")
    procedure_update(procedure=procedure, accepts_post=True)
    assert len(rows(procedure)) == 1


def test_the_catalogue_import_writes_history_on_create_and_on_change(tu_phap: Agency) -> None:
    catalog_import(rows=[("1", record(tu_phap))])
    procedure = Procedure.objects.get()
    assert rows(procedure) == [(TODAY(), None, "full", True, "catalog")]
    catalog_import(rows=[("1", record(tu_phap, online_level="partial"))])
    assert rows(procedure) == [(TODAY(), None, "partial", True, "catalog")]


def test_the_admin_writes_history_when_it_adds_a_procedure(client: Client, tu_phap: Agency) -> None:
    from motcua.catalog.models import Field

    field = Field.objects.create(code="ho-tich", name="Hộ tịch")
    client.force_login(User.objects.create_superuser("admin", "admin@example.vn", "x"))
    response = client.post(
        "/admin/catalog/procedure/add/",
        {
            "code": "1.001193.000.00.00.H15",
            "national_code": "1.001193",
            "name": "Đăng ký khai sinh",
            "field": field.pk,
            "agency": tu_phap.pk,
            "level": "province",
            "online_level": "partial",
            "accepts_counter": "on",
            "is_published": "on",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "provisions-TOTAL_FORMS": "0",
            "provisions-INITIAL_FORMS": "0",
            "provisions-MIN_NUM_FORMS": "0",
            "provisions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    procedure = Procedure.objects.get()
    assert rows(procedure) == [(TODAY(), None, "partial", True, "catalog")]
    assert ProcedureProvision.objects.get().recorded_by is not None


def test_a_period_cuts_the_rows_it_overlaps_and_running_it_twice_changes_nothing(
    tu_phap: Agency,
) -> None:
    procedure = ProcedureFactory(agency=tu_phap)
    s = state(tu_phap, "full")
    procedure_provision_record(procedure=procedure, valid_from=dt.date(2018, 1, 1), state=s)
    old = state(tu_phap, legacy=3)
    written = procedure_provision_record(
        procedure=procedure,
        valid_from=dt.date(2019, 1, 1),
        valid_to=dt.date(2020, 1, 1),
        state=old,
        source=ProvisionSource.IMPORT,
    )
    assert written is not None
    assert [(r[0], r[1]) for r in rows(procedure)] == [
        (dt.date(2018, 1, 1), dt.date(2019, 1, 1)),
        (dt.date(2019, 1, 1), dt.date(2020, 1, 1)),
        (dt.date(2020, 1, 1), None),
    ]
    again = procedure_provision_record(
        procedure=procedure,
        valid_from=dt.date(2019, 1, 1),
        valid_to=dt.date(2020, 1, 1),
        state=old,
        source=ProvisionSource.IMPORT,
    )
    assert again is None
    assert len(rows(procedure)) == 3


def test_as_of_counts_before_and_after_a_change(publish: Publish, xay_dung: Agency) -> None:
    a = publish("1.000001.000.00.00.H15", "Một", online_level=OnlineLevel.PARTIAL)
    publish("1.000002.000.00.00.H15", "Hai", online_level=OnlineLevel.FULL)
    publish("1.000003.000.00.00.H15", "Ba", agency=xay_dung, online_level=OnlineLevel.NONE)
    ProcedureProvision.objects.update(valid_from=dt.date(2024, 1, 1))
    procedure_update(procedure=a, online_level=OnlineLevel.FULL)

    before = online_provision(as_of=TODAY() - dt.timedelta(days=1))
    assert (before.total.published, before.total.full, before.total.partial) == (3, 1, 1)
    assert before.total.share_full == Decimal("33.3")
    assert before.total.share_online == Decimal("66.7")
    assert before.scheme == SCHEME_CURRENT
    after = online_provision(as_of=TODAY())
    assert (after.total.full, after.total.partial, after.total.not_online) == (2, 0, 1)
    by_agency = {a.name: a.tally.published for a in after.by_agency}
    assert by_agency == {"Sở Tư pháp": 2, "Sở Xây dựng": 1}
    assert online_provision(as_of=TODAY(), agency_ids=[xay_dung.pk]).total.published == 1
    assert online_provision(as_of=dt.date(2023, 12, 31)).total.published == 0


def test_legacy_levels_count_for_2019_under_the_old_scheme(tu_phap: Agency) -> None:
    commune = AgencyFactory(level=GovernmentLevel.COMMUNE, name="UBND xã A")
    cases: list[tuple[Agency, int, str]] = [
        (tu_phap, 3, "province"),
        (tu_phap, 4, "province"),
        (tu_phap, 2, "province"),
        (commune, 3, "district"),
    ]
    for n, (agency, legacy, level) in enumerate(cases):
        procedure_provision_record(
            procedure=ProcedureFactory(agency=agency, code=f"2.00000{n}.000.00.00.H46"),
            valid_from=dt.date(2019, 1, 1),
            valid_to=dt.date(2020, 1, 1),
            state=state(agency, legacy=legacy, level=level),
            source=ProvisionSource.IMPORT,
        )
    counts = online_provision(as_of=dt.date(2019, 12, 31))
    assert counts.scheme == SCHEME_LEGACY
    t = counts.total
    assert (t.published, t.level_2, t.level_3, t.level_4, t.unclassified) == (4, 1, 2, 1, 4)
    assert t.share_level_3_4 == Decimal("75.0")
    assert [(lv.level, lv.tally.published) for lv in counts.by_level] == [
        ("province", 3),
        ("district", 1),
    ]
    assert online_provision(as_of=dt.date(2020, 1, 1)).total.published == 0


def test_a_former_agency_counts_under_its_successor(tu_phap: Agency) -> None:
    da_nang = tu_phap.administrative_unit
    quang_nam = ProvinceFactory(code="49", name="Tỉnh Quảng Nam", era=UnitEra.LEGACY)
    quang_nam.default_successor = da_nang
    quang_nam.save()
    old = AgencyFactory(
        name="Sở Thông tin và Truyền thông tỉnh Quảng Nam",
        is_active=False,
        administrative_unit=quang_nam,
        successor=tu_phap,
    )
    procedure_provision_record(
        procedure=ProcedureFactory(agency=old),
        valid_from=dt.date(2019, 1, 1),
        valid_to=dt.date(2020, 1, 1),
        state=state(old, legacy=4),
    )
    day = dt.date(2019, 6, 1)
    assert [a.name for a in online_provision(as_of=day).by_agency] == [old.name]
    merged = online_provision(as_of=day, under_successors=True)
    assert [a.name for a in merged.by_agency] == ["Sở Tư pháp"]
    assert online_provision(as_of=day, agency_ids=[tu_phap.pk]).total.level_4 == 1
    assert online_provision(as_of=day, province_id=da_nang.pk).total.level_4 == 1
    assert online_provision(as_of=day, province_id=quang_nam.pk).total.level_4 == 1
    ha_noi = ProvinceFactory(code="01", name="Thành phố Hà Nội")
    assert online_provision(as_of=day, province_id=ha_noi.pk).total.published == 0


def test_the_count_costs_two_queries_whatever_the_number_of_procedures(
    tu_phap: Agency, django_assert_num_queries: Any
) -> None:
    def add(n: int) -> None:
        for _ in range(n):
            agency = AgencyFactory()
            procedure_provision_record(
                procedure=ProcedureFactory(agency=agency),
                valid_from=dt.date(2024, 1, 1),
                state=state(agency, "full"),
            )

    add(2)
    with django_assert_num_queries(2):
        online_provision(as_of=TODAY(), agency_ids=[tu_phap.pk])
    add(8)
    with django_assert_num_queries(2):
        counts = online_provision(as_of=TODAY())
    assert counts.total.published == 10


def test_procedures_published_in_a_period_count_publications_not_changes(
    tu_phap: Agency,
) -> None:
    p1, p2, p3 = (ProcedureFactory(agency=tu_phap) for _ in range(3))
    record = procedure_provision_record
    record(procedure=p1, valid_from=dt.date(2024, 3, 1), state=state(tu_phap, "partial"))
    record(procedure=p1, valid_from=dt.date(2024, 5, 1), state=state(tu_phap, "full"))
    record(
        procedure=p2,
        valid_from=dt.date(2024, 1, 1),
        state=state(tu_phap, "none", published=False),
    )
    record(procedure=p2, valid_from=dt.date(2024, 6, 1), state=state(tu_phap, "full"))
    record(procedure=p3, valid_from=dt.date(2023, 6, 1), state=state(tu_phap, "full"))
    counted = procedures_published_between(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    assert counted == 2


def test_the_backfill_gives_each_procedure_one_row_from_its_first_version(
    tu_phap: Agency,
) -> None:
    procedure = ProcedureFactory(agency=tu_phap, online_level=OnlineLevel.PARTIAL)
    ProcedureFactory(agency=tu_phap, with_version=False)
    first = dt.datetime(2023, 4, 5, 23, 30, tzinfo=dt.UTC)  # 6 April in Vietnam
    procedure.versions.update(created_at=first)
    migration = importlib.import_module(
        "motcua.catalog.migrations.0009_backfill_procedure_provision"
    )
    migration.backfill(apps, None)
    migration.backfill(apps, None)  # only procedures without history
    assert rows(procedure) == [(dt.date(2023, 4, 6), None, "partial", True, "backfill")]
    assert ProcedureProvision.objects.count() == 2
