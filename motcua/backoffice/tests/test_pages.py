"""Back-office pages: inboxes, the dossier page and its actions, the counter, files."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.dossiers.models import (
    Channel,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierState,
    PendingUpload,
    Status,
)
from motcua.testing import (
    Cast,
    DossierFactory,
    ProcedureFactory,
    UserFactory,
    cast_create,
    pdf_upload,
)
from motcua.workflow import selectors, services
from motcua.workflow.models import DossierStep

pytestmark = pytest.mark.django_db

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
MONDAY_9 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=HCM)
HOUR, DAY = dt.timedelta(hours=1), dt.timedelta(days=1)
INBOX = reverse("backoffice:inbox")
COUNTER = reverse("backoffice:counter")


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def procedure(cast: Cast) -> Procedure:
    return ProcedureFactory(agency=cast.agency, name="Đăng ký khai sinh")


def submitted(cast: Cast, procedure: Procedure, **kwargs: Any) -> Dossier:
    return DossierFactory(
        procedure=procedure, receiving_unit=cast.unit, submitted_at=MONDAY_9, **kwargs
    )


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def act(client: Client, dossier: Dossier, action: str, **data: Any) -> Any:
    dossier.refresh_from_db()
    url = reverse("backoffice:act", kwargs={"code": dossier.code, "action": action})
    return client.post(url, {"revision": dossier.revision, **data})


def page(client: Client, dossier: Dossier) -> str:
    response = client.get(reverse("backoffice:dossier", kwargs={"code": dossier.code}))
    assert response.status_code == 200
    return response.content.decode()


# --- Access ------------------------------------------------------------------------------------


def test_anonymous_goes_to_login_and_people_without_a_role_are_refused(
    client: Client, cast: Cast
) -> None:
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("staff:login"))
    signed_in(client, cast.applicant)
    assert client.get(INBOX).status_code == 403


def test_each_role_starts_in_its_own_box(client: Client, cast: Cast) -> None:
    for user, first in (
        (cast.receiving_officer, "intake"),
        (cast.specialist, "mine"),
        (cast.leader, "agency"),
    ):
        signed_in(client, user)
        response = client.get(INBOX)
        assert response.status_code == 200
        assert response.context["page"].box == first
    assert client.get(INBOX, {"box": "nowhere"}).status_code == 400


# --- Inbox -------------------------------------------------------------------------------------


def test_intake_box_lists_the_units_dossiers_and_finds_by_code_or_name_without_diacritics(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    mine = submitted(cast, procedure, applicant_name="Nguyễn Thị Hoà")
    other = submitted(cast, procedure, applicant_name="Trần Văn Bình")
    elsewhere = DossierFactory(procedure=ProcedureFactory(agency=cast.other_agency))
    signed_in(client, cast.receiving_officer)
    codes = [r.code for r in client.get(INBOX).context["page"].rows]
    assert set(codes) == {mine.code, other.code}
    assert elsewhere.code not in codes
    by_name = client.get(INBOX, {"box": "intake", "q": "nguyen thi hoa"}).context["page"].rows
    assert [r.code for r in by_name] == [mine.code]
    by_code = client.get(INBOX, {"box": "intake", "q": other.code}).context["page"].rows
    assert [r.code for r in by_code] == [other.code]


def test_filters_are_checked_and_htmx_gets_only_the_rows(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    submitted(cast, procedure, channel=Channel.ONLINE)
    signed_in(client, cast.receiving_officer)
    assert client.get(INBOX, {"status": "99"}).status_code == 400
    assert client.get(INBOX, {"due": "tomorrow"}).status_code == 400
    counter_only = client.get(INBOX, {"channel": Channel.COUNTER})
    assert counter_only.context["page"].rows == []
    fragment = client.get(INBOX, {"box": "intake"}, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content
    assert b"<table" in fragment.content


def test_an_inbox_page_costs_the_same_queries_for_5_or_30_dossiers(
    client: Client,
    cast: Cast,
    procedure: Procedure,
    django_assert_max_num_queries: Any,
) -> None:
    signed_in(client, cast.receiving_officer)
    for _ in range(5):
        submitted(cast, procedure)
    with django_assert_max_num_queries(12) as few:
        client.get(INBOX)
    for _ in range(25):
        submitted(cast, procedure)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(INBOX)
    assert len(response.context["page"].rows) == 30


def test_the_inbox_counts_overdue_and_due_soon_dossiers_and_links_to_them(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    now = timezone.now()
    late = DossierFactory(procedure=procedure, receiving_unit=cast.unit, due_at=now - HOUR)
    soon = DossierFactory(procedure=procedure, receiving_unit=cast.unit, due_at=now + HOUR)
    DossierFactory(procedure=procedure, receiving_unit=cast.unit, due_at=now + 30 * DAY)
    DossierFactory(  # overdue, but waiting for the applicant: its clock is stopped
        procedure=procedure,
        receiving_unit=cast.unit,
        due_at=now - HOUR,
        state=DossierState.SUPPLEMENT_REQUESTED,
    )
    DossierFactory(competent_agency=cast.other_agency, due_at=now - HOUR)  # not theirs
    signed_in(client, cast.leader)

    page = client.get(INBOX)

    assert page.context["due"] == selectors.DueCounts(overdue=1, soon=1)
    html = page.content.decode()
    assert "1 hồ sơ quá hạn" in html
    overdue = client.get(INBOX, {"box": "all", "due": "overdue"}).context["page"]
    assert [row.code for row in overdue.rows] == [late.code]
    due_soon = client.get(INBOX, {"box": "all", "due": "soon"}).context["page"]
    assert [row.code for row in due_soon.rows] == [soon.code]


# --- The dossier page and its actions ----------------------------------------------------------


def test_the_page_offers_exactly_the_actions_the_rules_allow(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    signed_in(client, cast.receiving_officer)
    html = page(client, dossier)
    allowed = selectors.dossier_actions(user=cast.receiving_officer, dossier=dossier)
    for action in allowed:
        assert f'data-action="{action.value.replace("_", "-")}"' in html
    assert 'data-action="claim"' not in html
    assert dossier.applicant_name in html


def test_staff_of_other_agencies_get_403_and_unknown_codes_404(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    signed_in(client, cast.outsider)
    url = reverse("backoffice:dossier", kwargs={"code": dossier.code})
    assert client.get(url).status_code == 403
    assert client.get(reverse("backoffice:dossier", kwargs={"code": "NOPE"})).status_code == 404
    assert act(client, dossier, "accept").status_code == 403
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_a_dossier_walks_through_the_pages_from_intake_to_the_returned_result(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    officer, specialist, leader = (
        Client(),
        Client(),
        Client(),
    )
    signed_in(officer, cast.receiving_officer)
    signed_in(specialist, cast.specialist)
    signed_in(leader, cast.leader)

    response = act(officer, dossier, "accept")
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:dossier", kwargs={"code": dossier.code})
    assert "claim" in page(specialist, dossier)
    assert act(specialist, dossier, "claim").status_code == 302
    bad = act(specialist, dossier, "record-result", name="")
    assert bad.status_code == 400
    assert act(
        specialist, dossier, "record-result", name="Giấy khai sinh", file=pdf_upload()
    ).status_code == (302)
    assert act(specialist, dossier, "forward").status_code == 302
    assert act(leader, dossier, "mark-processed").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSED
    html = page(officer, dossier)
    assert 'data-action="return-result"' in html
    assert act(officer, dossier, "return-result", to_whom="").status_code == 400
    assert act(officer, dossier, "return-result", to_whom="Nguyễn Văn A").status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_RETURNED
    html = page(officer, dossier)
    assert "Nguyễn Văn A" in html
    result = dossier.results.get()
    download = officer.get(
        reverse("backoffice:result-file", kwargs={"code": dossier.code, "result_id": result.pk})
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]


def test_a_page_drawn_before_someone_else_acted_gets_409_and_changes_nothing(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    signed_in(client, cast.receiving_officer)
    url = reverse("backoffice:act", kwargs={"code": dossier.code, "action": "refuse"})
    drawn = dossier.revision
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    events = DossierEvent.objects.filter(dossier=dossier).count()
    response = client.post(url, {"revision": drawn, "reasons": "Thiếu giấy tờ"})
    assert response.status_code == 409
    assert "Reload" in response.content.decode() or "Tải lại" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED
    assert DossierEvent.objects.filter(dossier=dossier).count() == events


def test_bad_input_is_refused_with_the_services_message_and_nothing_written(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    signed_in(client, cast.receiving_officer)
    response = act(client, dossier, "refuse", reasons="  ")
    assert response.status_code == 400
    assert response.context["failed_action"] == "refuse"
    assert "reasons" in response.context["field_errors"]
    assert act(client, dossier, "fly-away").status_code == 404
    missing_revision = client.post(
        reverse("backoffice:act", kwargs={"code": dossier.code, "action": "accept"}), {}
    )
    assert missing_revision.status_code == 400
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.revision == 0 or DossierEvent.objects.filter(dossier=dossier).count() == 1


def test_a_supplement_request_and_its_receipt_from_the_page(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    signed_in(client, cast.receiving_officer)
    missing = "Giấy chứng sinh\nBản sao CCCD"
    response = act(client, dossier, "request-supplement", missing=missing, reason="Thiếu")
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.SUPPLEMENT_REQUESTED
    assert "Giấy chứng sinh" in page(client, dossier)
    assert act(client, dossier, "receive-supplement").status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_leader_assigns_in_bulk_and_hears_which_dossiers_could_not_be(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    first, second = submitted(cast, procedure), submitted(cast, procedure)
    for d in (first, second):
        services.dossier_accept(dossier=d, actor=cast.receiving_officer)
    waiting = submitted(cast, procedure)
    signed_in(client, cast.leader)
    listing = client.get(INBOX, {"box": "unassigned"})
    assert listing.context["page"].can_assign
    assert cast.specialist in listing.context["page"].assignees
    response = client.post(
        reverse("backoffice:bulk-assign"),
        {
            "codes": [first.code, second.code, waiting.code],
            "assignee": cast.specialist.pk,
            "next": INBOX + "?box=unassigned",
        },
        follow=True,
    )
    assert response.status_code == 200
    assigned = DossierStep.objects.filter(assignee=cast.specialist, finished_at=None)
    assert {s.dossier_id for s in assigned} == {first.pk, second.pk}
    shown = [str(m) for m in response.context["messages"]]
    assert any(waiting.code in m for m in shown)
    outsider = client.post(
        reverse("backoffice:bulk-assign"),
        {"codes": [first.code], "assignee": cast.outsider.pk},
        follow=True,
    )
    assert outsider.status_code == 200
    assert not DossierStep.objects.filter(assignee=cast.outsider).exists()


def test_files_of_a_dossier_are_sent_only_to_staff_who_see_it(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    from motcua.dossiers.models import DossierComponent, DossierFile

    dossier = submitted(cast, procedure)
    component = DossierComponent.objects.create(dossier=dossier, name="Tờ khai")
    stored = DossierFile.objects.create(
        component=component,
        file=SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4 test"),
        original_name="to-khai.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    url = reverse("backoffice:dossier-file", kwargs={"code": dossier.code, "file_id": stored.pk})
    signed_in(client, cast.receiving_officer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    signed_in(client, cast.outsider)
    assert client.get(url).status_code == 403
    stored.file.delete()


# --- The counter -------------------------------------------------------------------------------

APPLICANT = {
    "applicant_name": "Trần Thị Mai",
    "applicant_id_number": "048190001234",
    "applicant_phone": "0905 123 456",
    "applicant_address": "12 Lê Lợi, phường Hải Châu, thành phố Đà Nẵng",
    "delivery": "counter",
}


def counter_post(procedure: Procedure, decision: str, **extra: Any) -> dict[str, Any]:
    assert procedure.current_version is not None
    required = procedure.current_version.components.order_by("order").first()
    assert required is not None
    return {
        "procedure": procedure.code,
        **APPLICANT,
        f"component-{required.pk}-ticked": "1",
        f"component-{required.pk}-originals": "1",
        f"component-{required.pk}-copies": "0",
        "decision": decision,
        **extra,
    }


def test_the_counter_finds_a_procedure_without_diacritics_and_shows_its_checklist(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    signed_in(client, cast.receiving_officer)
    found = client.get(COUNTER, {"q": "dang ky khai sinh"}, headers={"HX-Request": "true"})
    assert found.status_code == 200
    assert procedure.code in found.content.decode()
    form = client.get(COUNTER, {"procedure": procedure.code})
    assert form.status_code == 200
    assert "Tờ khai theo mẫu" in form.content.decode()
    assert client.get(COUNTER, {"procedure": "NO-SUCH"}).status_code == 404


def test_the_counter_accepts_a_dossier_routed_to_the_competent_agency(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    signed_in(client, cast.receiving_officer)
    response = client.post(COUNTER, counter_post(procedure, "accept"))
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert response["Location"].startswith(
        reverse("backoffice:dossier", kwargs={"code": dossier.code})
    )
    assert dossier.channel == Channel.COUNTER
    # Accepted; its fee is paid before processing (thu trước): it waits for the payment.
    assert dossier.status == Status.PAYMENT_REQUESTED
    assert dossier.receiving_unit == cast.unit
    assert dossier.competent_agency == cast.agency
    html = page(client, dossier)
    assert "bien-nhan.pdf" in html


def test_the_counter_shows_every_problem_at_once_and_writes_nothing(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    signed_in(client, cast.receiving_officer)
    data = counter_post(procedure, "accept", applicant_id_number="123", applicant_phone="")
    assert procedure.current_version is not None
    required = procedure.current_version.components.order_by("order").first()
    assert required is not None
    data[f"component-{required.pk}-originals"] = "many"
    response = client.post(COUNTER, data)
    assert response.status_code == 400
    assert not Dossier.objects.exists()
    refuse = client.post(COUNTER, counter_post(procedure, "refuse", reason=""))
    assert refuse.status_code == 400
    assert "reason" in refuse.context["form"].field_errors
    assert refuse.context["form"].values["applicant_name"] == APPLICANT["applicant_name"]
    assert not Dossier.objects.exists()


KEPT_SCAN = re.compile(
    r'<input type="checkbox" name="(component-\d+-kept)" value="([^"]+)" checked>'
)


def test_a_refused_counter_form_keeps_the_scan_and_the_next_try_needs_no_scan(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    signed_in(client, cast.receiving_officer)
    data = counter_post(procedure, "accept", applicant_phone="abc")
    key = next(k.removesuffix("-ticked") for k in data if k.endswith("-ticked"))
    data[key] = pdf_upload("to-khai.pdf")

    client.cookies["django_language"] = "en"
    failed = client.post(COUNTER, data)

    assert failed.status_code == 400
    html = failed.content.decode()
    assert "File kept: to-khai.pdf (" in html
    assert "without attaching them again" in html
    kept = KEPT_SCAN.findall(html)
    row = PendingUpload.objects.get()
    assert kept == [(f"{key}-kept", row.token)]
    assert row.kept_by == cast.receiving_officer

    again = counter_post(procedure, "accept", **{f"{key}-kept": row.token})
    response = client.post(COUNTER, again)

    assert response.status_code == 302
    dossier = Dossier.objects.get()
    stored = DossierFile.objects.get(component__dossier=dossier)
    assert stored.file.name == row.file.name
    assert stored.component.is_digitised
    assert not PendingUpload.objects.exists()


def test_an_unticked_kept_scan_is_left_out_at_the_counter(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    signed_in(client, cast.receiving_officer)
    data = counter_post(procedure, "refuse", reason="")
    key = next(k.removesuffix("-ticked") for k in data if k.endswith("-ticked"))
    data[key] = pdf_upload("to-khai.pdf")
    assert KEPT_SCAN.findall(client.post(COUNTER, data).content.decode())

    response = client.post(COUNTER, counter_post(procedure, "accept"))  # the scan unticked

    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert not DossierFile.objects.filter(component__dossier=dossier).exists()
    assert not dossier.components.get().is_digitised


def test_kept_scans_stay_listed_when_the_form_is_refused_before_the_check(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    signed_in(client, cast.receiving_officer)
    data = counter_post(procedure, "refuse", reason="")
    key = next(k.removesuffix("-ticked") for k in data if k.endswith("-ticked"))
    data[key] = pdf_upload("to-khai.pdf")
    kept = KEPT_SCAN.findall(client.post(COUNTER, data).content.decode())

    # A count that is not a number is refused by the page before the service runs.
    again = counter_post(procedure, "accept", **{name: token for name, token in kept})
    again[f"{key}-originals"] = "many"
    response = client.post(COUNTER, again)

    assert response.status_code == 400
    assert KEPT_SCAN.findall(response.content.decode()) == kept


def test_the_counter_is_only_for_receiving_officers(client: Client, cast: Cast) -> None:
    signed_in(client, cast.specialist)
    assert client.get(COUNTER).status_code == 403
    signed_in(client, UserFactory(username="nobody"))
    assert client.get(COUNTER).status_code == 403


def test_the_intake_box_counts_down_to_the_answer_not_to_the_result(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    from django.utils import timezone

    now = timezone.now()
    urgent = submitted(
        cast,
        procedure,
        intake_due_at=now + dt.timedelta(hours=2),
        due_at=now + dt.timedelta(days=20),
    )
    calm = submitted(
        cast,
        procedure,
        intake_due_at=now + dt.timedelta(days=5),
        due_at=now + dt.timedelta(days=20),
    )
    signed_in(client, cast.receiving_officer)
    rows = client.get(INBOX, {"box": "intake"}).context["page"].rows
    assert [r.code for r in rows] == [urgent.code, calm.code]
    assert rows[0].left.due_at == urgent.intake_due_at
    soon = client.get(INBOX, {"box": "intake", "due": "soon"}).context["page"].rows
    assert [r.code for r in soon] == [urgent.code]


def test_the_dossier_page_costs_the_same_queries_whatever_the_dossier_holds(
    client: Client, cast: Cast, procedure: Procedure
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dossier = submitted(cast, procedure)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    services.dossier_result_record(
        dossier=dossier, actor=cast.specialist, name="Kết quả 1", upload=pdf_upload()
    )
    signed_in(client, cast.specialist)
    url = reverse("backoffice:dossier", kwargs={"code": dossier.code})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n in range(3):
        services.dossier_result_record(
            dossier=dossier, actor=cast.specialist, name=f"Kết quả {n}", upload=pdf_upload()
        )
    services.dossier_request_supplement(
        dossier=dossier, actor=cast.specialist, missing=["Bản vẽ"], reason="Thiếu"
    )
    services.dossier_receive_supplement(dossier=dossier, actor=cast.receiving_officer)
    with_supplement = queries()
    services.dossier_forward(dossier=dossier, actor=cast.specialist)

    assert queries() == with_supplement <= few + 1  # the supplement requests, once there are some
