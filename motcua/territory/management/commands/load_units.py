"""Load the current provinces and communes from the vietnam-provinces package."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.territory.services import units_load_current


class Command(BaseCommand):
    help = (
        "Create or refresh the 34 current provinces and the communes of the given provinces "
        "(--province 48 --province 01) or of all of them (--all). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", action="append", default=[], help="province code")
        parser.add_argument("--all", action="store_true", help="communes of every province")

    def handle(self, *args: Any, **options: Any) -> None:
        codes: list[str] = options["province"]
        if options["all"]:
            codes = [f"{n}" for n in range(1, 100)]
        written = units_load_current(with_communes_of=codes)
        communes = AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, era=UnitEra.CURRENT
        ).count()
        self.stdout.write(f"{written} units written; {communes} current communes in the database")
