"""Load today's provinces and communes, and the units before 1 July 2025 with their successors."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.territory.models import AdministrativeUnit, UnitEra, UnitLevel
from motcua.territory.services import units_load_current, units_load_legacy


class Command(BaseCommand):
    help = (
        "Create or refresh the 34 current provinces and the communes of the given provinces "
        "(--province 48 --province 01) or of all of them (--all); with --all, or with "
        "--legacy-province 48 --legacy-province 49, also the provinces, districts and communes "
        "before 1 July 2025 and the current units that took them over. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", action="append", default=[], help="province code")
        parser.add_argument(
            "--legacy-province",
            action="append",
            default=[],
            help="code of a province before 1 July 2025: load its units and their successors",
        )
        parser.add_argument(
            "--all", action="store_true", help="every current commune and every historic unit"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        codes: list[str] = options["province"]
        if options["all"]:
            codes = [f"{n}" for n in range(1, 100)]
        written = units_load_current(with_communes_of=codes)
        current = AdministrativeUnit.objects.filter(
            level=UnitLevel.COMMUNE, era=UnitEra.CURRENT
        ).count()
        self.stdout.write(f"{written} units written; {current} current communes in the database")
        legacy: list[str] | None = options["legacy_province"] or None
        if options["all"] or legacy:
            try:
                load = units_load_legacy(provinces=None if options["all"] else legacy)
            except DomainError as error:
                raise CommandError(str(error.message)) from error
            self.stdout.write(
                f"before 1 July 2025: {load.provinces} provinces, {load.districts} districts, "
                f"{load.communes} communes; successor links +{load.links_added} "
                f"-{load.links_removed}"
            )
            if load.match.other_code or load.match.unmatched:
                self.stdout.write(
                    f"today's communes coded differently by the two packages (kept "
                    f"vietnam-provinces'): {len(load.match.other_code)}; unmatched: "
                    f"{len(load.match.unmatched)}"
                )
        self.stdout.write(f"done in {time.monotonic() - started:.1f} s")
