"""Seed the rating criteria (``motcua.ratings.criteria``); an administrator's rows are kept."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from motcua.ratings.criteria import criteria_seed

    criteria_seed(apps.get_model("ratings", "Criterion"))


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_ratings")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
