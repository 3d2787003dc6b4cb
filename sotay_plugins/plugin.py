"""The base AppConfig of every plugin: its metadata and the one place it registers from."""

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured

from .registry import registry


class PluginConfig(AppConfig):
    """Metadata of a plugin.

    ``verbose_name`` is the Vietnamese label; ``version`` a string; ``depends_on`` the labels of
    the plugins it needs (checked at start-up). ``register(registry)`` adds the plugin's
    roles, capabilities, tabs, cards, statistics, searchable kinds and API routes. A plugin
    that connects signal receivers or registers permission policies does so in its ``ready()``
    (after ``super().ready()``, typically from a ``receivers.py``), never as a side effect of
    importing a module.
    """

    default_auto_field = "django.db.models.BigAutoField"
    version = "0"
    depends_on: tuple[str, ...] = ()
    is_sotay_plugin = True

    def ready(self):
        installed = {config.label for config in apps.get_app_configs()}
        missing = [label for label in self.depends_on if label not in installed]
        if missing:
            raise ImproperlyConfigured(
                f"Plugin '{self.label}' needs plugin(s) {', '.join(missing)} enabled."
            )
        self.register(registry)

    def register(self, registry):
        """Override to add what the plugin offers."""


def enabled_plugins():
    return [
        config for config in apps.get_app_configs() if getattr(config, "is_sotay_plugin", False)
    ]
