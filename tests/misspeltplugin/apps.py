from sotay_plugins.plugin import PluginConfig


class MisspeltConfig(PluginConfig):
    default = True
    name = "tests.misspeltplugin"
    label = "misspeltplugin"
    verbose_name = "Plugin gõ sai tên"
    version = "0.1"
    depends_on = ("orgtree",)
    urls = "tests.misspeltplugin.ulrs"  # sic: the module is not there
