from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.calendar.models import SpecialDay

pytestmark = pytest.mark.django_db


def test_seed_holidays_seeds_the_given_years_and_reports_it() -> None:
    out = StringIO()

    call_command("seed_holidays", "--years", "2026-2027", stdout=out)

    assert SpecialDay.objects.filter(date=dt.date(2027, 9, 2)).exists()
    assert not SpecialDay.objects.filter(date__year=2025).exists()
    assert "for 2026-2027" in out.getvalue()


def test_seed_holidays_defaults_to_the_years_in_settings(settings: object) -> None:
    settings.MOTCUA_HOLIDAY_YEARS = "2025"  # type: ignore[attr-defined]

    call_command("seed_holidays", stdout=StringIO())

    assert {d.year for d in SpecialDay.objects.values_list("date", flat=True)} == {2025}


def test_seed_holidays_refuses_malformed_years() -> None:
    with pytest.raises(CommandError):
        call_command("seed_holidays", "--years", "soon", stdout=StringIO())
