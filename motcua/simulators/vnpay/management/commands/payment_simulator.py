"""Send the payment simulators' notifications when they fall due (`make run` runs it)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from motcua.simulators.dvcqg_payment.models import PlatformNotification
from motcua.simulators.payment_delivery import deliver_due
from motcua.simulators.vnpay.models import SimNotification


class Command(BaseCommand):
    help = "Deliver the VNPAY and national-platform simulators' IPNs that are due (a loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver what is due, then stop.")
        parser.add_argument("--every", type=float, default=1.0, help="Seconds between rounds.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PAYMENTS_SIMULATOR:
            self.stderr.write("PAYMENTS_SIMULATOR is off: nothing to simulate.")
            return
        while True:
            sent = deliver_due(SimNotification) + deliver_due(PlatformNotification)
            if sent:
                self.stdout.write(f"{sent} notification(s) delivered")
            if options["once"]:
                return
            time.sleep(options["every"])
