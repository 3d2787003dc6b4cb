"""PostgreSQL only: the words of every entry in a generated ``tsvector`` (title and number
weighted A, the body D) with a GIN index, and the title words for autocomplete, so a query
reads an index instead of every row. SQLite (the embedded demo) has neither and matches
folded words with LIKE. The columns are not fields of the model: queries name them in SQL."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE search_entry ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title_folded, '') || ' ' || "
    "coalesce(number_key, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(folded, '')), 'D')) STORED",
    "CREATE INDEX search_entry_vector ON search_entry USING gin (vector)",
    "ALTER TABLE search_entry ADD COLUMN title_vector tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple', coalesce(title_folded, '') || ' ' || coalesce(number_key, ''))) STORED",
    "CREATE INDEX search_entry_title_vector ON search_entry USING gin (title_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_entry_title_vector",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS title_vector",
    "DROP INDEX IF EXISTS search_entry_vector",
    "ALTER TABLE search_entry DROP COLUMN IF EXISTS vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
