"""A province administrator edits, deactivates and reactivates staff accounts in the admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.forms import SplitDateTimeWidget
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from motcua.audit.models import AuditEntry
from motcua.staff.models import Role, StaffRole
from motcua.staff.services import staff_role_grant, staff_token_issue
from motcua.testing import AgencyFactory, UserFactory, cast_create

pytestmark = pytest.mark.django_db


def _form_fields(form: Any, data: dict[str, Any]) -> None:
    """Add the values a browser would send for ``form`` as rendered."""
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [getattr(v, "pk", v) for v in value]
        elif isinstance(field.widget, SplitDateTimeWidget):
            date, time = field.widget.decompress(value)
            data[f"{key}_0"], data[f"{key}_1"] = str(date), str(time)
        else:
            data[key] = getattr(value, "pk", value)


def change_form_data(client: Client, user: User) -> dict[str, Any]:
    """Return the POST body a browser sends for the user's change page, as rendered."""
    page = client.get(reverse("admin:auth_user_change", args=[user.pk]))
    assert page.status_code == 200
    data: dict[str, Any] = {}
    _form_fields(page.context["adminform"].form, data)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for inline_form in formset.forms:
            _form_fields(inline_form, data)
    return data


@pytest.fixture
def province_admin(client: Client) -> Client:
    client.force_login(UserFactory(username="quantri", is_staff=True, is_superuser=True))
    return client


def test_a_province_administrator_saves_a_staff_accounts_page(province_admin: Client) -> None:
    user = UserFactory(username="chuyenvien", email="cv@example.org")
    staff_role_grant(user=user, role=Role.SPECIALIST, agency=AgencyFactory())
    data = change_form_data(province_admin, user)
    data["first_name"] = "Lan"

    response = province_admin.post(reverse("admin:auth_user_change", args=[user.pk]), data)

    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.first_name == "Lan"
    assert StaffRole.objects.get(user=user).is_active


INBOX = "/api/v1/staff/dossiers"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api_status(key: str) -> int:
    return Client().get(INBOX, HTTP_AUTHORIZATION=f"Token {key}").status_code


def back_office_status(client: Client) -> int:
    return client.get(reverse("backoffice:inbox")).status_code


@pytest.fixture
def officer() -> User:
    user: User = cast_create().specialist
    return user


def test_deactivating_on_the_change_page_ends_every_session_and_the_token(
    province_admin: Client, officer: User
) -> None:
    browsers = [signed_in(officer), signed_in(officer)]
    key = staff_token_issue(user=officer)
    assert [back_office_status(b) for b in browsers] == [200, 200]
    assert api_status(key) == 200
    data = change_form_data(province_admin, officer)
    del data["is_active"]  # the box unticked

    response = province_admin.post(reverse("admin:auth_user_change", args=[officer.pk]), data)

    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    assert api_status(key) == 401
    assert not Token.objects.filter(user=officer).exists()
    entry = AuditEntry.objects.get(action="account.deactivate")
    assert (entry.actor_name, entry.object_id) == ("quantri", str(officer.pk))
    assert (entry.before, entry.after) == ({"is_active": True}, {"is_active": False})
    assert AuditEntry.objects.filter(action="auth.token_revoke", actor=entry.actor).exists()

    # Reactivated, the account signs in again, but the old sessions stay ended.
    data["is_active"] = "on"
    province_admin.post(reverse("admin:auth_user_change", args=[officer.pk]), data)
    officer.refresh_from_db()
    assert officer.is_active
    assert AuditEntry.objects.filter(action="account.reactivate").exists()
    assert [back_office_status(b) for b in browsers] == [302, 302]
    assert back_office_status(signed_in(officer)) == 200


def test_the_list_actions_deactivate_and_reactivate(province_admin: Client, officer: User) -> None:
    browser = signed_in(officer)
    url = reverse("admin:auth_user_changelist")
    body = {"_selected_action": [officer.pk], "index": 0}

    province_admin.post(url, {**body, "action": "deactivate_accounts"})
    officer.refresh_from_db()
    assert not officer.is_active
    assert back_office_status(browser) == 302

    province_admin.post(url, {**body, "action": "reactivate_accounts"})
    officer.refresh_from_db()
    assert officer.is_active
    assert back_office_status(browser) == 302  # still signed out
    assert [e.action for e in AuditEntry.objects.filter(kind="change").order_by("id")][-2:] == [
        "account.deactivate",
        "account.reactivate",
    ]


