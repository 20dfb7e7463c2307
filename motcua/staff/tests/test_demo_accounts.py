"""The demo staff accounts made by load_demo."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model

from motcua.demo import data
from motcua.demo.services import demo_load
from motcua.organisation.models import Agency
from motcua.staff.models import StaffRole
from motcua.staff.selectors import user_has_role

pytestmark = pytest.mark.django_db


def test_demo_accounts_are_made_once_with_their_roles() -> None:
    first = demo_load()
    second = demo_load()

    assert first.staff == len(data.DEMO_STAFF)
    assert second.staff == 0
    assert StaffRole.objects.count() == len(data.DEMO_STAFF)
    for username, _name, role, agency_code in data.DEMO_STAFF:
        user = authenticate(username=username, password=data.DEMO_STAFF_PASSWORD)
        assert user is not None
        assert user.email == f"{username}@{data.DEMO_STAFF_MAIL_DOMAIN}"  # reminders go there
        agency_id = Agency.objects.get(code=agency_code).pk
        assert user_has_role(user=user, roles=[role], agency_id=agency_id)
    assert get_user_model().objects.get(username="quantri").is_superuser
