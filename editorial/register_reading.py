"""What the reading part of the newsroom adds to the registry: the "Thư viện" tab of the
member shell (news and bookmarks are reached from inside it, so the bottom bar stays at five
tabs on a phone) and the home card of the feed."""

from django.utils.translation import gettext_lazy as _


def feed_card(request):
    from . import feed

    return feed.home_card(request)


def feed_card_depends(request):
    from . import feed

    return feed.home_card_depends(request)


def register(registry):
    from sotay_plugins.registry import HomeCard, ShellTab

    registry.add_shell_tab(
        ShellTab("library", _("Thư viện"), "editorial:library", icon="▥", order=300)
    )
    registry.add_home_card(
        HomeCard(
            "editorial.feed",
            "editorial/cards/feed.html",
            feed_card,
            order=30,
            depends=feed_card_depends,
        )
    )