def test_an_agency_administrator_can_neither_edit_nor_deactivate_accounts(
    officer: User,
) -> None:
    agency = StaffRole.objects.filter(user=officer).first().agency  # type: ignore[union-attr]
    admin = UserFactory(username="quantri.coquan")
    StaffRole.objects.create(user=admin, role=Role.AGENCY_ADMIN, agency=agency)
    client = signed_in(admin)

    page = client.get(reverse("admin:auth_user_change", args=[officer.pk]))
    assert page.status_code == 200  # the view-only page of their agency's staff
    assert b'name="is_active"' not in page.content
    response = client.post(
        reverse("admin:auth_user_changelist"),
        {"_selected_action": [officer.pk], "index": 0, "action": "deactivate_accounts"},
    )
    assert response.status_code in (302, 403)
    officer.refresh_from_db()
    assert officer.is_active


def test_changing_the_password_ends_the_sessions_and_token_but_the_admins_own(
    province_admin: Client, officer: User
) -> None:
    browser = signed_in(officer)
    key = staff_token_issue(user=officer)
    url = reverse("admin:auth_user_password_change", args=[officer.pk])
    new = "mat-khau-moi-2026-x"

    response = province_admin.post(url, {"password1": new, "password2": new})

    assert response.status_code == 302
    assert back_office_status(browser) == 302
    assert api_status(key) == 401
    assert AuditEntry.objects.filter(action="account.password_change", actor__username="quantri")

    admin = User.objects.get(username="quantri")
    own = reverse("admin:auth_user_password_change", args=[admin.pk])
    assert province_admin.post(own, {"password1": new, "password2": new}).status_code == 302
    assert province_admin.get(reverse("admin:index")).status_code == 200


def test_a_token_expires_after_the_configured_hours(officer: User, settings: Any) -> None:
    settings.MOTCUA_API_TOKEN_HOURS = 12
    key = staff_token_issue(user=officer)
    token = Token.objects.get(key=key)
    assert api_status(key) == 200

    Token.objects.filter(key=key).update(created=token.created - dt.timedelta(hours=11))
    assert api_status(key) == 200
    Token.objects.filter(key=key).update(created=token.created - dt.timedelta(hours=12, seconds=1))
    assert api_status(key) == 401

    # Asked for again, the API hands out a new token in place of the expired one.
    renewed = staff_token_issue(user=officer)
    assert renewed != key
    assert api_status(renewed) == 200
    assert Token.objects.filter(user=officer).count() == 1


def test_tokens_are_listed_and_revoked_in_the_admin_without_showing_the_key(
    province_admin: Client, officer: User
) -> None:
    key = staff_token_issue(user=officer)
    listing = province_admin.get(reverse("admin:authtoken_tokenproxy_changelist"))
    assert listing.status_code == 200
    assert officer.username in listing.content.decode()
    assert key not in listing.content.decode()

    url = reverse("admin:authtoken_tokenproxy_delete", args=[officer.pk])
    assert province_admin.post(url, {"post": "yes"}).status_code == 302

    assert api_status(key) == 401
    entry = AuditEntry.objects.get(action="auth.token_revoke")
    assert (entry.actor_name, entry.object_id) == ("quantri", str(officer.pk))
    assert key not in str(entry.after) + entry.object_repr + entry.note


def test_an_agency_administrator_does_not_see_the_tokens(officer: User) -> None:
    staff_token_issue(user=officer)
    agency = StaffRole.objects.filter(user=officer).first().agency  # type: ignore[union-attr]
    admin = UserFactory(username="quantri.coquan")
    StaffRole.objects.create(user=admin, role=Role.AGENCY_ADMIN, agency=agency)
    client = signed_in(admin)
    assert client.get(reverse("admin:authtoken_tokenproxy_changelist")).status_code == 403


def test_creating_and_editing_an_account_are_audited(province_admin: Client) -> None:
    password = "mat-khau-moi-2026-x"
    response = province_admin.post(
        reverse("admin:auth_user_add"),
        {
            "username": "canbo.moi",
            "password1": password,
            "password2": password,
            "usable_password": "true",
            "staff_roles-TOTAL_FORMS": 0,
            "staff_roles-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="canbo.moi")
    created = AuditEntry.objects.get(action="account.create")
    assert (created.actor_name, created.object_id) == ("quantri", str(user.pk))

    data = change_form_data(province_admin, user)
    data["is_staff"] = "on"
    province_admin.post(reverse("admin:auth_user_change", args=[user.pk]), data)
    changed = AuditEntry.objects.get(action="account.change")
    assert (changed.before, changed.after) == ({"is_staff": False}, {"is_staff": True})


def test_sessions_kept_in_the_cache_too_are_ended(
    province_admin: Client, officer: User, settings: Any
) -> None:
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    browser = signed_in(officer)
    assert back_office_status(browser) == 200
    url = reverse("admin:auth_user_changelist")
    body = {"_selected_action": [officer.pk], "index": 0}
    province_admin.post(url, {**body, "action": "deactivate_accounts"})
    province_admin.post(url, {**body, "action": "reactivate_accounts"})
    assert back_office_status(browser) == 302
