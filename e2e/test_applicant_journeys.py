"""The applicant's half of a dossier's life, end to end, as issue 10's "Done when" asks.

A citizen signs in through the identity simulator (its pages, clicked as a
person would), submits a dossier, gets the acknowledgement by SMS (sent by
the outbox through the eSMS.vn simulator over HTTP) and sees it on the
dossier's page; the one-stop unit asks for a supplement, she answers it with
a file from the dossier's page, the agency processes the dossier and the
one-stop unit returns the result, she sees it returned and rates the service.
A business signs in the same way and asks to withdraw a dossier; the deciding
agency's leader accepts; the business sees it withdrawn.

Nobody is signed in by a shortcut: the applicants through the simulator, the
staff through the back office's login page, and every officer's step is a
button of the back office's dossier page (``test_backoffice.do``).

Screenshots of the applicant's pages, on a phone (390 px) and a desk
(1280 px), go to ``MOTCUA_SCREENSHOTS`` (``/tmp/shots`` by default).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Browser, FilePayload, Page, ViewportSize, expect
from pytest_django.live_server_helper import LiveServer

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierFile, DossierState, Status
from motcua.identity_sim.identities import SimIdentity, identity_by_key
from motcua.outbox.models import Message, MessageChannel, MessageKind, MessageStatus
from motcua.outbox.sending import outbox_send_all
from motcua.ratings.criteria import criteria_seed
from motcua.ratings.models import Criterion, Rating
from motcua.sms_sim.models import SimulatedSms
from motcua.testing import Cast, DossierFactory, ProcedureFactory, cast_create, pdf_bytes
from motcua.workflow import services

from .test_applicant_identity import simulator  # noqa: F401 - the fixture, used by name
from .test_backoffice import PASSWORD, do, fits_the_screen, open_dossier, signed_in, status_of

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("simulator"),
]

SHOTS = Path(os.environ.get("MOTCUA_SCREENSHOTS", "/tmp/shots"))  # noqa: S108 - to be looked at
PHONE = ViewportSize(width=390, height=844)
DESK = ViewportSize(width=1280, height=900)
SCAN = FilePayload(name="giay-chung-sinh.pdf", mimeType="application/pdf", buffer=pdf_bytes())
RESULT = FilePayload(name="giay-khai-sinh.pdf", mimeType="application/pdf", buffer=pdf_bytes())


@pytest.fixture
def cast() -> Cast:
    """The one-stop unit, the deciding agency and their staff, who sign in with a password."""
    criteria_seed(Criterion)  # a transactional test before this one may have emptied it
    cast = cast_create()
    for user in (cast.receiving_officer, cast.specialist, cast.leader):
        user.set_password(PASSWORD)
        user.save()
    return cast


@pytest.fixture
def sms_simulator(live_server: LiveServer, settings: Any) -> str:
    """Send the outbox's SMS to the eSMS.vn simulator on the live server, over HTTP."""
    url = f"{live_server.url}/sim/esms/"
    settings.OUTBOX_ESMS_URL = url
    settings.SITE_URL = live_server.url
    return url


def shoot(page: Page, name: str) -> None:
    """Screenshot the whole page on a phone and on a desk (the page is left phone-sized)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("390", PHONE), ("1280", DESK)):
        page.set_viewport_size(size)
        fits_the_screen(page)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(PHONE)


def sign_in_with_vneid(page: Page, who: SimIdentity) -> None:
    """From a page offering it, sign in through the simulator's pages as ``who``."""
    page.get_by_role("link", name="Đăng nhập bằng VNeID").first.click()
    page.wait_for_url(re.compile(r"/mo-phong-vneid/dang-nhap/"))
    page.get_by_role("button", name=f"Đăng nhập với danh tính {who.name}").click()


def messages_of(page: Page) -> Any:
    return page.locator("#dossier-messages-title + .dossier-messages__list > li")


