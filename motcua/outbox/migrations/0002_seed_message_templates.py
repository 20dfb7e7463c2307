"""Seed the message templates from the built-in texts (kept if an administrator edited them)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from motcua.outbox.defaults import DEFAULT_TEMPLATES


def seed(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    template = apps.get_model("outbox", "MessageTemplate")
    for kind, languages in DEFAULT_TEMPLATES.items():
        for language, (subject, body, sms) in languages.items():
            template.objects.get_or_create(
                kind=kind,
                language=language,
                defaults={"subject": subject, "body": body, "sms": sms},
            )


class Migration(migrations.Migration):
    dependencies = [("outbox", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
