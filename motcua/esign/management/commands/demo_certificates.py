"""Create the demo CA and one signing certificate per agency of the demo province (var/esign)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from motcua.demo import data
from motcua.esign import certificates


class Command(BaseCommand):
    help = (
        "Create (once) the demo root CA and a signing certificate for each agency of the demo "
        "province in ESIGN_DEMO_DIR (var/esign; never committed). Idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        ca = certificates.ca_ensure()
        agencies = {a["code"]: a["name"] for a in (*data.PROVINCE_AGENCIES, *data.PARTNER_AGENCIES)}
        try:  # agencies already loaded (communes' committees, ones added since)
            from motcua.organisation.models import Agency

            agencies |= dict(Agency.objects.values_list("code", "name"))
        except DatabaseError:  # not migrated yet: the demo's list is enough
            pass
        created = 0
        for code, name in sorted(agencies.items()):
            _path, made = certificates.agency_certificate_ensure(code=code, name=name)
            created += made
        self.stdout.write(
            f"demo CA {certificates.fingerprint(ca.certificate)[:16]}…; "
            f"{created} agency certificate(s) created, {len(agencies) - created} kept "
            f"({certificates.demo_dir()})"
        )
