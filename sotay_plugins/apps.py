from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The core: registry, job outbox, flag sets. Not a plugin; every plugin builds on it."""

    name = "sotay_plugins"
    label = "sotay"
    verbose_name = _("Lõi Sổ tay")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Receivers are connected here, never as a side effect of importing their module.
        from django.core.signals import setting_changed

        from . import front

        setting_changed.connect(front.forget, dispatch_uid="sotay.front.forget")
