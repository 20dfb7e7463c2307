"""PostgreSQL only: the "vi" collation the lists sort with (``motcua.core.text.VI_COLLATION``).

ICU's Vietnamese collation when the server has ICU (letters a ă â ... đ ...
ơ ... ư, then tones, then case: the CLDR "vi" rules); otherwise the
operating system's vi_VN locale if installed, else byte order ("C"), so that
``COLLATE "vi"`` always exists. On SQLite the collation is a Python function
registered on every connection (``motcua.catalog.apps``): nothing to do here.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_collation WHERE collprovider = 'i' LIMIT 1")
        has_icu = cursor.fetchone() is not None
        cursor.execute(
            "SELECT collname FROM pg_collation WHERE collprovider = 'c' "
            "AND collname IN ('vi_VN.utf8', 'vi_VN.UTF-8') LIMIT 1"
        )
        libc = cursor.fetchone()
    if has_icu:
        schema_editor.execute(
            "CREATE COLLATION IF NOT EXISTS vi (provider = icu, locale = 'vi-VN')"
        )
    elif libc is not None:
        schema_editor.execute(f'CREATE COLLATION IF NOT EXISTS vi FROM "{libc[0]}"')
    else:
        schema_editor.execute('CREATE COLLATION IF NOT EXISTS vi FROM "C"')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP COLLATION IF EXISTS vi")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_seed_search_abbreviations")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
