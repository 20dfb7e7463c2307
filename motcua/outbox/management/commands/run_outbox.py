"""Send the messages to applicants: once (``--once``), or polling every few seconds.

Safe with several workers on several machines: each claims its own rows
(``SELECT ... FOR UPDATE SKIP LOCKED``) under a lease (``motcua.outbox.sending``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from motcua.outbox.adapters import sms_gateway
from motcua.outbox.sending import outbox_send_all

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Send the pending messages to applicants (e-mail and SMS), with retries and back-off."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Send what is due, then exit.")
        parser.add_argument(
            "--every", type=float, default=2.0, help="Seconds between two polls (default 2)."
        )

    def handle(self, *args: Any, once: bool, every: float, **options: Any) -> None:
        gateway = sms_gateway()
        try:
            while True:
                try:
                    sent = outbox_send_all(gateway=gateway)
                except Exception:
                    if once:
                        raise
                    logger.exception("sending messages failed; trying again")
                    sent = 0
                if once:
                    self.stdout.write(f"messages sent: {sent}")
                    return
                close_old_connections()  # a long-lived process: drop a broken connection
                if not sent:
                    time.sleep(max(0.1, every))
        finally:
            gateway.close()
