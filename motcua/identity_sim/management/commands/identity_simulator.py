"""``manage.py identity_simulator``: the simulator's signing key and the portal's client."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = (
        "Make the identity simulator's RSA signing key under var/ if missing (--key-only), "
        "and register the portal as its OpenID Connect client (idempotent)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--key-only", action="store_true", help="Only make the key.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.MOTCUA_IDENTITY_SIMULATOR:
            raise CommandError("MOTCUA_IDENTITY_SIMULATOR is off: there is no simulator.")
        from motcua.identity_sim.services import (
            demo_site_urls,
            portal_client_ensure,
            simulator_key_ensure,
        )

        if simulator_key_ensure(settings.MOTCUA_IDENTITY_SIMULATOR_KEY):
            self.stdout.write(f"Signing key written to {settings.MOTCUA_IDENTITY_SIMULATOR_KEY}")
        if options["key_only"]:
            return
        created = portal_client_ensure(site_urls=demo_site_urls())
        self.stdout.write("Portal client " + ("registered" if created else "up to date"))
