"""Staff API: inboxes, a dossier, actions with revisions, the counter, bulk assignment, errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import version_cases
from motcua.dossiers.models import (
    Dossier,
    DossierComponent,
    DossierEvent,
    DossierFile,
    DossierState,
    Status,
)
from motcua.outbox.models import MessageKind
from motcua.outbox.services import message_texts, procedure_messaging
from motcua.testing import (
    Cast,
    DossierFactory,
    ProcedureFactory,
    cast_create,
    fee_rules_add,
    pdf_upload,
)
from motcua.workflow import services
from motcua.workflow.processes import process_version_for
from motcua.workflow.structure import version_structure

pytestmark = pytest.mark.django_db
INBOX = reverse("api-staff-inbox")


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def procedure(cast: Cast) -> Procedure:
    return ProcedureFactory(agency=cast.agency)


def client_for(user: Any, language: str = "vi") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def submitted(cast: Cast, procedure: Procedure, **kwargs: Any) -> Dossier:
    now = timezone.now()
    return DossierFactory(
        procedure=procedure,
        receiving_unit=cast.unit,
        submitted_at=now,
        intake_due_at=now + dt.timedelta(days=1),
        **kwargs,
    )


def post(client: APIClient, action: str, dossier: Dossier, body: Any = None, **kw: Any) -> Any:
    url = reverse(f"api-staff-{action}", kwargs={"code": dossier.code})
    return client.post(url, body or {}, format=kw.pop("format", "json"), **kw)


def test_without_a_token_the_api_answers_401(cast: Cast, procedure: Procedure) -> None:
    dossier = submitted(cast, procedure)
    assert APIClient().get(INBOX).status_code == 401
    anonymous = APIClient().post(reverse("api-staff-accept", kwargs={"code": dossier.code}), {})
    assert anonymous.status_code == 401
    assert "error" in anonymous.json()


def test_the_inbox_lists_filters_and_pages(cast: Cast, procedure: Procedure) -> None:
    first = submitted(cast, procedure, applicant_name="Nguyễn Thị Hoà")
    for _ in range(3):
        submitted(cast, procedure)
    officer = client_for(cast.receiving_officer)
    listing = officer.get(INBOX).json()
    assert listing["box"] == "intake"
    assert len(listing["results"]) == 4
    assert listing["next_offset"] is None
    page = officer.get(INBOX, {"limit": 3}).json()
    assert len(page["results"]) == 3
    assert page["next_offset"] == 3
    found = officer.get(INBOX, {"q": "nguyen thi hoa"}).json()["results"]
    assert [r["code"] for r in found] == [first.code]
    assert found[0]["working_hours_left"] is not None
    bad = officer.get(INBOX, {"status": "42", "box": "elsewhere"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"status", "box"}


def test_the_dossier_comes_with_its_revision_as_etag_and_the_callers_actions(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    response = client_for(cast.receiving_officer).get(
        reverse("api-staff-dossier", kwargs={"code": dossier.code})
    )
    assert response.status_code == 200
    assert response["ETag"] == '"0"'
    body = response.json()
    assert body["actions"] == ["accept", "refuse", "request_supplement", "request_withdrawal"]
    assert body["applicant"]["name"] == dossier.applicant_name
    specialist = client_for(cast.specialist).get(
        reverse("api-staff-dossier", kwargs={"code": dossier.code})
    )
    assert specialist.json()["actions"] == []
    outsider = client_for(cast.outsider).get(
        reverse("api-staff-dossier", kwargs={"code": dossier.code})
    )
    assert outsider.status_code == 404


def test_an_action_needs_the_revision_and_a_stale_one_is_409_with_nothing_written(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    officer = client_for(cast.receiving_officer)
    missing = post(officer, "accept", dossier)
    assert missing.status_code == 400
    assert "revision" in missing.json()["error"]["fields"]
    assert post(officer, "accept", dossier, HTTP_IF_MATCH='"0"').status_code == 200
    events = DossierEvent.objects.filter(dossier=dossier).count()
    stale = post(officer, "refuse", dossier, {"reasons": "Thiếu", "revision": 0})
    assert stale.status_code == 409
    assert "tải lại" in stale.json()["error"]["message"].lower()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ACCEPTED
    assert DossierEvent.objects.filter(dossier=dossier).count() == events


def test_refusals_say_why_in_vietnamese_or_english(cast: Cast, procedure: Procedure) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    dossier.refresh_from_db()
    english = client_for(cast.receiving_officer, "en")
    early = post(english, "return-result", dossier, {"to_whom": "A", "revision": dossier.revision})
    assert early.status_code == 409
    assert early.json()["error"]["message"] == (
        "The result can be returned only once the dossier is processed."
    )
    vietnamese = client_for(cast.receiving_officer)
    again = post(vietnamese, "receive-supplement", dossier, {"revision": dossier.revision})
    assert again.status_code == 409
    assert "bổ sung" in again.json()["error"]["message"]


def test_a_second_extension_is_refused(cast: Cast, procedure: Procedure) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    dossier.refresh_from_db()
    assert dossier.due_at is not None
    leader = client_for(cast.leader, "en")
    later = timezone.localtime(dossier.due_at + dt.timedelta(days=3)).isoformat()
    body = {"new_due_at": later, "reason": "Cần xác minh", "revision": dossier.revision}
    assert post(leader, "extend", dossier, body).status_code == 200
    dossier.refresh_from_db()
    body["revision"] = dossier.revision
    second = post(leader, "extend", dossier, body)
    assert second.status_code == 409
    assert "once" in second.json()["error"]["message"]


def test_a_whole_dossier_through_the_api_with_a_result_upload(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    officer, specialist, leader = (
        client_for(cast.receiving_officer),
        client_for(cast.specialist),
        client_for(cast.leader),
    )

    def revision() -> int:
        dossier.refresh_from_db()
        return dossier.revision

    assert post(officer, "accept", dossier, {"revision": revision()}).status_code == 200
    assert post(specialist, "claim", dossier, {"revision": revision()}).status_code == 200
    no_file = post(specialist, "record-result", dossier, {"name": " "}, format="multipart")
    assert no_file.status_code == 400
    assert set(no_file.json()["error"]["fields"]) == {"name", "file", "revision"}
    recorded = post(
        specialist,
        "record-result",
        dossier,
        {"name": "Giấy khai sinh", "file": pdf_upload(), "revision": revision()},
        format="multipart",
    )
    assert recorded.status_code == 200
    assert recorded.json()["results"][0]["code"].endswith("-KQ1")
    assert post(specialist, "forward", dossier, {"revision": revision()}).status_code == 200
    assert post(leader, "mark-processed", dossier, {"revision": revision()}).status_code == 200
    done = post(officer, "return-result", dossier, {"to_whom": "An", "revision": revision()})
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == Status.RESULT_RETURNED
    assert [s["outcome"] for s in body["steps"] if s["finished_at"]]
    assert body["timeline"][-1]["note"].endswith("An")


def test_counter_intake_through_the_api_and_bad_lists_write_nothing(
    cast: Cast, procedure: Procedure
) -> None:
    assert procedure.current_version is not None
    declaration = procedure.current_version.components.order_by("order").first()
    assert declaration is not None
    officer = client_for(cast.receiving_officer)
    url = reverse("api-staff-counter-intake")
    body = {
        "unit": cast.unit.code,
        "procedure": procedure.code,
        "applicant_name": "Trần Thị Mai",
        "applicant_id_number": "048190001234",
        "applicant_phone": "0905123456",
        "applicant_address": "12 Lê Lợi, Đà Nẵng",
        "received": f'[{{"component": {declaration.pk}, "originals": 1}}]',
        "decision": "accept",
    }
    scan = f"component-{declaration.pk}"
    bad = officer.post(
        url, {**body, "received": "not json", scan: pdf_upload()}, format="multipart"
    )
    assert bad.status_code == 400
    assert "received" in bad.json()["error"]["fields"]
    nobody = officer.post(
        url, {**body, "applicant_phone": "", scan: pdf_upload()}, format="multipart"
    )
    assert nobody.status_code == 400
    assert not Dossier.objects.exists()
    assert not DossierFile.objects.exists()
    created = officer.post(url, {**body, scan: pdf_upload()}, format="multipart")
    assert created.status_code == 201, created.json()
    # Accepted; the procedure's charge is paid before processing: the dossier waits for it.
    assert created.json()["status"] == Status.PAYMENT_REQUESTED
    assert created.json()["components"][0]["is_digitised"] is True


def test_counter_intake_through_the_api_takes_fee_counts_and_claims_with_their_proof(
    cast: Cast, procedure: Procedure
) -> None:
    fee_rules_add(procedure)
    assert procedure.current_version is not None
    declaration = procedure.current_version.components.order_by("order").first()
    assert declaration is not None
    officer = client_for(cast.receiving_officer)
    body = {
        "unit": cast.unit.code,
        "procedure": procedure.code,
        "applicant_name": "Trần Thị Mai",
        "applicant_id_number": "048190001234",
        "applicant_phone": "0905123456",
        "applicant_address": "12 Lê Lợi, Đà Nẵng",
        "received": f'[{{"component": {declaration.pk}, "originals": 1}}]',
        "decision": "accept",
        "fee_qty-pages": "4",
        "fee_qty-copies": "1",
        "fee_claim": ["HO-NGHEO"],
    }
    url = reverse("api-staff-counter-intake")
    no_proof = officer.post(url, body, format="multipart")
    assert no_proof.status_code == 400
    assert "fee_proof-HO-NGHEO" in no_proof.json()["error"]["fields"]
    assert not Dossier.objects.exists()

    created = officer.post(url, {**body, "fee_proof-HO-NGHEO": "GCN 12/2026"}, format="multipart")

    assert created.status_code == 201, created.json()
    lines = {line["code"]: line for line in created.json()["fees"]["lines"]}
    assert lines["P-CT"]["amount"] == 2000 * 2 + 1000 * 2
    assert lines["LP"]["amount"] == 0  # exempt: a poor household, proof noted


def test_bulk_assignment_says_which_codes_were_refused(cast: Cast, procedure: Procedure) -> None:
    accepted = submitted(cast, procedure)
    services.dossier_accept(dossier=accepted, actor=cast.receiving_officer)
    waiting = submitted(cast, procedure)
    response = client_for(cast.leader).post(
        reverse("api-staff-assign"),
        {"codes": [accepted.code, waiting.code], "assignee": cast.specialist.username},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["done"] == [accepted.code]
    assert list(response.json()["refused"]) == [waiting.code]
    unknown = client_for(cast.leader).post(
        reverse("api-staff-assign"), {"codes": [accepted.code], "assignee": "nobody"}
    )
    assert unknown.status_code == 400


def test_the_schema_lists_every_staff_endpoint_with_its_errors(cast: Cast) -> None:
    schema = APIClient().get(reverse("api-schema"), {"format": "json"}).json()
    staff_paths = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/v1/staff/")}
    # Reads, actions, a dossier's files and forms; the sector figures a statistician writes.
    assert len(staff_paths) == 4 + 20 + 3 + 1
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in staff_paths.items():
        for method, operation in operations.items():
            assert operation["security"] == [{"tokenAuth": []}], path
            codes = {"400", "401", "403"} | ({"413"} if method == "post" else set())
            if method == "post" and path != "/api/v1/staff/dossiers/assign":  # refusals: 200
                codes.add("409")
            for code in codes:
                content = operation["responses"][code]["content"]
                assert content["application/json"]["schema"] == error, (path, code)
            if method == "post" and "{code}" in path:
                assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/StaffDossier"
                }
                assert operation["requestBody"]["content"], path
    for multipart in ("record-result", "replace-result"):
        result = staff_paths[f"/api/v1/staff/dossiers/{{code}}/{multipart}"]["post"]
        assert list(result["requestBody"]["content"]) == ["multipart/form-data"]


def test_every_field_error_comes_at_once(cast: Cast, procedure: Procedure) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    before = DossierEvent.objects.filter(dossier=dossier).count()
    leader = client_for(cast.leader, "en")
    response = post(leader, "extend", dossier, {"reason": "  ", "new_due_at": "tomorrow"})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"reason", "new_due_at", "revision"}
    assert fields["reason"] == ["Give the reason."]
    assert fields["revision"][0].startswith("Send the revision")
    refused = post(leader, "decide-withdrawal", dossier, {"approve": False, "revision": 1})
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"note"}
    supplement = post(
        client_for(cast.receiving_officer, "en"), "request-supplement", dossier, {"missing": []}
    )
    assert set(supplement.json()["error"]["fields"]) == {"missing", "reason", "revision"}
    assert DossierEvent.objects.filter(dossier=dossier).count() == before


def test_a_result_too_large_is_413_and_leaves_nothing_behind(
    cast: Cast, procedure: Procedure, settings: Any
) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    dossier.refresh_from_db()
    settings.MOTCUA_MAX_FILE_SIZE = 100
    body = {"name": "Giấy khai sinh", "file": pdf_upload(), "revision": dossier.revision}
    response = post(client_for(cast.specialist), "record-result", dossier, body, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert "file" in response.json()["error"]["fields"]
    not_pdf = {"name": "Giấy khai sinh", "revision": dossier.revision}
    not_pdf["file"] = SimpleUploadedFile("ket-qua.pdf", b"MZ", content_type="application/pdf")
    settings.MOTCUA_MAX_FILE_SIZE = 10 * 2**20
    wrong = post(client_for(cast.specialist), "record-result", dossier, not_pdf, format="multipart")
    assert wrong.status_code == 400
    assert "file" in wrong.json()["error"]["fields"]
    revision = dossier.revision
    dossier.refresh_from_db()
    assert dossier.revision == revision
    assert not dossier.results.exists()
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


def test_no_staff_role_is_403_and_another_agencys_dossier_looks_unknown(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    applicant = client_for(cast.applicant, "en")
    refused = applicant.get(INBOX)
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "This account holds no active staff role."
    outsider = client_for(cast.outsider, "en")
    theirs = outsider.get(reverse("api-staff-dossier", kwargs={"code": dossier.code}))
    unknown = outsider.get(reverse("api-staff-dossier", kwargs={"code": "000.00.00.H00-0"}))
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.json() == unknown.json()
    acting = post(outsider, "accept", dossier, {"revision": 0})
    assert acting.status_code == 404
    assert acting.json() == unknown.json()


def test_an_inbox_page_costs_the_same_queries_whatever_its_length(
    cast: Cast, procedure: Procedure
) -> None:
    leader = client_for(cast.leader)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = leader.get(INBOX, {"box": "agency"})
        assert response.status_code == 200
        return len(captured)

    def add(count: int) -> None:
        for _ in range(count):
            dossier = submitted(cast, procedure)
            services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
            services.dossier_claim(dossier=dossier, actor=cast.specialist)

    add(2)
    few = queries()
    add(4)
    assert queries() == few
    assert len(leader.get(INBOX, {"box": "agency"}).json()["results"]) == 6


def _with_files(dossier: Dossier, components: int, files: int) -> None:
    for c in range(components):
        component = DossierComponent.objects.create(
            dossier=dossier, name=f"Tờ khai {c}", originals=1, copies=c, is_digitised=True
        )
        for f in range(files):
            DossierFile.objects.create(
                component=component,
                file=f"dossiers/x-{c}-{f}.pdf",
                original_name=f"to-khai-{c}-{f}.pdf",
                content_type="application/pdf",
                size=100 + f,
                sha256=f"{c}{f}".ljust(64, "0"),
            )


def test_the_dossier_body_carries_files_steps_results_and_who_did_what(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure, applicant_name="Trần Văn Bình")
    _with_files(dossier, components=2, files=2)
    DossierComponent.objects.create(dossier=dossier, name="Bản sao", originals=0, copies=1)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    body = (
        client_for(cast.specialist)
        .get(reverse("api-staff-dossier", kwargs={"code": dossier.code}))
        .json()
    )
    dossier.refresh_from_db()
    assert body["revision"] == dossier.revision
    assert body["procedure"] == {"code": procedure.code, "name": procedure.name}
    assert body["receiving_unit"] == {"code": cast.unit.code, "name": cast.unit.name}
    assert [c["name"] for c in body["components"]] == ["Tờ khai 0", "Tờ khai 1", "Bản sao"]
    assert body["components"][2]["files"] == []
    first = DossierFile.objects.filter(component__dossier=dossier).order_by("id").first()
    assert first is not None
    assert body["components"][0]["files"][0] == {
        "id": first.pk,
        "name": "to-khai-0-0.pdf",
        "content_type": "application/pdf",
        "size": 100,
        "sha256": first.sha256,
    }
    assert [len(c["files"]) for c in body["components"]] == [2, 2, 0]
    step = body["current_step"]
    assert step["assignee"] == cast.specialist.get_username()
    assert step["agency"] == {"code": cast.agency.code, "name": cast.agency.name}
    assert step["working_hours_left"] is not None
    assert body["steps"][-1]["assignee"] == cast.specialist.get_username()
    assert body["steps"][-1]["finished_at"] is None
    actors = [e["actor"] for e in body["timeline"]]
    assert cast.receiving_officer.get_username() in actors
    assert "record_result" in body["actions"]
    assert body["results"] == []


def test_a_dossier_costs_the_same_queries_whatever_its_size(
    cast: Cast, procedure: Procedure
) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    services.dossier_claim(dossier=dossier, actor=cast.specialist)
    specialist = client_for(cast.specialist)
    url = reverse("api-staff-dossier", kwargs={"code": dossier.code})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = specialist.get(url)
        assert response.status_code == 200
        return len(captured)

    _with_files(dossier, components=1, files=1)
    services.dossier_result_record(
        dossier=dossier.pk, actor=cast.specialist, name="Kết quả", upload=pdf_upload()
    )
    few = queries()
    _with_files(dossier, components=3, files=3)
    for n in range(2):
        services.dossier_result_record(
            dossier=dossier.pk,
            actor=cast.specialist,
            name=f"Kết quả {n}",
            upload=pdf_upload(),
        )
    body = specialist.get(url).json()
    assert [len(c["files"]) for c in body["components"]] == [1, 3, 3, 3]
    assert len(body["results"]) == 3
    assert queries() == few


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("action", ["accept", "claim", "forward"])
def test_an_action_through_the_api_costs_at_most_15_queries(action: str) -> None:
    cast = cast_create()
    procedure = ProcedureFactory(agency=cast.agency)
    dossier = submitted(cast, procedure)
    # A published process's steps and a used version's legal times are read once per process
    # and kept: they never change.
    version_structure(process_version_for(procedure=procedure).pk)
    version_cases(dossier.procedure_version_id)
    if action != "accept":
        services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    if action == "forward":
        services.dossier_claim(dossier=dossier, actor=cast.specialist)
        services.dossier_result_record(
            dossier=dossier, actor=cast.specialist, name="Kết quả", upload=pdf_upload()
        )
    actor = cast.receiving_officer if action == "accept" else cast.specialist
    client = client_for(actor)
    # So is the calendar, read once by each process until it changes: a first request reads it.
    assert (
        client.get(reverse("api-staff-dossier", kwargs={"code": dossier.code})).status_code == 200
    )
    revision = Dossier.objects.get(pk=dossier.pk).revision
    # And the applicant's message templates and the procedure's message settings, kept a
    # minute by each process (an administrator's, changed rarely).
    for kind in MessageKind:
        message_texts(kind, "vi")
    procedure_messaging(procedure.pk)

    with CaptureQueriesContext(connection) as captured:
        response = post(client, action, dossier, {"revision": revision})

    assert response.status_code == 200, response.json()
    # The token, the action (lock, rules, writes) and the dossier read back.
    sql = [q["sql"] for q in captured.captured_queries]
    # SQLite logs the BEGIN and COMMIT that PostgreSQL's driver sends unlogged.
    counted = [q for q in sql if q not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")]
    # Accepting also reads the fees owed before processing (payments: one query), to ask for
    # them at once when the procedure's rules say so, and the answer's actions read them again
    # (the fee request is offered only when fees are owed): one more.
    limit = 17 if action == "accept" else 15
    assert len(counted) <= limit, "\n".join(q[:150] for q in counted)


def test_if_match_star_acts_whatever_the_revision_now(cast: Cast, procedure: Procedure) -> None:
    dossier = submitted(cast, procedure)
    services.dossier_accept(dossier=dossier, actor=cast.receiving_officer)
    specialist = client_for(cast.specialist)

    response = post(specialist, "claim", dossier, {}, HTTP_IF_MATCH="*")

    assert response.status_code == 200, response.json()
    assert response.json()["current_step"]["assignee"] == cast.specialist.get_username()
    # The rules still apply: a second claim is refused.
    assert post(specialist, "claim", dossier, {}, HTTP_IF_MATCH="*").status_code == 409
