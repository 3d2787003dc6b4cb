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
        # quizzes
        from sotay_plugins.orgtree.admin.scoped import register_scope_policy

        from .quizzes import permissions as quiz_permissions

        for policy in quiz_permissions.POLICIES:
            register_scope_policy(policy)

    def register(self, registry):
        # quizzes
        from .quizzes.apps import register as register_quizzes

        register_quizzes(registry)
