"""The reveal log is append-only in the database too: on PostgreSQL a trigger refuses every
UPDATE and DELETE of a reveal request, decision or access (the models refuse them as well, on
every database). TRUNCATE is left to the test runner's flush."""

from django.db import migrations

TABLES = ("feedback_revealrequest", "feedback_revealdecision", "feedback_revealaccess")

FUNCTION = """
CREATE OR REPLACE FUNCTION feedback_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'feedback reveal log is append-only (%% on %%)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION feedback_append_only()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS feedback_append_only()")


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
