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

    def register(self, registry):
        pass
