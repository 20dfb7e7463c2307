"""The counter's fees: the officer's counts and the claims with their proofs, the amount shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier, DossierFee, Status
from motcua.testing import Cast, ProcedureFactory, cast_create, fee_rules_add

from .test_pages import counter_post, signed_in

pytestmark = pytest.mark.django_db
COUNTER = reverse("backoffice:counter")


@pytest.fixture
def cast() -> Cast:
    return cast_create()


@pytest.fixture
def certified(cast: Cast) -> Procedure:
    return fee_rules_add(ProcedureFactory(agency=cast.agency, name="Chứng thực bản sao"))


def test_the_counter_form_asks_for_the_counts_and_the_claims(
    client: Client, cast: Cast, certified: Procedure
) -> None:
    signed_in(client, cast.receiving_officer)
    client.cookies["django_language"] = "en"
    html = client.get(COUNTER, {"procedure": certified.code}).content.decode()
    assert 'name="fee_qty-pages"' in html and 'for="fee_qty-pages">Số trang<' in html
    assert 'name="fee_qty-copies"' in html
    assert 'name="fee_claim" value="HO-NGHEO"' in html
    assert 'name="fee_proof-HO-NGHEO"' in html
    quote = reverse("portal:fee-quote", kwargs={"code": certified.code})
    assert f'hx-get="{quote}?channel=1"' in html
    assert "counted at intake" in html  # nothing counted yet


def test_the_counter_records_the_lines_with_the_officer_and_the_proof(
    client: Client, cast: Cast, certified: Procedure
) -> None:
    signed_in(client, cast.receiving_officer)
    data = counter_post(
        certified,
        "accept",
        **{
            "fee_qty-pages": "12",
            "fee_qty-copies": "3",
            "fee_claim": "HO-NGHEO",
            "fee_proof-HO-NGHEO": "GCN 44/2026",
        },
    )
    response = client.post(COUNTER, data)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    # Accepted; its fee is paid before processing (thu trước): it waits for the payment.
    assert dossier.status == Status.PAYMENT_REQUESTED
    lines = list(DossierFee.objects.filter(dossier=dossier))
    assert [(f.code, f.amount, f.due) for f in lines] == [
        ("P-CT", 42_000, "before"),
        ("LP", 0, "exempt"),
    ]
    assert lines[1].claims == [{"code": "HO-NGHEO", "proof": "GCN 44/2026"}]
    assert {f.computed_by for f in lines} == {cast.receiving_officer}


def test_a_claim_without_its_proof_is_refused_with_the_form_filled_back(
    client: Client, cast: Cast, certified: Procedure
) -> None:
    signed_in(client, cast.receiving_officer)
    data = counter_post(
        certified,
        "accept",
        **{"fee_qty-pages": "2", "fee_qty-copies": "x", "fee_claim": "HO-NGHEO"},
    )
    response = client.post(COUNTER, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.field_errors) == {"fee_qty-copies", "fee_proof-HO-NGHEO"}
    assert form.fees is not None
    assert [c.value for c in form.fees.counts] == ["2", "x"]
    assert form.fees.claims[0].checked and form.fees.claims[0].errors
    html = response.content.decode()
    assert 'id="fee_proof-HO-NGHEO-error"' in html
    assert not Dossier.objects.exists()
    assert not DossierFee.objects.exists()


def test_a_procedure_without_fee_rules_has_no_fee_inputs(client: Client, cast: Cast) -> None:
    procedure = ProcedureFactory(agency=cast.agency)
    assert procedure.current_version is not None
    procedure.current_version.fees.all().delete()
    signed_in(client, cast.receiving_officer)
    html = client.get(COUNTER, {"procedure": procedure.code}).content.decode()
    assert "fee_qty-" not in html and 'id="fees"' not in html
    assert client.post(COUNTER, counter_post(procedure, "accept")).status_code == 302
    assert not DossierFee.objects.exists()
