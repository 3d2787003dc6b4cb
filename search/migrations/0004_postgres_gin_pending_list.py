"""PostgreSQL only: a short pending list for the two full-text GIN indexes, emptied now.

A GIN index with ``fastupdate`` (the default) queues new entries in a pending list that every
query reads from end to end until a vacuum or ``gin_clean_pending_list`` merges it into the
index; the list may grow to ``gin_pending_list_limit`` (4 MB by default). After the province
was indexed, the title index's list held 478 pages: each autocomplete read them (486 buffers,
8 ms; 4 buffers, 0.7 ms once merged; bench/RESULTS.md, issue 15). 256 kB bounds what a query
can meet between two vacuums; ``database.analyze()`` merges the list after every bulk write."""

from django.db import migrations

INDEXES = ("search_entry_vector", "search_entry_title_vector")
FORWARD = [
    *(f"ALTER INDEX {name} SET (gin_pending_list_limit = 256)" for name in INDEXES),
    *(f"SELECT gin_clean_pending_list('{name}'::regclass)" for name in INDEXES),
]
BACKWARD = [f"ALTER INDEX {name} RESET (gin_pending_list_limit)" for name in INDEXES]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_postgres_vector_inline")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
