"""The meetings' home card: the next scheduled meeting of the member's cell."""


def upcoming_card(request):
    """The home card: the next scheduled meeting of the member's cell (one query)."""
    from . import services

    if services.current_member(request.user) is None:
        return None
    return {"meeting": services.next_meeting(request.user)}


def cell_meetings_key(cell_id):
    """The version stamp of a cell's meetings: moved on when one is saved or deleted."""
    return f"sotay:meetings:cell:{cell_id}:version"


def upcoming_card_depends(request):
    """The cell's meetings and the rights that show them (a member's cell is on their record)."""
    from sotay_plugins.orgtree import scope

    from . import services

    member = services.current_member(request.user)
    return [scope.GRANTS_VERSION_KEY, *([cell_meetings_key(member.cell_id)] if member else [])]


def upcoming_card_expires(request, context):
    from sotay_plugins import pagecache

    return (
        pagecache.end_of_today()
    )  # "upcoming" is from the start of today on (services.upcoming_q)