def test_citizen_submits_answers_a_supplement_sees_the_result_and_rates_it(
    live_server: LiveServer,
    browser: Browser,
    page: Page,
    cast: Cast,
    sms_simulator: str,
) -> None:
    citizen = identity_by_key("cong-dan-muc-2")
    assert citizen is not None and citizen.phone and citizen.email
    procedure: Procedure = ProcedureFactory(agency=cast.agency, name="Đăng ký khai sinh")

    # She signs in with VNeID from the procedure's submission page and submits, on her phone.
    page.goto(f"{live_server.url}/thu-tuc/{procedure.code}/nop-ho-so/")
    sign_in_with_vneid(page, citizen)
    page.wait_for_url(re.compile(rf"/thu-tuc/{re.escape(procedure.code)}/nop-ho-so/"))
    expect(page.locator("#id_applicant_id_number")).to_have_value(citizen.id_number)
    page.fill("#id_applicant_address", "12 Lê Lợi, phường Hải Châu, thành phố Đà Nẵng")
    page.fill("#id_eform-child_name", "Nguyễn Minh Khang")
    page.fill("#id_eform-birth_date", "2025-07-01")
    required = page.locator('input[type="file"][required]')
    for index in range(required.count()):
        required.nth(index).set_input_files(files=[SCAN])
    page.check('input[name="delivery"][value="counter"]')
    shoot(page, "a01-submit")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile(r"/da-nop/"))
    code = page.locator("#dossier-code").inner_text().strip()
    dossier = Dossier.objects.get(code=code)
    assert dossier.applicant_id_number == citizen.id_number
    assert dossier.receiving_unit_id == cast.unit.pk
    shoot(page, "a02-submitted")

    # The worker sends the acknowledgement: the SMS reaches the gateway (its simulator),
    # the e-mail the mail backend.
    assert outbox_send_all() == 2
    sms = SimulatedSms.objects.get()
    assert sms.phone == Message.objects.get(channel=MessageChannel.SMS).recipient
    assert sms.phone.endswith(citizen.phone.lstrip("0")), sms.phone
    assert code in sms.content
    assert [m.to for m in mail.outbox] == [[citizen.email]]
    assert set(Message.objects.values_list("kind", "status")) == {
        (MessageKind.ACKNOWLEDGED, MessageStatus.SENT)
    }

    # "Hồ sơ của tôi" -> the dossier: the same message, and that both channels delivered it.
    page.get_by_role("link", name="Hồ sơ của tôi").first.click()
    page.wait_for_url(re.compile(r"/ho-so-cua-toi/$"))
    card = page.locator("#dossiers-title + .my-list > li").first
    expect(card).to_contain_text(code)
    shoot(page, "a03-my-dossiers")
    card.get_by_role("link", name=procedure.name).click()
    expect(page.locator("h1")).to_have_text(code)
    expect(messages_of(page)).to_have_count(1)
    expect(messages_of(page).first).to_contain_text(code)
    expect(messages_of(page).first).to_contain_text("SMS: Đã gửi")
    shoot(page, "a04-dossier-acknowledged")

    # The one-stop unit's officer, in the back office, asks for what is missing.
    with signed_in(browser, live_server, cast.receiving_officer) as officer:
        open_dossier(officer, live_server, "intake", code)
        do(
            officer,
            "request-supplement",
            missing="Giấy chứng sinh bản chính\nBản sao giấy đăng ký kết hôn",
            reason="Hồ sơ chưa đủ thành phần",
        )
        assert status_of(officer).startswith("5.")

    # She sees what is asked on the dossier's page and answers from there with a file.
    page.reload()
    expect(page.locator(".notice")).to_contain_text("bổ sung")
    shoot(page, "a05-dossier-supplement-asked")
    page.locator("#hanh-dong").get_by_role("link", name="Gửi bổ sung").click()
    expect(page.get_by_text("Hồ sơ chưa đủ thành phần")).to_be_visible()
    page.get_by_label("Giấy chứng sinh bản chính").set_input_files(files=[SCAN])
    page.get_by_label("Ghi chú gửi Bộ phận Một cửa").fill(
        "Bản sao giấy đăng ký kết hôn tôi nộp tại quầy khi nhận kết quả."
    )
    shoot(page, "a06-supplement")
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.get_by_text("Hồ sơ bổ sung đã được gửi")).to_be_visible()
    shoot(page, "a07-supplement-sent")
    page.locator(".breadcrumb").get_by_role("link", name=code).click()
    expect(page.locator(".timeline")).to_contain_text("Hồ sơ bổ sung của bạn đã được nhận")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert DossierFile.objects.filter(
        component__dossier=dossier, original_name="giay-chung-sinh.pdf"
    ).exists()

    # The officer accepts; the agency drafts and approves the result; the officer returns it.
    with signed_in(browser, live_server, cast.receiving_officer) as officer:
        open_dossier(officer, live_server, "intake", code)
        expect(officer.locator("main")).to_contain_text("giay-chung-sinh.pdf")
        do(officer, "accept")
        # The procedure's charge is paid before processing (status 6): she pays it in cash here.
        assert status_of(officer).startswith("6.")
        do(officer, "record-payment", method="cash", receipt_number="0000124")
        assert status_of(officer).startswith("2.")
    with signed_in(browser, live_server, cast.specialist) as specialist:
        open_dossier(specialist, live_server, "unassigned", code)
        do(specialist, "claim")
        do(specialist, "record-result", name="Giấy khai sinh", file=RESULT)
        do(specialist, "forward")
    with signed_in(browser, live_server, cast.leader) as leader:
        open_dossier(leader, live_server, "agency", code)
        do(leader, "mark-processed")
    with signed_in(browser, live_server, cast.receiving_officer) as officer:
        open_dossier(officer, live_server, "return", code)
        do(officer, "return-result", to_whom=citizen.name)
        assert status_of(officer).startswith("10.")
    outbox_send_all()

    # She sees the result returned, and every message of the way, newest first.
    page.goto(f"{live_server.url}/ho-so-cua-toi/{code}/")
    expect(page.locator(".facts [data-status]")).to_have_attribute(
        "data-status", str(Status.RESULT_RETURNED)
    )
    kinds = set(Message.objects.filter(dossier=dossier).values_list("kind", flat=True))
    assert {
        MessageKind.ACKNOWLEDGED,
        MessageKind.SUPPLEMENT_REQUESTED,
        MessageKind.ACCEPTED,
        MessageKind.RESULT_READY,
        MessageKind.RESULT_RETURNED,
    } <= kinds
    expect(messages_of(page)).to_have_count(len(kinds))
    # The newest is open, the others folded to their subject and time.
    expect(messages_of(page).first.locator("details")).to_have_attribute("open", "")
    expect(messages_of(page).first).to_contain_text("đã trả kết quả")
    expect(page.locator(".dossier-messages details[open]")).to_have_count(1)
    assert not Message.objects.exclude(status=MessageStatus.SENT).exists()
    assert SimulatedSms.objects.count() == len(kinds)
    shoot(page, "a08-dossier-returned")

    # She rates the service once: five levels on each criterion, and a comment.
    page.locator("#hanh-dong").get_by_role("link", name="Đánh giá").click()
    for group in page.locator("fieldset.rating-criterion").all():
        group.get_by_label("Hài lòng", exact=True).check()
    page.locator("fieldset.rating-criterion").first.get_by_label("Rất hài lòng").check()
    shoot(page, "a09-rate")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Cảm ơn bạn: đánh giá đã được ghi nhận.")).to_be_visible()
    shoot(page, "a10-rated")
    page.locator(".breadcrumb").get_by_role("link", name=code).click()
    expect(page.locator("h1")).to_have_text(code)
    rating = Rating.objects.get(dossier=dossier)
    assert rating.agency_id == cast.agency.pk
    assert rating.scores.count() == Criterion.objects.filter(is_active=True).count()


