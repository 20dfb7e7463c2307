"""StaffTokenAuthentication: one statement for the token, its user and roles; expiry in it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import exceptions
from rest_framework.authtoken.models import Token

from motcua.staff.authentication import INVALID_TOKEN, StaffTokenAuthentication
from motcua.staff.selectors import user_agency_roles
from motcua.staff.services import staff_token_issue
from motcua.testing import cast_create

pytestmark = pytest.mark.django_db


def test_a_valid_token_is_read_with_its_user_and_roles_in_one_statement() -> None:
    officer = cast_create().specialist
    key = staff_token_issue(user=officer)

    with CaptureQueriesContext(connection) as queries:
        user, token = StaffTokenAuthentication().authenticate_credentials(key)
        roles = user_agency_roles(user=user)

    assert len(queries) == 1
    assert user.pk == officer.pk and token.key == key
    assert roles == user_agency_roles(user=officer)


def test_an_expired_token_is_refused_in_the_same_statement() -> None:
    officer = cast_create().specialist
    key = staff_token_issue(user=officer)
    Token.objects.filter(key=key).update(
        created=Token.objects.get(key=key).created - dt.timedelta(hours=13)
    )

    with (
        CaptureQueriesContext(connection) as queries,
        pytest.raises(exceptions.AuthenticationFailed) as refused,
    ):
        StaffTokenAuthentication().authenticate_credentials(key)

    assert len(queries) == 1
    assert refused.value.detail == str(INVALID_TOKEN)


def test_a_shorter_lifetime_applies_to_tokens_already_issued(settings: object) -> None:
    officer = cast_create().specialist
    key = staff_token_issue(user=officer)
    Token.objects.filter(key=key).update(
        created=Token.objects.get(key=key).created - dt.timedelta(hours=2)
    )
    settings.MOTCUA_API_TOKEN_HOURS = 1  # type: ignore[attr-defined]
    with pytest.raises(exceptions.AuthenticationFailed):
        StaffTokenAuthentication().authenticate_credentials(key)


def test_an_unknown_token_is_refused() -> None:
    with pytest.raises(exceptions.AuthenticationFailed):
        StaffTokenAuthentication().authenticate_credentials("0" * 40)
