"""``manage.py demo_history [--scale S]``: the former Quảng Nam's dossiers of 2019, imported."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from motcua.history.demo import demo_history_write
from motcua.history.services import import_file


class Command(BaseCommand):
    requires_system_checks: list[str] = []
    help = (
        "Write the demo's file of the former province of Quảng Nam's dossiers of 2019 (6,754 "
        "received and 182,616 results returned by post; --scale for a smaller one) and import "
        "it through the importer; running it again changes nothing. Needs load_demo first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="Share of the rows (0-1].")

    def handle(self, *args: Any, scale: float, **options: Any) -> None:
        started = time.monotonic()
        path = Path(settings.VAR_DIR) / "demo" / f"quang-nam-2019-{scale:g}.csv"
        rows = demo_history_write(path, scale=scale)
        written = time.monotonic() - started
        batch, out = import_file(path=path)
        self.stdout.write(
            f"{rows:,} rows written to {path} in {written:.1f} s; batch {batch.pk}: "
            f"{out.created:,} created, {out.updated:,} updated, {out.unchanged:,} unchanged, "
            f"{out.rejected:,} rejected in {out.seconds:.1f} s"
        )
