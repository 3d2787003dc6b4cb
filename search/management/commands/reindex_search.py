"""``python manage.py reindex_search`` (CONTRACT.md): rebuild the search index of the configured
engine behind its alias (a new index, then an atomic alias swap), and the database index, with
progress; exit 0 when done, 1 (with the reason) when the engine refused."""

from django.core.management.base import BaseCommand, CommandError

from search import indexing
from search.backends import engine


class Command(BaseCommand):
    help = "Lập lại chỉ mục tìm kiếm (Elasticsearch/OpenSearch sau bí danh, và chỉ mục CSDL)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--database-only", action="store_true", help="Chỉ lập lại chỉ mục trong CSDL."
        )
        parser.add_argument(
            "--engine-only", action="store_true", help="Chỉ lập lại chỉ mục của máy tìm kiếm."
        )

    def handle(self, *args, database_only=False, engine_only=False, **options):
        flavour = engine.flavour()
        target = flavour if flavour and not database_only else "cơ sở dữ liệu"
        self.stdout.write(f"Lập chỉ mục tìm kiếm ({target})…")
        try:
            summary = indexing.rebuild(
                self.stdout, engine=not database_only, database_index=not engine_only
            )
        except engine.EngineError as exc:
            raise CommandError(f"Máy tìm kiếm từ chối: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Xong: {summary['items']} mục trong {summary['seconds']} giây"
                + (f", bí danh {engine.alias()} → {summary['index']}." if summary["index"] else ".")
            )
        )
