"""The tracking page's history: which agency holds the dossier and why it moved, in plain words."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.dossiers.models import Dossier, DossierEvent, EventKind
from motcua.dossiers.selectors import dossier_public_get
from motcua.portal.tracking import dossier_public_history
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create, inter_agency_process
from motcua.workflow import services

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=HCM)


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def travelled(cast: Cast) -> Dossier:
    """A dossier sent to a partner agency and back, asked for a supplement, sent back once."""
    procedure = ProcedureFactory(agency=cast.agency)
    inter_agency_process(procedure, cast.partner)
    dossier = DossierFactory(procedure=procedure, receiving_unit=cast.unit, submitted_at=at(5, 8))
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer, now=at(5, 9))
    services.dossier_claim(dossier=dossier, actor=cast.specialist, now=at(5, 10))
    services.dossier_request_supplement(
        dossier=dossier, actor=cast.specialist, missing=["Tờ khai"], reason="Sai", now=at(5, 11)
    )
    services.dossier_receive_supplement(dossier=dossier, actor=cast.receiving_officer, now=at(6, 9))
    services.dossier_forward(dossier=dossier, actor=cast.specialist, now=at(6, 10))
    services.dossier_send_back(
        dossier=dossier, actor=cast.partner_specialist, reason="Thiếu", now=at(6, 11)
    )
    return dossier


def texts(dossier: Dossier) -> list[str]:
    return [
        line.text for line in dossier_public_history(dossier_public_get(code=dossier.code)).lines
    ]


def test_history_names_the_agency_and_the_reason_of_each_move(travelled: Dossier) -> None:
    assert texts(travelled) == [
        "Đã tiếp nhận, vào sổ và chuyển Sở Tư pháp giải quyết.",
        "Cần bổ sung giấy tờ: đang chờ người nộp hồ sơ bổ sung.",
        "Đã nhận hồ sơ bổ sung của người nộp; Sở Tư pháp tiếp tục giải quyết.",
        "Đã chuyển Công an thành phố giải quyết.",
        "Đã trả lại Sở Tư pháp để làm lại.",
    ]
    history = dossier_public_history(dossier_public_get(code=travelled.code))
    assert history.held_by == "Sở Tư pháp"
    assert [line.at for line in history.lines] == sorted(line.at for line in history.lines)


def test_consecutive_lines_that_say_the_same_are_merged(cast: Cast, travelled: Dossier) -> None:
    # The specialist hands it to the partner, whose specialist hands it to its leader: the
    # second move stays inside the agency that holds it and adds no line.
    services.dossier_forward(dossier=travelled, actor=cast.specialist, now=at(7, 10))
    services.dossier_forward(
        dossier=travelled,
        actor=cast.partner_specialist,
        assignee=cast.partner_leader,
        now=at(7, 11),
    )
    for hour in (14, 15):  # the same change twice (a calendar corrected twice)
        DossierEvent.objects.create(
            dossier=travelled,
            at=at(7, hour),
            kind=EventKind.DUE_RECOMPUTED,
            to_status=travelled.status,
        )
    found = texts(travelled)
    assert found[-3:] == [
        "Đã trả lại Sở Tư pháp để làm lại.",
        "Đã chuyển Công an thành phố giải quyết.",
        "Ngày hẹn trả kết quả đã thay đổi do lịch làm việc được điều chỉnh.",
    ]
    assert all(a != b for a, b in itertools.pairwise(found))


def test_the_page_shows_the_history_in_a_constant_number_of_queries(
    client: Client, cast: Cast, travelled: Dossier
) -> None:
    url = reverse("portal:track-detail", args=[travelled.code])
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for day in (7, 8, 9):
        services.dossier_forward(dossier=travelled, actor=cast.specialist, now=at(day, 10))
        services.dossier_send_back(
            dossier=travelled, actor=cast.partner_specialist, reason="x", now=at(day, 11)
        )
    with CaptureQueriesContext(connection) as long:
        response = client.get(url)
    assert len(long) == len(short) == 3  # the dossier, its public events, its control slip
    html = response.content.decode()
    assert "Đang ở" in html
    assert html.count("Đã trả lại Sở Tư pháp để làm lại.") == 4
    # Public: agencies are named, the people who did the work never are.
    for person in ("chi", "khoa", "binh"):
        assert f">{person}<" not in html
