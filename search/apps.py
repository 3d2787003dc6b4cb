from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class SearchConfig(PluginConfig):
    """Search for everything a member can find: the kinds other plugins register
    (``registry.add_searchable``), folded for Vietnamese, filtered by the scope engine.

    It needs the scope engine (``orgtree``) and nothing else: it knows the kinds it searches only
    through the registry. It connects no signal receiver and registers no permission policy."""

    default = True
    name = "search"
    label = "search"
    verbose_name = _("Tìm kiếm")
    version = "1.0"
    depends_on = ("orgtree",)
    urls = "search.urls"

    def register(self, registry):
        from .api import SearchView

        registry.add_api_path("search/", SearchView, "search")
