"""Fill the access rows of the dossiers that exist: receiving unit, deciding agency, step agencies."""

from django.db import migrations

FILL = """
INSERT INTO dossiers_dossieraccess (dossier_id, agency_id, procedure_id, status, received_at)
SELECT DISTINCT w.dossier_id, w.agency_id, d.procedure_id, d.status, d.received_at
FROM (
    SELECT id AS dossier_id, receiving_unit_id AS agency_id FROM dossiers_dossier
    UNION SELECT id, competent_agency_id FROM dossiers_dossier
    UNION SELECT dossier_id, agency_id FROM workflow_dossierstep
) w
JOIN dossiers_dossier d ON d.id = w.dossier_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0011_supplements_and_access"),
        ("workflow", "0004_unassigned_steps_index"),
    ]

    operations = [migrations.RunSQL(FILL, migrations.RunSQL.noop)]
