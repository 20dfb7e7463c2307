"""Sign-in with the national identity through the simulator: the code flow, and its refusals."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from motcua.applicants.models import Applicant
from motcua.audit.models import AuditEntry
from motcua.identity_sim.identities import identity_by_key

from . import idp

pytestmark = pytest.mark.usefixtures("identity_provider")


def test_a_citizen_signs_in_and_becomes_an_applicant(client: Client) -> None:
    answer = idp.sign_in(client, "cong-dan-muc-2")

    assert answer.status_code == 302
    assert answer["Location"] == "/ho-so-cua-toi/"
    applicant = Applicant.objects.get()
    identity = identity_by_key("cong-dan-muc-2")
    assert identity is not None
    assert applicant.subject == identity.subject
    assert applicant.id_number == identity.id_number
    assert applicant.name == identity.name
    assert applicant.loa == 2
    assert applicant.kind == "person"
    assert applicant.phone == identity.phone
    assert applicant.email == identity.email
    assert applicant.birthdate == identity.birthdate
    assert not applicant.user.has_usable_password()
    assert not applicant.user.is_staff
    assert client.get("/ho-so-cua-toi/").status_code == 200
    signed = AuditEntry.objects.get(action="auth.sign_in")
    assert signed.actor_id == applicant.user_id


def test_a_business_signs_in_with_its_tax_code(client: Client) -> None:
    idp.sign_in(client, "doanh-nghiep")

    applicant = Applicant.objects.get()
    assert applicant.kind == "organisation"
    assert applicant.tax_code == "0401234567"


def test_sign_in_returns_to_the_page_asked_for(client: Client) -> None:
    answer = idp.sign_in(client, "cong-dan-muc-2", next_url="/thu-tuc/")
    assert answer["Location"] == "/thu-tuc/"


def test_sign_in_never_returns_to_another_site(client: Client) -> None:
    answer = idp.sign_in(client, "cong-dan-muc-2", next_url="https://evil.example/")
    assert answer["Location"] == "/ho-so-cua-toi/"


def test_the_request_carries_state_nonce_and_a_pkce_challenge(client: Client) -> None:
    answer = client.get("/dang-nhap/vneid/")
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["response_type"] == ["code"]
    assert len(query["state"][0]) >= 32
    assert len(query["nonce"][0]) >= 32
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]


def _applicant_users() -> int:
    return get_user_model().objects.filter(username__startswith="vneid:").count()


def _refused(answer: Any, client: Client, text: str, before: int = 0) -> None:
    assert answer.status_code == 403
    assert text in answer.content.decode()
    assert Applicant.objects.count() == before
    assert _applicant_users() == before
    assert "_auth_user_id" not in client.session  # nobody signed in


def test_a_level_1_identity_is_refused_with_the_reason(client: Client) -> None:
    answer = idp.sign_in(client, "cong-dan-muc-1")
    _refused(answer, client, "mức 1")
    assert "mức 2" in answer.content.decode()


def test_a_forged_state_is_refused(client: Client) -> None:
    flow = idp.start_flow(client, "cong-dan-muc-2")
    answer = client.get(flow.with_params(state="x" * 32))
    _refused(answer, client, "đã hết hạn hoặc đã được dùng")


def test_a_callback_replayed_is_refused(client: Client) -> None:
    flow = idp.start_flow(client, "cong-dan-muc-2")
    assert client.get(flow.callback_url).status_code == 302
    client.post("/dang-xuat/")

    answer = client.get(flow.callback_url)
    _refused(answer, client, "đã hết hạn hoặc đã được dùng", before=1)


def test_a_callback_in_another_browser_is_refused(client: Client) -> None:
    flow = idp.start_flow(client, "cong-dan-muc-2")
    _refused(Client().get(flow.callback_url), client, "đã hết hạn hoặc đã được dùng")


def test_a_code_with_another_flows_verifier_is_refused_by_the_provider(client: Client) -> None:
    """A code given for one flow, sent with another flow's state: PKCE makes it useless."""
    first = idp.start_flow(client, "cong-dan-muc-2")
    second = idp.start_flow(client, "cong-dan-muc-2")
    other = Client()
    assert other.get(first.callback_url).status_code == 403  # not this browser's state
    answer = client.get(second.with_params(code=first.params["code"]))
    _refused(answer, client, "Không xác thực được")


