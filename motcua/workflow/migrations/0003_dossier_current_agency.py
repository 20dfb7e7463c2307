"""Fill Dossier.current_agency from each dossier's open step (one UPDATE, any database)."""

from django.db import migrations

FILL = """
UPDATE dossiers_dossier SET current_agency_id = (
    SELECT s.agency_id FROM workflow_dossierstep s
    WHERE s.dossier_id = dossiers_dossier.id AND s.finished_at IS NULL
)
WHERE id IN (SELECT dossier_id FROM workflow_dossierstep WHERE finished_at IS NULL)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0009_current_agency"),
        ("workflow", "0002_drop_unused_reminder_marks"),
    ]

    operations = [migrations.RunSQL(FILL, reverse_sql=migrations.RunSQL.noop, elidable=True)]
