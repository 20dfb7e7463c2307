"""Seed the rating criteria (``motcua.ratings.criteria``); an administrator's rows are kept."""

from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from motcua.ratings.criteria import CRITERIA

    criterion = apps.get_model("ratings", "Criterion")
    for order, row in enumerate(CRITERIA, start=1):
        criterion.objects.get_or_create(
            code=row.code,
            defaults={
                "name": row.name,
                "name_en": row.name_en,
                "source": row.source,
                "order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("ratings", "0001_ratings")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
