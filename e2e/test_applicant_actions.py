"""The applicant, on a phone, answers a supplement request with a file, rates a returned
dossier, and asks to withdraw another; the public ratings page sums the ratings.

The applicant signs in through the identity simulator's pages, as a demo
citizen whose number the dossiers carry (``test_applicant_journeys`` has the
whole journeys).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from motcua.dossiers.models import DossierFile, DossierState
from motcua.identity_sim.identities import identity_by_key
from motcua.ratings.criteria import criteria_seed
from motcua.ratings.models import Criterion
from motcua.testing import DossierFactory, ProcedureFactory, cast_create, pdf_bytes
from motcua.workflow import services
from motcua.workflow.services.intake import Missing

from .test_applicant_identity import simulator  # noqa: F401 - the fixture, used by name

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("simulator"),
]

CITIZEN = identity_by_key("cong-dan-muc-2")
assert CITIZEN is not None
PIN = CITIZEN.id_number
SHOTS = Path(os.environ.get("MOTCUA_SCREENSHOTS", "var/screenshots"))


def _fits_the_screen(page: Page) -> None:
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"page is {width[0]}px wide on a {width[1]}px screen"


def _sign_in(page: Page, live_server: LiveServer) -> None:
    """Sign in as the demo citizen holding PIN, through the simulator's pages."""
    assert CITIZEN is not None
    page.goto(f"{live_server.url}/ho-so-cua-toi/")
    page.get_by_role("link", name="Đăng nhập bằng VNeID").first.click()
    page.get_by_role("button", name=f"Đăng nhập với danh tính {CITIZEN.name}").click()
    page.wait_for_url(re.compile(r"/ho-so-cua-toi/$"))


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_applicant_answers_a_supplement_rates_and_withdraws(
    live_server: LiveServer, page: Page
) -> None:
    criteria_seed(Criterion)  # a transactional test before this one emptied the table
    cast = cast_create()
    procedure = ProcedureFactory(agency=cast.agency, name="Cấp phiếu lý lịch tư pháp")
    waiting = DossierFactory(procedure=procedure, receiving_unit=cast.unit, applicant_id_number=PIN)
    services.dossier_accept(dossier=waiting, actor=cast.receiving_officer)
    services.dossier_request_supplement(
        dossier=waiting,
        actor=cast.receiving_officer,
        missing=[
            Missing("Bản sao căn cước công dân", "Bản chụp bị mờ, không đọc được số"),
            Missing("Tờ khai yêu cầu cấp phiếu", "Thiếu chữ ký của người yêu cầu"),
        ],
        reason="Hồ sơ chưa hợp lệ",
    )
    returned = DossierFactory(
        procedure=procedure,
        receiving_unit=cast.unit,
        state=DossierState.RESULT_RETURNED,
        applicant_id_number=PIN,
    )
    open_one = DossierFactory(
        procedure=procedure, receiving_unit=cast.unit, applicant_id_number=PIN
    )
    _sign_in(page, live_server)

    # The supplement: each item with its reason, a file against the first, a note.
    page.goto(f"{live_server.url}/ho-so-cua-toi/{waiting.code}/bo-sung/")
    expect(page.get_by_text("Bản chụp bị mờ, không đọc được số")).to_be_visible()
    _fits_the_screen(page)
    _shot(page, "supplement-390")
    page.get_by_label("Bản sao căn cước công dân").set_input_files(
        FilePayload(name="cccd.pdf", mimeType="application/pdf", buffer=pdf_bytes())
    )
    page.get_by_label("Ghi chú gửi Bộ phận Một cửa").fill("Tờ khai có chữ ký tôi nộp tại quầy.")
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.get_by_text("Hồ sơ bổ sung đã được gửi")).to_be_visible()
    _shot(page, "supplement-sent-390")
    waiting.refresh_from_db()
    assert waiting.state == DossierState.ACCEPTED
    assert DossierFile.objects.filter(component__dossier=waiting).count() == 1

    # The rating: five levels per criterion.
    page.goto(f"{live_server.url}/ho-so-cua-toi/{returned.code}/danh-gia/")
    _fits_the_screen(page)
    for group in page.locator("fieldset.rating-criterion").all():
        group.get_by_label("Hài lòng", exact=True).check()
    page.locator("fieldset.rating-criterion").first.get_by_label("Rất hài lòng").check()
    _shot(page, "rate-390")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Cảm ơn bạn: đánh giá đã được ghi nhận.")).to_be_visible()

    # The public page sums it, without the applicant's name.
    page.goto(f"{live_server.url}/danh-gia/")
    expect(page.get_by_role("heading", name="Sở Tư pháp")).to_be_visible()
    _fits_the_screen(page)
    _shot(page, "ratings-public-390")

    # The withdrawal, with a reason.
    page.goto(f"{live_server.url}/ho-so-cua-toi/{open_one.code}/rut/")
    page.get_by_label("Lý do").fill("Tôi không còn nhu cầu.")
    _shot(page, "withdraw-390")
    page.get_by_role("button", name="Yêu cầu rút hồ sơ").click()
    expect(page.get_by_text("Yêu cầu rút hồ sơ đã được gửi")).to_be_visible()
    open_one.refresh_from_db()
    assert open_one.state == DossierState.WITHDRAWAL_REQUESTED

    # The officer's inbox shows the supplement received online; the leader's ratings page.
    for user in (cast.receiving_officer, cast.leader):
        user.set_password("mat-khau-thu-nghiem-2026")
        user.save()
    staff = page.context.browser.new_context(  # type: ignore[union-attr]
        viewport={"width": 390, "height": 844}, locale="vi-VN"
    )
    desk = staff.new_page()
    for user, url, name in (
        (cast.receiving_officer, "/can-bo/?box=all", "inbox-badge-390"),
        (cast.leader, "/can-bo/danh-gia/", "ratings-staff-390"),
    ):
        staff.clear_cookies()
        desk.goto(f"{live_server.url}/can-bo/dang-nhap/")
        desk.fill("#id_username", user.username)
        desk.fill("#id_password", "mat-khau-thu-nghiem-2026")
        desk.locator("main button[type=submit]").click()
        desk.wait_for_url(re.compile(r"/can-bo/(\?.*)?$"))
        desk.goto(f"{live_server.url}{url}")
        _fits_the_screen(desk)
        _shot(desk, name)
    expect(desk.get_by_text("Cấp phiếu lý lịch tư pháp").first).to_be_visible()
    desk.goto(f"{live_server.url}/can-bo/?box=all")
    expect(desk.get_by_text("Đã nhận bổ sung trực tuyến")).to_be_visible()
    staff.close()
