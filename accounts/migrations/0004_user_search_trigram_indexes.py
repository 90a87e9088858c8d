"""Trigram indexes for the searches of people by name, email or username (`icontains`, which
Django runs as `UPPER(column::text) LIKE UPPER('%term%')`): Find Issued Badges' Student filter,
the Choose Student(s) search. Without them each search reads every row of accounts_user: 127 ms for
100,000 users, 17 ms with them (docs/performance.md). PostgreSQL only (pg_trgm, a trusted extension:
the database owner may create it); nothing on SQLite."""

from django.db import migrations

COLUMNS = ("first_name", "last_name", "email", "username")


def _index(column: str) -> str:
    return f"user_{column}_trgm_idx"


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("accounts", "User")._meta.db_table)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_index(column)} ON {table} "
            f"USING gin (UPPER({schema_editor.quote_name(column)}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index(column)}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_name_index"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
