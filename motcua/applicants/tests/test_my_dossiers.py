"""'Hồ sơ của tôi' and the applicant's dossier page: theirs only, newest first, few queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from motcua.applicants.selectors import applicant_dossier
from motcua.core.errors import NotFound
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFile,
    DossierState,
    EventKind,
    Status,
)
from motcua.outbox.models import Message, MessageChannel, MessageKind
from motcua.ratings.models import Rating
from motcua.testing import DossierFactory, ProcedureFactory

from .factories import BINH, HOA, signed_in

pytestmark = pytest.mark.django_db


def _dossier(number: str = HOA.id_number, **fields: object) -> Dossier:
    dossier: Dossier = DossierFactory(applicant_id_number=number, **fields)
    return dossier


def test_my_dossiers_lists_mine_newest_first_with_counter_ones(client: Client) -> None:
    signed_in(client)
    now = timezone.now()
    old = _dossier(submitted_at=now - dt.timedelta(days=3), channel=Channel.COUNTER)
    new = _dossier(submitted_at=now - dt.timedelta(hours=1))
    _dossier(number=BINH.id_number)  # someone else's

    answer = client.get("/ho-so-cua-toi/")

    assert answer.status_code == 200
    codes = [row.code for row in answer.context["dossiers"]]
    assert codes == [new.code, old.code]


def test_my_dossiers_say_what_is_asked_and_offer_the_actions(client: Client) -> None:
    signed_in(client)
    dossier = _dossier(state=DossierState.SUPPLEMENT_REQUESTED)

    page = client.get("/ho-so-cua-toi/").content.decode()

    assert "Bộ phận Một cửa yêu cầu bạn bổ sung hồ sơ" in page
    assert f"/ho-so-cua-toi/{dossier.code}/bo-sung/" in page
    assert f"/ho-so-cua-toi/{dossier.code}/rut/" in page


def test_a_finished_dossier_offers_no_withdrawal(client: Client) -> None:
    signed_in(client)
    dossier = _dossier(state=DossierState.RESULT_RETURNED)
    row = client.get("/ho-so-cua-toi/").context["dossiers"][0]
    assert [a.url for a in row.actions] == [f"/ho-so-cua-toi/{row.code}/danh-gia/"]
    assert row.code == dossier.code


def test_a_rated_dossier_no_longer_offers_the_rating(client: Client) -> None:
    signed_in(client)
    dossier = _dossier(state=DossierState.RESULT_RETURNED)
    Rating.objects.create(
        dossier=dossier,
        agency=dossier.competent_agency,
        receiving_unit=dossier.receiving_unit,
        procedure=dossier.procedure,
        created_at=timezone.now(),
    )

    row = client.get("/ho-so-cua-toi/").context["dossiers"][0]
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/")

    assert row.actions == []
    assert page.context["actions"] == []


def test_a_submitted_dossier_shows_no_due_date_before_it_is_accepted(client: Client) -> None:
    signed_in(client)
    dossier = _dossier(state=DossierState.SUBMITTED)

    cards = client.get("/ho-so-cua-toi/").content.decode()
    page = client.get(f"/ho-so-cua-toi/{dossier.code}/").content.decode()

    assert "Hạn xử lý" not in cards
    assert "Hạn xử lý" not in page


def test_my_dossiers_costs_the_same_queries_for_1_or_20_dossiers(client: Client) -> None:
    signed_in(client)
    procedure = ProcedureFactory()
    _dossier(procedure=procedure)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/ho-so-cua-toi/").status_code == 200
    for _ in range(19):
        _dossier(procedure=procedure)
    with CaptureQueriesContext(connection) as twenty:
        answer = client.get("/ho-so-cua-toi/")
    assert len(answer.context["dossiers"]) == 20
    assert len(twenty) == len(one)
    assert len(twenty) <= 8


def test_my_dossiers_asks_to_sign_in_first(client: Client) -> None:
    _dossier()
    answer = client.get("/ho-so-cua-toi/")
    assert answer.status_code == 200
    assert "dossiers" not in answer.context
    assert "Đăng nhập bằng VNeID" in answer.content.decode()


def test_staff_have_no_dossiers_of_their_own(client: Client, django_user_model: Any) -> None:
    staff = django_user_model.objects.create_user(username="tiepnhan", is_staff=True)
    client.force_login(staff)
    assert "dossiers" not in client.get("/ho-so-cua-toi/").context


def test_my_dossier_page_shows_the_dossier_and_its_timeline(client: Client) -> None:
    signed_in(client)
    dossier = _dossier(state=DossierState.SUPPLEMENT_REQUESTED)
    DossierEvent.objects.create(
        dossier=dossier,
        at=timezone.now(),
        kind=EventKind.SUPPLEMENT_REQUESTED,
        to_status=Status.SUPPLEMENT_REQUESTED,
        note="Thiếu bản sao giấy chứng sinh.",
    )
    DossierEvent.objects.create(
        dossier=dossier,
        at=timezone.now(),
        kind=EventKind.FORWARDED,
        to_status=Status.IN_PROCESS,
        note="Ghi chú nội bộ của chuyên viên.",
    )
    DossierEvent.objects.create(
        dossier=dossier,
        at=timezone.now(),
        kind=EventKind.ASSIGNED,
        to_status=Status.IN_PROCESS,
    )

    answer = client.get(f"/ho-so-cua-toi/{dossier.code}/")

    page = answer.content.decode()
    assert answer.status_code == 200
    assert "Bạn được yêu cầu bổ sung hồ sơ" in page
    assert "Thiếu bản sao giấy chứng sinh." in page  # a reason written to the applicant
    assert "Ghi chú nội bộ" not in page  # the staff's own notes stay theirs
    assert len(answer.context["timeline"]) == 2  # the assignment is internal
    assert 'id="hanh-dong"' in page


def test_another_numbers_dossier_is_not_found(client: Client) -> None:
    signed_in(client)
    theirs = _dossier(number=BINH.id_number, applicant_name="Trần Văn Bình")

    answer = client.get(f"/ho-so-cua-toi/{theirs.code}/")

    assert answer.status_code == 404
    assert "Trần Văn Bình" not in answer.content.decode()


def test_an_unknown_code_is_not_found(client: Client) -> None:
    signed_in(client)
    assert client.get("/ho-so-cua-toi/KHONG-CO/").status_code == 404


def test_my_dossier_page_costs_the_same_queries_with_more_history(client: Client) -> None:
    signed_in(client)
    dossier = _dossier()

    def read() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/ho-so-cua-toi/{dossier.code}/").status_code == 200
        return len(queries)

    before = read()
    for _ in range(5):
        DossierEvent.objects.create(
            dossier=dossier, at=timezone.now(), kind=EventKind.FORWARDED, to_status=Status.NEW
        )
    assert read() == before


def test_my_dossier_page_costs_the_same_queries_with_more_files_and_messages(
    client: Client,
) -> None:
    signed_in(client)
    dossier = _dossier()

    def read() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/ho-so-cua-toi/{dossier.code}/").status_code == 200
        return len(queries)

    def add(n: int) -> None:
        now = timezone.now()
        for i in range(n):
            component = DossierComponent.objects.create(dossier=dossier, name=f"Giấy tờ {i}")
            for j in range(2):
                DossierFile.objects.create(
                    component=component,
                    file=f"dossiers/{dossier.pk}-{i}-{j}.pdf",
                    original_name=f"{i}-{j}.pdf",
                    content_type="application/pdf",
                    size=100,
                    sha256="0" * 64,
                )
            event = DossierEvent.objects.create(
                dossier=dossier, at=now, kind=EventKind.FORWARDED, to_status=Status.IN_PROCESS
            )
            Message.objects.bulk_create(
                Message(
                    dossier=dossier,
                    event=event,
                    kind=MessageKind.ACCEPTED,
                    channel=channel,
                    recipient="hoa@example.vn" if channel == MessageChannel.EMAIL else "0905",
                    body=f"Tin nhắn {i}",
                    next_attempt_at=now,
                    created_at=now,
                )
                for channel in MessageChannel
            )

    add(1)
    before = read()
    add(6)
    answer = client.get(f"/ho-so-cua-toi/{dossier.code}/")
    assert len(answer.context["dossier_messages"]) == 7
    assert answer.content.decode().count('class="components__name"') == 7
    assert read() == before


def test_the_selector_takes_the_applicant_or_the_request(client: Client, rf: Any) -> None:
    applicant = signed_in(client)
    mine = _dossier()
    theirs = _dossier(number=BINH.id_number)
    assert applicant_dossier(applicant, mine.code).pk == mine.pk
    with pytest.raises(NotFound):
        applicant_dossier(applicant, theirs.code)
    request = rf.get("/")
    request.user = applicant.user
    assert applicant_dossier(request, mine.code).pk == mine.pk


def test_a_draft_is_listed_and_can_be_deleted(client: Client) -> None:
    from motcua.applicants.models import Draft

    applicant = signed_in(client)
    procedure = ProcedureFactory(name="Đăng ký kết hôn")
    Draft.objects.create(
        applicant=applicant, procedure=procedure, data={}, kept={}, updated_at=timezone.now()
    )
    page = client.get("/ho-so-cua-toi/").content.decode()
    assert "Đăng ký kết hôn" in page
    assert client.get(f"/ho-so-cua-toi/nhap/{procedure.pk}/xoa/").status_code == 405

    answer = client.post(f"/ho-so-cua-toi/nhap/{procedure.pk}/xoa/")

    assert answer.status_code == 302
    assert not Draft.objects.exists()
    assert client.post(f"/ho-so-cua-toi/nhap/{procedure.pk}/xoa/").status_code == 404


def test_someone_elses_draft_cannot_be_deleted(client: Client) -> None:
    from motcua.applicants.models import Draft

    other = signed_in(Client(), BINH)
    signed_in(client)
    procedure = ProcedureFactory()
    Draft.objects.create(
        applicant=other, procedure=procedure, data={}, kept={}, updated_at=timezone.now()
    )
    assert client.post(f"/ho-so-cua-toi/nhap/{procedure.pk}/xoa/").status_code == 404
    assert Draft.objects.count() == 1