def test_business_asks_to_withdraw_and_the_agency_accepts(
    live_server: LiveServer, browser: Browser, page: Page, cast: Cast, sms_simulator: str
) -> None:
    business = identity_by_key("doanh-nghiep")
    assert business is not None and business.account_type == "organisation"
    procedure = ProcedureFactory(
        agency=cast.agency, name="Cấp Giấy chứng nhận đủ điều kiện kinh doanh"
    )
    # A dossier the business handed in at the counter, accepted and being processed.
    dossier = DossierFactory(
        procedure=procedure,
        receiving_unit=cast.unit,
        applicant_kind="organisation",
        applicant_name=business.name,
        applicant_id_number=business.id_number,
        applicant_phone="0905811222",  # a mobile: the identity gives a landline
        channel=1,
    )
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    code = dossier.code

    # Its representative signs in with the organisation's identity from "Hồ sơ của tôi".
    page.goto(f"{live_server.url}/ho-so-cua-toi/")
    sign_in_with_vneid(page, business)
    page.wait_for_url(re.compile(r"/ho-so-cua-toi/$"))
    card = page.locator("#dossiers-title + .my-list > li").first
    expect(card).to_contain_text(code)
    shoot(page, "b01-my-dossiers")

    # It asks to withdraw, with a reason, from the dossier's page.
    card.get_by_role("link", name=procedure.name).click()
    expect(page.locator("h1")).to_have_text(code)
    page.locator("#hanh-dong").get_by_role("link", name="Yêu cầu rút hồ sơ").click()
    page.get_by_label("Lý do").fill("Doanh nghiệp tạm ngừng kinh doanh ngành nghề này.")
    shoot(page, "b02-withdraw")
    page.get_by_role("button", name="Yêu cầu rút hồ sơ").click()
    expect(page.get_by_text("Yêu cầu rút hồ sơ đã được gửi")).to_be_visible()
    shoot(page, "b03-withdraw-sent")
    dossier.refresh_from_db()
    assert dossier.state == DossierState.WITHDRAWAL_REQUESTED

    # The deciding agency's leader finds it in the withdrawal box and accepts.
    with signed_in(browser, live_server, cast.leader) as leader:
        open_dossier(leader, live_server, "withdrawal", code)
        expect(leader.locator("main")).to_contain_text("tạm ngừng kinh doanh")
        form = leader.locator('form:has(button[data-action="decide-withdrawal"])')
        details = leader.locator('details:has(button[data-action="decide-withdrawal"])')
        if details.count():
            details.locator("summary").click()
        form.locator('input[name="approve"][value="yes"]').check()
        form.locator('button[data-action="decide-withdrawal"]').click()
        expect(leader.locator(".flash")).to_be_visible()
    assert outbox_send_all() == 2  # accepted (with the receipt), then withdrawn
    assert SimulatedSms.objects.filter(phone="0905811222", content__contains=code).count() == 2

    # The business sees it withdrawn, the message that says so, and no action left.
    page.goto(f"{live_server.url}/ho-so-cua-toi/{code}/")
    expect(page.locator(".facts [data-status]")).to_have_attribute(
        "data-status",
        str(Status.STOPPED),  # the national code of a withdrawn dossier
    )
    expect(page.locator(".timeline")).to_contain_text("Hồ sơ của bạn đã được rút theo đề nghị.")
    expect(messages_of(page).first).to_contain_text(code)
    expect(page.locator("#hanh-dong")).to_have_count(0)
    shoot(page, "b04-withdrawn")
    assert Dossier.objects.get(pk=dossier.pk).state == DossierState.WITHDRAWN
