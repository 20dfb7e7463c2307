"""PostgreSQL only: a trigram index on the folded applicant name, for staff search.

``applicant_search LIKE '%nguyen thi hoa%'`` is then an index scan instead of
a scan of every dossier an officer may see. On SQLite this is a no-op.
"""

from django.db import migrations

INDEX = "dossiers_dossier_applicant_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON dossiers_dossier "
        "USING gin (applicant_search gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0006_waiting_answer_index"),
        ("catalog", "0002_search_extensions_and_trigram_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
