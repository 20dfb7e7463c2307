"""The receipt's link expires: a token copied from a log or a history soon opens nothing.

The applicant's path after "Nộp" (the confirmation page, its receipt link)
works within ``MOTCUA_RECEIPT_LINK_HOURS``; afterwards both say in Vietnamese
what to do instead (ask the one-stop unit, track by code).
"""

from __future__ import annotations

import time
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import (
    ReceiptLink,
    dossier_receipt_token,
    dossier_receipt_token_check,
    dossier_receipt_url,
)
from motcua.testing import DossierFactory, ProcedureFactory, cast_create

pytestmark = pytest.mark.django_db
HOUR = 60 * 60


@pytest.fixture
def dossier() -> Dossier:
    cast = cast_create()
    procedure = ProcedureFactory(agency=cast.agency)
    return DossierFactory(procedure=procedure, receiving_unit=cast.unit, applicant_name="Mai")


def made_ago(seconds: float, fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` as if it were ``seconds`` ago (the signer reads the clock)."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - seconds):
        return fn(*args, **kwargs)


def submitted_url(dossier: Dossier, token: str) -> str:
    return reverse("portal:submitted", kwargs={"code": dossier.code}) + f"?token={token}"


def test_a_token_opens_the_receipt_until_it_expires(dossier: Dossier, settings: Any) -> None:
    settings.MOTCUA_RECEIPT_LINK_HOURS = 72
    fresh = dossier_receipt_token(dossier)
    old = made_ago(71 * HOUR, dossier_receipt_token, dossier)
    expired = made_ago(73 * HOUR, dossier_receipt_token, dossier)
    assert dossier_receipt_token_check(dossier, fresh) is ReceiptLink.VALID
    assert dossier_receipt_token_check(dossier, old) is ReceiptLink.VALID
    assert dossier_receipt_token_check(dossier, expired) is ReceiptLink.EXPIRED
    settings.MOTCUA_RECEIPT_LINK_HOURS = 70
    assert dossier_receipt_token_check(dossier, old) is ReceiptLink.EXPIRED


@pytest.mark.parametrize("token", ["", "forged", "a.b", "a.b.c", "0.0"])
def test_a_forged_token_opens_nothing(dossier: Dossier, token: str) -> None:
    assert dossier_receipt_token_check(dossier, token) is ReceiptLink.INVALID


def test_a_token_opens_one_dossier_only(dossier: Dossier) -> None:
    other = DossierFactory(procedure=dossier.procedure, receiving_unit=dossier.receiving_unit)
    assert dossier_receipt_token_check(other, dossier_receipt_token(dossier)) is (
        ReceiptLink.INVALID
    )


def test_the_token_holds_no_code_and_needs_no_escaping(dossier: Dossier) -> None:
    token = dossier_receipt_token(dossier)
    assert dossier.code not in token
    url = dossier_receipt_url(dossier, token=token)
    assert url.endswith(f"?token={token}")
    assert parse_qs(urlsplit(url).query)["token"] == [token]


def test_an_expired_receipt_link_says_what_to_do_in_vietnamese(dossier: Dossier) -> None:
    url = made_ago(100 * HOUR, dossier_receipt_url, dossier)
    response = Client().get(url)
    assert response.status_code == 410
    html = response.content.decode()
    assert "Đường dẫn này đã hết hạn" in html
    assert "72 giờ" in html
    assert "bộ phận một cửa" in html
    assert reverse("portal:track-detail", args=[dossier.code]) in html
    assert "Mai" not in html  # no personal data on it
    assert response["Content-Type"].startswith("text/html")


def test_a_forged_receipt_link_is_still_refused(dossier: Dossier) -> None:
    url = reverse("dossiers:receipt", kwargs={"code": dossier.code})
    assert Client().get(url + "?token=0.forged").status_code == 403


def test_the_confirmation_page_carries_its_own_token_to_the_receipt(dossier: Dossier) -> None:
    token = made_ago(HOUR, dossier_receipt_token, dossier)
    response = Client().get(submitted_url(dossier, token))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    receipt = dossier_receipt_url(dossier, token=token)
    assert f'href="{receipt}"' in response.content.decode()
    assert Client().get(receipt).status_code == 200


def test_an_expired_confirmation_page_says_what_to_do(dossier: Dossier) -> None:
    token = made_ago(100 * HOUR, dossier_receipt_token, dossier)
    response = Client().get(submitted_url(dossier, token))
    assert response.status_code == 410
    html = response.content.decode()
    assert "Đường dẫn này đã hết hạn" in html
    assert "Mai" not in html
    assert Client().get(submitted_url(dossier, "forged")).status_code == 404


def test_an_expired_link_in_english(dossier: Dossier) -> None:
    url = made_ago(100 * HOUR, dossier_receipt_url, dossier)
    response = Client().get(url, headers={"Cookie": "django_language=en"})
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
