"""The member's home card for points: the way to "Điểm của tôi" and the boards. It reads
nothing (the figures are on the pages), so it costs the home page no query and keeps it
cacheable."""

from sotay_plugins.orgtree import scope


def points_card(request):
    return {} if scope.subject(request.user) is not None else None


def points_card_depends(request):
    return []
