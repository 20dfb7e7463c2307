"""PostgreSQL only: the unaccent and pg_trgm extensions, and a trigram index for unit search.

On SQLite every step is a no-op, so the index lives in this migration and not
in the model's Meta (a GIN index cannot be declared for SQLite).
"""

from django.db import migrations

INDEX = "territory_unit_search_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON territory_administrativeunit "
        "USING gin (search_text gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("territory", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
