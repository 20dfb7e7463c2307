"""Seed the sector metrics and their target indicators (``motcua.sector.seed``)."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from motcua.sector.seed import metrics_seed

    metrics_seed(
        apps.get_model("sector", "SectorMetric"), apps.get_model("targets", "TargetIndicator")
    )


class Migration(migrations.Migration):
    dependencies = [("sector", "0001_sector"), ("targets", "0002_seed_indicators")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
