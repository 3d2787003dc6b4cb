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


def shell(request):
    """The member shell's tabs (from every enabled plugin) and the reader's large-type choice."""
    large = request.COOKIES.get("sotay_large") == "1"
    tabs = registry.ordered_tabs()
    bar, more = split_tabs(tabs, BAR_PLACES[large])
    return {
        "shell_tabs": tabs,
        "shell_bar_tabs": bar,
        "shell_more_tabs": more,
        "large_type": large,
    }
