"""Send the VNPost simulator's webhooks when they fall due (`make run` runs it)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from motcua.simulators.payment_delivery import deliver_due
from motcua.simulators.vnpost.models import SimWebhook


class Command(BaseCommand):
    help = "Deliver the VNPost simulator's webhooks that are due (a loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver what is due, then stop.")
        parser.add_argument("--every", type=float, default=1.0, help="Seconds between rounds.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.POSTAL_SIMULATOR:
            self.stderr.write("POSTAL_SIMULATOR is off: nothing to simulate.")
            return
        while True:
            sent = deliver_due(SimWebhook)
            if sent:
                self.stdout.write(f"{sent} webhook(s) delivered")
            if options["once"]:
                return
            time.sleep(options["every"])
