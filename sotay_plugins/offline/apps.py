from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class OfflineConfig(PluginConfig):
    """Offline reading (issue 18): what a member's phone may keep, and which of it is still theirs.

    The items come from the modules (``registry.offline_sources``: editorial's bookmarked and
    recent pages, meetings' next meeting and materials, members' card); this plugin only gathers
    them for the service worker (``/sw.js``, served by the core) and answers its re-check."""

    default = True
    name = "sotay_plugins.offline"
    label = "offline"
    verbose_name = _("Đọc khi không có mạng")
    version = "0.1"
    depends_on = ()

    def register(self, registry):
        from .api import OfflineManifestView, RecheckView

        registry.add_api_path("offline/manifest/", OfflineManifestView, "offline-manifest")
        registry.add_api_path("offline/recheck/", RecheckView, "offline-recheck")
