"""Begin each procedure's history: one row from the day of its first version, as it is now."""

from typing import Any

from django.db import migrations
from django.db.models import Min
from django.utils import timezone

BATCH = 500


def backfill(apps: Any, schema_editor: Any) -> None:
    procedure_model = apps.get_model("catalog", "Procedure")
    provision_model = apps.get_model("catalog", "ProcedureProvision")
    now = timezone.now()
    today = timezone.localdate(now)
    rows = []
    procedures = (
        procedure_model.objects.filter(provisions__isnull=True)
        .annotate(first_version_at=Min("versions__created_at"))
        .order_by("pk")
    )
    for procedure in procedures.iterator(chunk_size=BATCH):
        first = procedure.first_version_at
        rows.append(
            provision_model(
                procedure_id=procedure.pk,
                valid_from=timezone.localdate(first) if first is not None else today,
                valid_to=None,
                online_level=procedure.online_level,
                legacy_online_level=procedure.legacy_online_level,
                is_published=procedure.is_published,
                agency_id=procedure.agency_id,
                level=procedure.level,
                source="backfill",
                recorded_at=now,
            )
        )
    provision_model.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_procedure_provision")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
