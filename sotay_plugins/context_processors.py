from .registry import registry


def shell(request):
    """The member shell's tabs (from every enabled plugin) and the reader's large-type choice."""
    return {
        "shell_tabs": registry.ordered_tabs(),
        "large_type": request.COOKIES.get("sotay_large") == "1",
    }
