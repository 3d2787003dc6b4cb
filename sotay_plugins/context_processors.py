from django.utils.functional import cached_property

from .registry import registry


class _Tab:
    """A shell tab as the template sees it: its fields, and ``count`` (its badge) asked of the
    tab only if the template shows it."""

    def __init__(self, tab, request):
        self._tab, self._request = tab, request

    def __getattr__(self, name):
        return getattr(self._tab, name)

    @cached_property
    def count(self):
        return self._tab.badge(self._request) if self._tab.badge else None


def shell(request):
    """The member shell's tabs (from every enabled plugin) and the reader's large-type choice."""
    return {
        "shell_tabs": [_Tab(tab, request) for tab in registry.ordered_tabs()],
        "large_type": request.COOKIES.get("sotay_large") == "1",
    }