def test_a_cancelled_sign_in_says_so(client: Client) -> None:
    flow = idp.start_flow(client, "cong-dan-muc-2")
    answer = client.get(
        f"/dang-nhap/vneid/xac-thuc/?error=access_denied&state={flow.params['state']}"
    )
    _refused(answer, client, "bị hủy")


def _tamper(monkeypatch: pytest.MonkeyPatch, change: Any) -> None:
    from motcua.applicants.oidc import IdentityBackend

    original = IdentityBackend.get_token

    def get_token(self: IdentityBackend, payload: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = original(self, payload)
        answer["id_token"] = change(answer["id_token"])
        return answer

    monkeypatch.setattr(IdentityBackend, "get_token", get_token)


def _claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"exp": 1_600_000_000, "iat": 1_599_999_000}, id="expired"),
        pytest.param({"nonce": "another-nonce"}, id="wrong-nonce"),
        pytest.param({"aud": "another-client"}, id="another-client"),
        pytest.param({"iss": "https://idp.example"}, id="another-issuer"),
        pytest.param({"sub": "someone-else"}, id="another-subject"),
    ],
)
def test_an_id_token_with_a_bad_claim_is_refused(
    client: Client,
    monkeypatch: pytest.MonkeyPatch,
    simulator_pem: str,
    change: dict[str, Any],
) -> None:
    kid = idp.signing_kid(client)
    _tamper(monkeypatch, lambda token: idp.signed(_claims(token) | change, simulator_pem, kid))
    _refused(idp.sign_in(client, "cong-dan-muc-2"), client, "Không xác thực được")


def test_an_id_token_signed_with_another_key_is_refused(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    kid = idp.signing_kid(client)
    forger = idp.rsa_pem()
    _tamper(monkeypatch, lambda token: idp.signed(_claims(token), forger, kid))
    _refused(idp.sign_in(client, "cong-dan-muc-2"), client, "Không xác thực được")


def test_an_id_token_replayed_into_another_sign_in_is_refused(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token captured from an earlier sign-in carries that sign-in's nonce."""
    captured: list[str] = []

    def capture(token: str) -> str:
        captured.append(token)
        return token

    _tamper(monkeypatch, capture)
    idp.sign_in(client, "cong-dan-muc-2")
    client.post("/dang-xuat/")

    _tamper(monkeypatch, lambda token: captured[0])
    _refused(idp.sign_in(client, "cong-dan-muc-2"), client, "Không xác thực được", before=1)


def test_an_unsigned_id_token_is_refused(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    _tamper(
        monkeypatch,
        lambda token: jwt.encode(_claims(token), key="", algorithm="none"),
    )
    _refused(idp.sign_in(client, "cong-dan-muc-2"), client, "Không xác thực được")


def test_sign_out_ends_the_session_and_the_providers(client: Client) -> None:
    idp.sign_in(client, "cong-dan-muc-2")
    answer = client.post("/dang-xuat/")

    assert answer.status_code == 302
    assert answer["Location"].startswith(f"{idp.ISSUER}/logout/?")
    assert "id_token_hint=" in answer["Location"]
    assert "_auth_user_id" not in client.session
    ended = client.get(answer["Location"])
    assert ended.status_code == 302
    assert ended["Location"] == "http://testserver/"


def test_sign_out_needs_a_post(client: Client) -> None:
    idp.sign_in(client, "cong-dan-muc-2")
    assert client.get("/dang-xuat/").status_code == 405
    assert "_auth_user_id" in client.session


def test_staff_pages_refuse_an_applicant(client: Client) -> None:
    idp.sign_in(client, "cong-dan-muc-2")
    assert client.get("/can-bo/").status_code == 403
    assert client.get("/admin/").status_code == 302  # to the staff sign-in: not staff


def test_a_signed_in_sign_in_again_keeps_one_applicant(client: Client) -> None:
    idp.sign_in(client, "cong-dan-muc-2")
    idp.sign_in(client, "cong-dan-muc-2")
    assert Applicant.objects.count() == 1


def test_without_a_provider_configured_sign_in_says_so(client: Client, settings: Any) -> None:
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "/authorize/"  # MOTCUA_IDENTITY_ISSUER unset
    answer = client.get("/dang-nhap/vneid/")
    assert answer.status_code == 503
    assert "chưa" in answer.content.decode()
