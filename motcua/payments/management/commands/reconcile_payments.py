"""Reconcile payments now: re-query pending ones; import a gateway's statement of a day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.payments.reconciliation import pending_requery, reconcile, statement_import


class Command(BaseCommand):
    help = (
        "Ask the gateways about pending payments and import yesterday's statements (as the "
        "periodic task does); with --gateway and --day, import that statement only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--gateway", default="", help="Gateway code (with --day).")
        parser.add_argument("--day", default="", help="Statement day, YYYY-MM-DD.")

    def handle(self, *args: Any, gateway: str, day: str, **options: Any) -> None:
        if not day:
            counts = reconcile()
            self.stdout.write(f"queried: {counts['queried']}, mismatches: {counts['mismatches']}")
            return
        try:
            when = dt.date.fromisoformat(day)
        except ValueError:
            raise CommandError("--day must be YYYY-MM-DD") from None
        if not gateway:
            raise CommandError("--day needs --gateway")
        queried = pending_requery()
        found = statement_import(gateway_code=gateway, day=when)
        self.stdout.write(f"queried: {queried}, mismatches: {len(found)}")
