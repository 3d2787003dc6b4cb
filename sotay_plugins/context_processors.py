from django.utils.functional import cached_property

from .registry import registry

#: How many places the bottom bar has at 320 px: four at the normal size, three in large type
#: (every label on one line). With more tabs than places, the last place is "Thêm", a menu
#: (<details>, no JavaScript needed) holding the rest, so any number of plugins' tabs fit.
BAR_PLACES = {False: 4, True: 3}


def split_tabs(tabs, places):
    """``(in the bar, in the "Thêm" menu)`` for ``places`` places."""
    tabs = list(tabs)
    if len(tabs) <= places:
        return tabs, []
    return tabs[: places - 1], tabs[places - 1 :]


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
    large = request.COOKIES.get("sotay_large") == "1"
    tabs = [_Tab(tab, request) for tab in registry.ordered_tabs()]
    bar, more = split_tabs(tabs, BAR_PLACES[large])
    return {
        "shell_tabs": tabs,
        "shell_bar_tabs": bar,
        "shell_more_tabs": more,
        # the badges of the tabs in the "Thêm" menu, shown on the menu itself (a callable: asked
        # only when the page has that menu)
        "shell_more_count": lambda: sum(tab.count or 0 for tab in more),
        "large_type": large,
    }
