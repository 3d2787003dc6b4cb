from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class SearchConfig(PluginConfig):
    """Search for everything a member can find: the kinds other plugins register
    (``registry.add_searchable``), folded for Vietnamese, filtered by the scope engine, answered
    by Elasticsearch/OpenSearch when configured and by the database otherwise.

    It needs the scope engine (``orgtree``) and nothing else: it knows the kinds it searches only
    through the registry. Its one receiver (``indexing.on_change``, on every model's save and on
    the deletions of the registered kinds' models) routes their changes to the outbox."""

    default = True
    name = "search"
    label = "search"
    verbose_name = _("Tìm kiếm")
    version = "2.0"
    depends_on = ("orgtree",)
    urls = "search.urls"

    def ready(self):
        super().ready()
        from . import indexing

        indexing.connect()

    def register(self, registry):
        from sotay_plugins.registry import DemoSeeder

        from .api import HealthView, SearchView, SuggestView
        from .demo import seed_demo

        registry.add_api_path("search/", SearchView, "search")
        registry.add_api_path("search/suggest/", SuggestView, "search-suggest")
        registry.add_api_path("search/health/", HealthView, "search-health")
        # Last: after every module has written its demo items, index them all.
        registry.add_demo_seeder(DemoSeeder("search", seed_demo, order=10_000))
