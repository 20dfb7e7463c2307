"""A dossier's fee lines: computed at submission (API, portal, counter), stored, replaced, shown."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader

from motcua.audit.models import AuditEntry
from motcua.catalog.fees import (
    BAD_QUANTITY,
    PROOF_REQUIRED,
    QUANTITY_REQUIRED,
    UNKNOWN_EXEMPTION,
    Claim,
)
from motcua.catalog.models import Procedure
from motcua.core.errors import ValidationFailed
from motcua.dossiers.fees import dossier_fee_lines, dossier_fees_replace
from motcua.dossiers.models import Dossier, DossierFee
from motcua.dossiers.services import (
    ReceivedComponent,
    counter_dossier_check,
    counter_dossier_insert,
)
from motcua.testing import (
    DossierFactory,
    OneStopUnitFactory,
    ProcedureFactory,
    UserFactory,
    fee_rules_add,
    pdf_upload,
)

from .conftest import required_key

pytestmark = pytest.mark.django_db

APPLICANT = {
    "applicant_name": "Nguyễn Thị Hồng Nhung",
    "applicant_id_number": "048190001234",
    "applicant_phone": "0905123456",
    "applicant_address": "12 Bạch Đằng, phường Hải Châu, Đà Nẵng",
    "delivery": "counter",
    "eform-child_name": "Trần Minh Khôi",
    "eform-birth_date": "2026-01-01",
}


@pytest.fixture
def certified(db: None) -> Procedure:
    """A per-page fee counted on the e-form; a fixed charge waived online or for the poor."""
    OneStopUnitFactory(code="000.00.00.H17")
    return fee_rules_add(ProcedureFactory(name="Chứng thực bản sao"))


def files(procedure: Procedure) -> dict[str, Any]:
    return {required_key(procedure): pdf_upload("to-khai.pdf")}


def post(client: Client, procedure: Procedure, data: dict[str, Any], **headers: str) -> Any:
    body = {"procedure": procedure.code, **APPLICANT, **data, **files(procedure)}
    return client.post("/api/v1/dossiers", body, headers=headers)


def amounts(dossier: Dossier) -> list[tuple[str, int | None, str]]:
    return [(f.code, f.amount, f.due) for f in DossierFee.objects.filter(dossier=dossier)]


def stored_files() -> list[str]:
    dirs, names = (
        default_storage.listdir("dossiers") if default_storage.exists("dossiers") else ([], [])
    )
    return [*dirs, *names]


def test_an_online_submission_stores_its_lines_and_the_api_returns_them(
    client: Client, certified: Procedure
) -> None:
    response = post(client, certified, {"eform-pages": "5", "eform-copies": "2"})

    assert response.status_code == 201
    dossier = Dossier.objects.get()
    # The charge is waived online by itself; the per-page fee is counted on the e-form.
    assert amounts(dossier) == [("P-CT", 14_000, "before"), ("LP", 0, "exempt")]
    fees = response.json()["fees"]
    assert (fees["due_now"], fees["due_later"], fees["total"], fees["pending"]) == (
        14_000, 0, 14_000, False
    )  # fmt: skip
    first = fees["lines"][0]
    assert (first["code"], first["kind"], first["amount"], first["pages"], first["copies"]) == (
        "P-CT", "fee", 14_000, 5, 2
    )  # fmt: skip
    assert fees["lines"][1]["exemption_code"] == "ONLINE"


def test_a_claim_with_its_proof_is_stored_on_the_lines_it_covers(
    client: Client, certified: Procedure
) -> None:
    response = post(
        client,
        certified,
        {
            "eform-pages": "1",
            "fee_claim": ["HO-NGHEO"],
            "fee_proof-HO-NGHEO": "GCN 123/2026",
        },
    )
    assert response.status_code == 201
    charge = DossierFee.objects.get(code="LP")
    assert charge.claims == [{"code": "HO-NGHEO", "proof": "GCN 123/2026"}]
    # Both exemptions make the charge 0; the first that gives the most is recorded.
    assert (charge.amount, charge.base_amount, charge.exemption_code) == (0, 8000, "HO-NGHEO")
    copy = DossierFee.objects.get(code="P-CT")
    # An optional count left blank is 0 copies.
    assert (copy.amount, copy.copies, copy.claims) == (0, 0, [])


def test_a_claim_without_its_proof_writes_nothing_and_says_why_in_english_on_request(
    client: Client, certified: Procedure
) -> None:
    response = post(
        client,
        certified,
        {"eform-pages": "3", "fee_claim": ["HO-NGHEO", "NOPE"]},
        **{"Accept-Language": "en"},
    )

    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    with translation.override("en"):
        assert fields["fee_proof-HO-NGHEO"] == [str(PROOF_REQUIRED)]
        assert fields["fee_claim"] == [str(UNKNOWN_EXEMPTION)]
    assert not Dossier.objects.exists()
    assert not DossierFee.objects.exists()
    assert stored_files() == []


def test_a_count_that_is_not_a_number_is_reported_once_on_its_eform_field(
    client: Client, certified: Procedure
) -> None:
    response = post(client, certified, {"eform-pages": "", "fee_claim": ["HO-NGHEO"]})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    # The e-form refuses the blank required field; the fees do not repeat it, but still
    # check the claim, so every problem is told at once.
    assert list(fields) == ["eform-pages", "fee_proof-HO-NGHEO"]
    assert not Dossier.objects.exists()


def test_claims_are_part_of_the_idempotency_fingerprint(
    client: Client, certified: Procedure
) -> None:
    key = {"Idempotency-Key": "k-1"}
    first = post(client, certified, {"eform-pages": "2"}, **key)
    again = post(client, certified, {"eform-pages": "2"}, **key)
    other = post(
        client,
        certified,
        {"eform-pages": "2", "fee_claim": "HO-NGHEO", "fee_proof-HO-NGHEO": "X"},
        **key,
    )
    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert DossierFee.objects.count() == 2


def test_the_counter_records_the_officers_counts_and_the_claim(certified: Procedure) -> None:
    officer = UserFactory(username="binh")
    data = {
        **APPLICANT,
        "fee_qty-pages": "12",
        "fee_qty-copies": "3",
        "fee_claim": ["HO-NGHEO"],
        "fee_proof-HO-NGHEO": "GCN 7",
    }
    version = certified.current_version
    assert version is not None
    component = version.components.get(is_required=True)
    draft = counter_dossier_check(
        procedure_code=certified.code,
        data=data,
        received=[ReceivedComponent(component.pk, originals=1)],
    )
    now = timezone.now()
    dossier = counter_dossier_insert(
        draft=draft, stored=[], unit=OneStopUnitFactory(), actor=officer, now=now, due_at=now
    )
    # 2 x 2.000 + 10 x 1.000 a copy, 3 copies; the charge claimed by a poor household.
    assert amounts(dossier) == [("P-CT", 42_000, "before"), ("LP", 0, "exempt")]
    assert DossierFee.objects.filter(dossier=dossier, computed_by=officer).count() == 2


def test_at_the_counter_a_blank_count_waits_and_a_bad_one_is_refused(
    certified: Procedure,
) -> None:
    version = certified.current_version
    assert version is not None
    received = [ReceivedComponent(version.components.get(is_required=True).pk, originals=1)]
    draft = counter_dossier_check(procedure_code=certified.code, data=APPLICANT, received=received)
    (copy, charge) = draft.fees.lines
    assert (copy.amount, copy.waiting_for, charge.amount) == (None, ("pages", "copies"), 8000)
    assert draft.fees.pending

    with pytest.raises(ValidationFailed) as raised:
        counter_dossier_check(
            procedure_code=certified.code,
            data={**APPLICANT, "fee_qty-pages": "2,5", "fee_claim": "HO-NGHEO"},
            received=received,
        )
    assert raised.value.field_errors == {
        "fee_qty-pages": [BAD_QUANTITY],
        "fee_proof-HO-NGHEO": [PROOF_REQUIRED],
    }


def test_replacing_the_lines_recounts_with_the_officers_counts_and_is_audited(
    client: Client, certified: Procedure
) -> None:
    post(client, certified, {"eform-pages": "1", "eform-copies": "1"})
    dossier = Dossier.objects.get()
    officer = UserFactory(username="binh")

    quote = dossier_fees_replace(
        dossier=dossier,
        actor=officer,
        quantities={"pages": 4, "copies": 2},
        claims=[Claim("HO-NGHEO", "GCN 9")],
    )

    assert [line.amount for line in quote.lines] == [12_000, 0]
    assert amounts(dossier) == [("P-CT", 12_000, "before"), ("LP", 0, "exempt")]
    entry = AuditEntry.objects.get(action="dossier.fees_replace")
    assert entry.actor == officer
    assert entry.before is not None and entry.after is not None
    assert [line["amount"] for line in entry.before["lines"]] == [2000, 0]
    assert [line["amount"] for line in entry.after["lines"]] == [12_000, 0]
    assert entry.after["lines"][1]["claims"] == [["HO-NGHEO", "GCN 9"]]


def test_replacing_with_a_missing_count_or_proof_changes_nothing(
    client: Client, certified: Procedure
) -> None:
    post(client, certified, {"eform-pages": "1", "eform-copies": "1"})
    dossier = Dossier.objects.get()
    # The e-form's pages are kept; a blank count given by the officer is refused.
    with pytest.raises(ValidationFailed) as raised:
        dossier_fees_replace(
            dossier=dossier,
            actor=UserFactory(),
            quantities={"pages": ""},
            claims=[Claim("HO-NGHEO", "")],
        )
    assert raised.value.field_errors == {
        "fee_qty-pages": [QUANTITY_REQUIRED],
        "fee_proof-HO-NGHEO": [PROOF_REQUIRED],
    }
    assert amounts(dossier) == [("P-CT", 2000, "before"), ("LP", 0, "exempt")]
    assert not AuditEntry.objects.filter(action="dossier.fees_replace").exists()


def test_a_dossier_recorded_before_fee_rules_has_no_lines(db: None) -> None:
    dossier = DossierFactory()
    assert dossier_fee_lines(dossier=dossier).lines == ()
    assert dossier_fee_lines(dossier=dossier.pk).total == 0


def receipt_text(client: Client, url: str) -> str:
    pdf = client.get(url)
    assert pdf.status_code == 200
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_the_receipt_prints_the_lines_and_the_total(client: Client, certified: Procedure) -> None:
    body = post(client, certified, {"eform-pages": "5", "eform-copies": "2"}).json()
    text = receipt_text(client, body["receipt_url"])
    assert (
        "7. Phí, lệ phí: nộp khi tiếp nhận 14.000 đồng. Gồm: Phí chứng thực 14.000 đồng (" in text
    )
    assert "; Lệ phí miễn (" in text


def test_an_old_dossier_s_receipt_keeps_its_versions_amounts(
    client: Client, certified: Procedure
) -> None:
    body = post(client, certified, {"eform-pages": "5"}).json()
    DossierFee.objects.all().delete()  # as a dossier recorded before fees were rules
    text = receipt_text(client, body["receipt_url"])
    assert "7. Phí, lệ phí: phí 2.000 đồng; lệ phí 8.000 đồng" in text


def test_the_submission_schema_says_what_it_accepts_and_returns(db: None) -> None:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    assert "fee_claim" in components["Submission"]["properties"]
    # A proof is a field named after the exemption it proves: said in the body's description.
    assert "`fee_proof-<code>`" in components["Submission"]["description"]
    assert "fees" in components["Submitted"]["properties"]
    line = components["FeeLine"]["properties"]
    assert {"code", "kind", "amount", "rule_text", "exemption_text", "due"} <= set(line)
    assert "/api/v1/procedures/{code}/fees/quote" in schema["paths"]
