from __future__ import annotations

from django.contrib.auth.models import User

from motcua.core.names import person_name


def test_the_family_name_comes_first() -> None:
    user = User(username="thu", first_name="Thu", last_name="Nguyễn Thị")
    assert person_name(user) == "Nguyễn Thị Thu"


def test_without_a_name_the_username_stands_for_it() -> None:
    assert person_name(User(username="binh")) == "binh"
    assert person_name(None) == ""
