"""The simulator's one settings row, so that an administrator has it to edit."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def create(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("sms_sim", "SimulatorControl").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("sms_sim", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
