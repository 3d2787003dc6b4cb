"""Which plugin apps a deployment runs: the built-in list, narrowed by settings, plus entry points.

Imported by settings, so it must not import Django models.
"""

from importlib.metadata import entry_points

ENTRY_POINT_GROUP = "sotay.plugins"


def plugin_apps(builtin, enabled=None):
    """Return the app labels to install, in order.

    ``builtin`` lists the built-in plugin apps in dependency order; ``enabled`` (from the
    SOTAY_PLUGINS setting) keeps only those named, ``orgtree`` always being kept because every
    plugin depends on it. Packages that declare an entry point in the ``sotay.plugins`` group
    (value: the app's dotted path) are appended.
    """
    apps = list(builtin)
    if enabled:
        wanted = {name.rsplit(".", 1)[-1] for name in enabled}
        apps = [app for app in apps if app.rsplit(".", 1)[-1] in wanted or app.endswith(".orgtree")]
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.value not in apps and (not enabled or ep.name in enabled or ep.value in enabled):
            apps.append(ep.value)
    return apps
