from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class ReportsConfig(PluginConfig):
    default = True
    name = "sotay_plugins.reports"
    label = "reports"
    verbose_name = _("Báo cáo – Thống kê")
    version = "0.1"
    depends_on = ("orgtree", "members")
    urls = "sotay_plugins.reports.urls"

    def ready(self):
        super().ready()
        # rollups

        # exports

    def register(self, registry):
        # rollups
        from .rollups.wiring import register as register_rollups

        register_rollups(registry)

        # exports
        from .exports.wiring import register as register_exports

        register_exports(registry)
