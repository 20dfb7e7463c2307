"""``manage.py load_demo``: load the demo province (Thành phố Đà Nẵng); idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.demo.services import demo_load


class Command(BaseCommand):
    # `make run` checks the project in `migrate` and `runserver`; checking here too costs
    # seconds (the URLs import the PDF stack) and changes nothing.
    requires_system_checks: list[str] = []
    help = (
        "Create or refresh the demo province: agencies, procedures, processes, holidays, staff "
        "accounts and (once) dossiers."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        summary = demo_load()
        counts = summary.procedures.counts()
        self.stdout.write(
            f"{summary.units} current units, {summary.legacy_units} historic units, "
            f"{summary.agencies} agencies, procedures: "
            + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            + f", {summary.holidays} holidays seeded, {summary.staff} demo staff accounts created"
            + f", {summary.processes} processes created, {summary.dossiers} demo dossiers created"
            + f", {summary.postal_orders} postal orders created"
        )
