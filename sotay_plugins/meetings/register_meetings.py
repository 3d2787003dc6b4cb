"""What the meetings part (convening, member pages, comments, minutes) adds to the registry."""

from django.utils.translation import gettext_lazy as _


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


def meeting_changed(instance, **kwargs):
    from sotay_plugins import versions

    versions.bump(cell_meetings_key(instance.audience_org_id))


def register(registry):
    from sotay_plugins.registry import HomeCard, NoticeKind, ShellTab

    from . import services
    from .api_meetings import MeetingViewSet

    registry.add_notice_kind(NoticeKind(services.REMINDER_KIND, _("Nhắc lịch sinh hoạt chi bộ")))
    registry.add_notice_kind(NoticeKind(services.CANCELLED_KIND, _("Hủy buổi sinh hoạt chi bộ")))
    registry.add_shell_tab(
        ShellTab("meetings", _("Sinh hoạt"), "meetings:list", icon="▤", order=200)
    )
    registry.add_home_card(
        HomeCard(
            "meetings.upcoming",
            "meetings/member/_card_upcoming.html",
            upcoming_card,
            order=20,
            depends=upcoming_card_depends,
            expires=upcoming_card_expires,
        )
    )
    from django.db.models.signals import post_delete, post_save

    from .models import Meeting

    post_save.connect(meeting_changed, sender=Meeting, dispatch_uid="meetings.cell_version.save")
    post_delete.connect(
        meeting_changed, sender=Meeting, dispatch_uid="meetings.cell_version.delete"
    )
    registry.add_api_route("meetings", MeetingViewSet, "meeting")
