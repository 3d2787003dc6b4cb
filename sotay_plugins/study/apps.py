from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class StudyConfig(PluginConfig):
    default = True
    name = "sotay_plugins.study"
    label = "study"
    verbose_name = _("Học tập nghị quyết")
    version = "0.1"
    depends_on = ("orgtree", "members", "attendance")
    urls = "sotay_plugins.study.urls"

    def ready(self):
        super().ready()
        # points
        from .points.wiring import ready as points_ready

        points_ready()

    def register(self, registry):
        # points
        from .points.wiring import register as points_register

        points_register(registry)
