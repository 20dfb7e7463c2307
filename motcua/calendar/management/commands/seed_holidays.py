"""``manage.py seed_holidays [--years 2024-2027]``: seed announced days, else ``holidays.VN``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.calendar.services import calendar_seed_holidays, parse_years
from motcua.core.errors import ValidationFailed


class Command(BaseCommand):
    help = (
        "Seed days off and swapped working days: the government's announcements for the "
        "years motcua/calendar/announced.py keeps, holidays.VN for the others. Days an "
        "administrator entered stay as they are. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--years",
            help="2026, 2024-2027 or 2024,2026 (default: settings.MOTCUA_HOLIDAY_YEARS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["years"] or settings.MOTCUA_HOLIDAY_YEARS
        try:
            years = parse_years(text)
        except ValidationFailed as exc:
            raise CommandError(str(exc.message)) from exc
        changed = calendar_seed_holidays(years=years)
        self.stdout.write(f"{changed} special days created or changed for {text}.")
