"""A third-party plugin in miniature: it proves the plugin contract from the outside."""

from rest_framework import viewsets
from rest_framework.response import Response

from sotay_plugins.plugin import PluginConfig


class EchoViewSet(viewsets.ViewSet):
    def list(self, request):
        return Response({"results": [], "echo": True})


class DummyConfig(PluginConfig):
    default = True
    name = "tests.dummyplugin"
    label = "dummyplugin"
    verbose_name = "Plugin thử"
    version = "0.1"
    depends_on = ("orgtree",)
    urls = "tests.dummyplugin.urls"
    url_prefix = "thu/"

    def register(self, registry):
        from sotay_plugins.registry import HomeCard, ShellTab

        registry.add_capability("dummy.poke", "Chọc thử", roles=["viewer"])
        registry.add_shell_tab(ShellTab("dummy", "Thử", "members:home", order=500))
        registry.add_home_card(
            HomeCard("dummy.card", "members/cards/welcome.html", lambda request: None)
        )
        registry.add_api_route("dummy", EchoViewSet, "dummy")
