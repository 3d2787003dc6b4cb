"""PostgreSQL only: keep each entry's ``tsvector`` inside its row and push the long texts out.

An entry's row (titles, body, folded body, vector: ~5 KB) is over PostgreSQL's 2 KB TOAST
threshold, and the toaster had moved the vector and the titles (storage EXTENDED, the default)
out of line: every ``vector @@ query`` and every title the ranking compares was fetched from
the TOAST table, ~11 buffers a row, 46,000 for a member's 4,000 visible entries on a common
word (100+ ms). With them kept in the row (MAIN) and the body and the folded body moved out
first (EXTERNAL: they are read only for the 20 snippets of a page), the same query reads 2,300
buffers (bench/RESULTS.md, issue 15). The rows are rewritten once so that the existing ones
take the new layout."""

from django.db import migrations

FORWARD = [
    # What each match reads (the vectors, the titles the ranking compares) stays in the row;
    # the long texts leave it first, and only when the row passes 4 KB (not 2 KB).
    "ALTER TABLE search_entry SET (toast_tuple_target = 4096)",
    "ALTER TABLE search_entry "
    + ", ".join(
        f"ALTER COLUMN {column} SET STORAGE MAIN"
        for column in (
            "vector",
            "title_vector",
            "title",
            "title_lower",
            "title_folded",
            "number",
            "number_key",
            "issuer_name",
        )
    )
    + ", ALTER COLUMN body SET STORAGE EXTERNAL, ALTER COLUMN folded SET STORAGE EXTERNAL",
    # Values already moved out stay out on an UPDATE that keeps them: write new ones.
    "UPDATE search_entry SET title = title || '', title_lower = title_lower || '', "
    "title_folded = title_folded || '', body = body || '', folded = folded || ''",
]
BACKWARD = [
    "ALTER TABLE search_entry RESET (toast_tuple_target)",
    "ALTER TABLE search_entry "
    + ", ".join(
        f"ALTER COLUMN {column} SET STORAGE EXTENDED"
        for column in (
            "vector",
            "title_vector",
            "title",
            "title_lower",
            "title_folded",
            "number",
            "number_key",
            "issuer_name",
            "body",
            "folded",
        )
    ),
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgres_text_indexes")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
