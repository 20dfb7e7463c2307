from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierState
from motcua.staff.models import Role
from motcua.staff.services import staff_role_revoke
from motcua.testing import (
    Cast,
    DossierFactory,
    OneStopUnitFactory,
    ProcedureFactory,
    cast_create,
    inter_agency_process,
    pdf_upload,
)
from motcua.workflow import services
from motcua.workflow.selectors import (
    InboxFilters,
    dossier_scope,
    dossiers_due_soon,
    dossiers_overdue,
    inbox,
    inbox_rows,
)

pytestmark = pytest.mark.django_db
# The module, not the function the package exports under its name.
inbox_module = importlib.import_module("motcua.workflow.selectors.inbox")


def test_due_soon_and_overdue_lists_stay_within_the_users_agencies() -> None:
    cast: Cast = cast_create()
    now = timezone.now()
    procedure = ProcedureFactory(agency=cast.agency)

    def make(hours: int, **kwargs: object) -> object:
        return DossierFactory(
            procedure=procedure,
            receiving_unit=cast.unit,
            due_at=now + dt.timedelta(hours=hours),
            **kwargs,
        )

    soon = make(5)
    make(100)
    late = make(-3)
    make(-3, state=DossierState.SUPPLEMENT_REQUESTED)
    make(-3, state=DossierState.RESULT_RETURNED)

    assert list(dossiers_due_soon(user=cast.specialist, within=dt.timedelta(hours=8))) == [soon]
    assert list(dossiers_overdue(user=cast.specialist)) == [late]
    assert list(dossiers_overdue(user=cast.outsider)) == []
    assert list(dossiers_due_soon(user=cast.applicant, within=dt.timedelta(days=30))) == []


def test_dossier_scope_sees_own_units_and_agencies_only() -> None:
    cast = cast_create()
    mine = DossierFactory(receiving_unit=cast.unit, competent_agency=cast.agency)
    elsewhere = DossierFactory(competent_agency=cast.other_agency)

    def visible(user: object) -> set[int]:
        return set(Dossier.objects.filter(dossier_scope(user=user)).values_list("pk", flat=True))  # type: ignore[arg-type]

    assert visible(cast.receiving_officer) == {mine.pk}
    assert visible(cast.specialist) == {mine.pk}
    assert visible(cast.leader) == {mine.pk}
    assert visible(cast.outsider) == {elsewhere.pk}
    assert visible(cast.applicant) == set()
    assert visible(AnonymousUser()) == set()


def test_revoked_role_no_longer_scopes_dossiers() -> None:
    cast = cast_create()
    DossierFactory(receiving_unit=cast.unit, competent_agency=cast.agency)

    staff_role_revoke(user=cast.specialist, role=Role.SPECIALIST, agency=cast.agency)

    assert not Dossier.objects.filter(dossier_scope(user=cast.specialist)).exists()


def test_a_partner_agency_answers_for_a_dossier_while_its_step_is_open() -> None:
    cast = cast_create()
    procedure = ProcedureFactory(agency=cast.agency)
    inter_agency_process(procedure, cast.partner)
    dossier = services.dossier_accept(
        dossier=DossierFactory(procedure=procedure, receiving_unit=cast.unit),
        actor=cast.receiving_officer,
    )
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_result_record(
        dossier=dossier, actor=cast.specialist, name="Kết quả", upload=pdf_upload()
    )
    services.dossier_forward(dossier=dossier, actor=cast.specialist)  # to the partner agency
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - dt.timedelta(hours=1))
    week = dt.timedelta(days=7)

    assert list(dossiers_overdue(user=cast.partner_leader)) == [dossier]
    assert list(inbox(user=cast.partner_leader, box="agency")) == [dossier]
    assert list(dossiers_overdue(user=cast.leader)) == [dossier]  # its deciding agency
    assert list(inbox(user=cast.leader, box="agency")) == []  # not with it now

    services.dossier_claim(dossier=dossier, actor=cast.partner_specialist)
    services.dossier_forward(dossier=dossier, actor=cast.partner_specialist)
    services.dossier_claim(dossier=dossier, actor=cast.partner_leader)
    services.dossier_forward(dossier=dossier, actor=cast.partner_leader)  # back

    # Back with the deciding agency: the partner still sees it, but no longer answers for it.
    assert list(dossiers_overdue(user=cast.partner_leader)) == []
    assert list(dossiers_due_soon(user=cast.partner_leader, within=week)) == []
    assert list(inbox(user=cast.partner_leader, box="agency")) == []
    assert Dossier.objects.filter(dossier_scope(user=cast.partner_leader), pk=dossier.pk).exists()
    assert list(inbox(user=cast.leader, box="agency")) == [dossier]


