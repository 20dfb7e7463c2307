"""Contract: the VNPT SmartCA adapter against the local simulator, over HTTP (live server)."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest

from motcua.core.errors import Conflict
from motcua.esign.models import SignedResult
from motcua.esign.signers import SigningUnavailable
from motcua.esign.smartca import SmartCAClient, SmartCAError
from motcua.esign.verification import Verdict, pdf_verify
from motcua.workflow import services

from .conftest import AtLeader

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smartca(live_server: Any, settings: Any) -> str:
    base = f"{live_server.url}/sim/smartca/"
    settings.ESIGN_SIGNER = "smartca"
    settings.ESIGN_SMARTCA_URL = base
    settings.ESIGN_SMARTCA_POLL = 0.05
    settings.ESIGN_SMARTCA_TIMEOUT = 3
    return base


def _control(base: str, **body: Any) -> None:
    assert httpx.post(f"{base}control/", json=body).json()["status_code"] == 0


def test_the_approval_signs_through_smartca(smartca: str, leader_step: AtLeader) -> None:
    _control(smartca, mode="ok", delay=2)  # the holder confirms after two polls
    services.dossier_mark_processed(dossier=leader_step.dossier, actor=leader_step.cast.leader)
    signed = SignedResult.objects.get(result__dossier=leader_step.dossier)
    assert signed.backend == "smartca"
    assert pdf_verify(signed.file.read()).verdict is Verdict.AUTHENTIC


def test_a_refused_transaction_refuses_the_approval(smartca: str, leader_step: AtLeader) -> None:
    _control(smartca, mode="refuse")
    with pytest.raises(Conflict) as error:
        services.dossier_mark_processed(dossier=leader_step.dossier, actor=leader_step.cast.leader)
    assert "refused" in str(error.value.message)
    assert not SignedResult.objects.exists()
    _control(smartca, mode="ok")


def test_a_service_down_or_a_wrong_password_is_told(smartca: str, leader_step: AtLeader) -> None:
    _control(smartca, mode="down")
    client = SmartCAClient(base_url=smartca, sp_id="demo-sp", sp_password="demo-sp-password")
    with pytest.raises(SmartCAError):
        client.certificate(user_id=leader_step.cast.agency.code)
    _control(smartca, mode="ok")
    wrong = SmartCAClient(base_url=smartca, sp_id="demo-sp", sp_password="nope")
    with pytest.raises(SmartCAError, match="sp_password"):
        wrong.certificate(user_id=leader_step.cast.agency.code)
    _control(smartca, mode="down")
    with pytest.raises(SigningUnavailable):
        services.dossier_mark_processed(dossier=leader_step.dossier, actor=leader_step.cast.leader)
    _control(smartca, mode="ok")


def test_a_signature_not_confirmed_in_time_is_refused(smartca: str, leader_step: AtLeader) -> None:
    _control(smartca, mode="ok", delay=1000)
    client = SmartCAClient(
        base_url=smartca, sp_id="demo-sp", sp_password="demo-sp-password", timeout=0.3, poll=0.05
    )
    with pytest.raises(SmartCAError, match="in time"):
        client.sign(
            user_id=leader_step.cast.agency.code,
            serial="",
            digest=bytes(32),
            doc_id="1",
            description="test",
        )
    _control(smartca, mode="ok")


def test_a_timestamp_server_set_puts_an_rfc3161_timestamp_in_the_signature(
    live_server: Any, settings: Any, leader_step: AtLeader
) -> None:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from motcua.esign.loop import outside_event_loop
    from motcua.esign.verification import trust_roots

    settings.ESIGN_TSA_URL = f"{live_server.url}/sim/smartca/tsa/"
    services.dossier_mark_processed(dossier=leader_step.dossier, actor=leader_step.cast.leader)
    signed = SignedResult.objects.get(result__dossier=leader_step.dossier)
    assert signed.timestamped
    data = signed.file.read()
    embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
    context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
    status = outside_event_loop(
        validate_pdf_signature, embedded, context, ts_validation_context=context
    )
    assert status.timestamp_validity is not None  # the signature's RFC 3161 token
    assert status.timestamp_validity.intact and status.timestamp_validity.trusted
    assert pdf_verify(data).verdict is Verdict.AUTHENTIC
