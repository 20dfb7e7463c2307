"""Search "everything I may see" from the access rows: their code and folded applicant name.

The access rows get copies of the dossier's code and folded name, filled
here from the dossiers; the newest-first index carries both (an index-only
scan filters a search among an agency's newest rows) and a second index
finds the start of a code among one agency's rows.

On PostgreSQL, ``motcua_name_terms(name)`` turns a folded name into the
words and the pairs of consecutive words it holds ("nguyen thi hoa" ->
nguyen, thi, hoa, nguyenthi, thihoa) and a GIN index over the agency and
those terms (``btree_gin``) finds a name among one agency's rows: the pair
"thihoa" is rare where the words "nguyen" and "thi" are in half the names,
so a full name is found in a few milliseconds among millions of rows.
``inbox._name_terms_query`` builds the query the index answers.
"""

from django.db import migrations, models

FILL = """
UPDATE dossiers_dossieraccess SET
    code = (SELECT d.code FROM dossiers_dossier d WHERE d.id = dossiers_dossieraccess.dossier_id),
    applicant_search = (
        SELECT d.applicant_search FROM dossiers_dossier d
        WHERE d.id = dossiers_dossieraccess.dossier_id
    )
"""

NAME_TERMS = r"""
CREATE OR REPLACE FUNCTION motcua_name_terms(name text) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT to_tsvector(
        'simple',
        array_to_string(w, ' ') || ' ' || coalesce(
            (SELECT string_agg(w[i] || w[i + 1], ' ')
             FROM generate_series(1, cardinality(w) - 1) AS i),
            ''
        )
    )
    FROM (SELECT array_remove(regexp_split_to_array(name, '[^a-z0-9]+'), '') AS w) AS words
$$
"""
INDEX = "access_name_terms"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(NAME_TERMS)
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON dossiers_dossieraccess "
        "USING gin (agency_id, motcua_name_terms(applicant_search))"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("DROP FUNCTION IF EXISTS motcua_name_terms(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_processing_cases"),
        ("dossiers", "0017_file_pages"),
        ("organisation", "0003_agency_notation"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="dossieraccess", name="access_newest"),
        migrations.AddField(
            model_name="dossieraccess",
            name="applicant_search",
            field=models.CharField(default="", max_length=200),
        ),
        migrations.AddField(
            model_name="dossieraccess",
            name="code",
            field=models.CharField(default="", max_length=40),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
        migrations.AddIndex(
            model_name="dossieraccess",
            index=models.Index(
                fields=["agency", "-received_at", "-dossier"],
                include=("code", "applicant_search"),
                name="access_newest",
            ),
        ),
        migrations.AddIndex(
            model_name="dossieraccess",
            index=models.Index(
                fields=["agency", "code"],
                include=("received_at", "dossier"),
                name="access_code_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops"],
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
