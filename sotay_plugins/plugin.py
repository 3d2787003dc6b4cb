"""The base AppConfig of every plugin: its metadata and the one place it registers from."""

from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured

from .registry import registry


class PluginConfig(AppConfig):
    """Metadata of a plugin, checked at start-up (``ready``).

    - ``verbose_name``: the Vietnamese label; ``version``: a string.
    - ``depends_on``: the labels of the plugins it needs; ``requires``: the labels of the other
      Django apps it builds on (Wagtail's documents, images…). A missing one stops start-up.
    - ``urls``: the dotted path of its member-facing URLconf (``config/urls.py`` mounts it at
      ``url_prefix``), or None: it has no routes of its own. A module that does not exist stops
      start-up (a misspelt name never leaves a plugin silently without routes).
    - ``register(registry)`` adds the plugin's roles, capabilities, tabs, cards, statistics,
      searchable kinds and API routes. A plugin that connects signal receivers or registers
      permission policies does so in its ``ready()`` (after ``super().ready()``, typically from
      a ``receivers.py``), never as a side effect of importing a module.
    """

    default_auto_field = "django.db.models.BigAutoField"
    version = "0"
    depends_on: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    urls: str | None = None
    url_prefix = ""
    is_sotay_plugin = True

    def ready(self):
        self.check_declarations()
        self.register(registry)

    def check_declarations(self):
        installed = {config.label for config in apps.get_app_configs()}
        missing = [label for label in self.depends_on if label not in installed]
        if missing:
            raise ImproperlyConfigured(
                f"Plugin '{self.label}' needs plugin(s) {', '.join(missing)} enabled."
            )
        missing = [label for label in self.requires if label not in installed]
        if missing:
            raise ImproperlyConfigured(
                f"Plugin '{self.label}' needs app(s) {', '.join(missing)} in INSTALLED_APPS."
            )
        if self.urls is not None and _spec(self.urls) is None:
            raise ImproperlyConfigured(
                f"Plugin '{self.label}' declares urls = {self.urls!r}: no such module."
            )
        if self.url_prefix and not self.url_prefix.endswith("/"):
            raise ImproperlyConfigured(
                f"Plugin '{self.label}': url_prefix {self.url_prefix!r} must end with '/'."
            )

    def register(self, registry):
        """Override to add what the plugin offers."""


def _spec(dotted):
    try:
        return find_spec(dotted)
    except ModuleNotFoundError:  # a parent package is missing
        return None


def enabled_plugins():
    return [
        config for config in apps.get_app_configs() if getattr(config, "is_sotay_plugin", False)
    ]
