"""Seed the target indicators (``motcua.targets.seed``); an administrator's rows are kept."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from motcua.targets.seed import indicators_seed

    indicators_seed(apps.get_model("targets", "TargetIndicator"))


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_targets")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