def test_the_inbox_search_finds_codes_and_names_with_or_without_diacritics() -> None:
    cast: Cast = cast_create()
    procedure = ProcedureFactory(agency=cast.agency)
    hoa = DossierFactory(
        procedure=procedure, receiving_unit=cast.unit, applicant_name="Nguyễn Thị Hoà"
    )
    other = DossierFactory(
        procedure=procedure, receiving_unit=cast.unit, applicant_name="Trần Văn Bình"
    )

    def found(q: str) -> set[str]:
        rows = inbox(user=cast.receiving_officer, box="all", filters=InboxFilters(q=q))
        return {d.code for d in rows}

    assert found("nguyen thi hoa") == {hoa.code}
    assert found(" Nguyễn Thị  Hoà ") == {hoa.code}
    assert found("binh") == {other.code}
    assert found(hoa.code) == {hoa.code}
    assert found(hoa.code.lower()) == {hoa.code}
    assert found(other.code.rsplit("-", 1)[0]) == {hoa.code, other.code}
    assert found(other.code.rsplit("-", 1)[0].lower()) == {hoa.code, other.code}
    assert found("ZZZ999") == set()
    assert found("khong co ai") == set()


@pytest.mark.parametrize("window", [5000, 3])
def test_searching_everything_i_see_finds_words_of_names_and_starts_of_codes(
    window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The "all" box's search, newest first, the same whether the matches are among the
    agency's newest rows or only among the older ones (a window of 3 rows)."""
    monkeypatch.setattr(inbox_module, "SEARCH_WINDOW", window)
    cast: Cast = cast_create()
    procedure = ProcedureFactory(agency=cast.agency)
    start = timezone.now() - dt.timedelta(days=30)

    def make(name: str, days: int) -> Dossier:
        return DossierFactory(
            procedure=procedure,
            receiving_unit=cast.unit,
            applicant_name=name,
            received_at=start + dt.timedelta(days=days),
        )

    hoa_old = make("Nguyễn Thị Hòa", 1)
    hoa_new = make("NGUYỄN THỊ HOÀ", 2)
    hoang = make("Nguyễn Thị Hoàng Anh", 3)
    binh = make("Trần Văn Bình", 4)
    for day in range(5, 12):  # newer dossiers that match nothing below
        make(f"Lê Minh {day}", day)
    hidden = DossierFactory(
        procedure=ProcedureFactory(agency=cast.other_agency),
        receiving_unit=OneStopUnitFactory(),
        applicant_name="Nguyễn Thị Hòa",
    )

    def found(q: str, limit: int = 20) -> list[str]:
        rows = inbox_rows(
            user=cast.receiving_officer, box="all", filters=InboxFilters(q=q), limit=limit
        )
        return [r.code for r in rows.rows]

    assert found("nguyen thi hoa") == [hoang.code, hoa_new.code, hoa_old.code]
    assert found("Nguyễn Thị Hòa", limit=2) == [hoang.code, hoa_new.code]
    assert found("thi hoa") == [hoang.code, hoa_new.code, hoa_old.code]  # from a middle word
    assert found("hoa") == [hoang.code, hoa_new.code, hoa_old.code]  # "hoa" starts "hoang"
    assert found("hoang anh") == [hoang.code]
    assert found("binh") == [binh.code]
    assert found("uyen thi") == []  # not the start of a word
    assert found("thi nguyen") == []  # words in the name's order
    assert found(hoa_old.code.lower()) == [hoa_old.code]
    assert found(hoa_old.code.rsplit("-", 1)[0])[-4:] == [
        binh.code, hoang.code, hoa_new.code, hoa_old.code
    ]  # fmt: skip
    assert hidden.code not in found("nguyen thi hoa")
    assert found("khong co ai") == []
    assert found("...") == []
