"""What the meetings part (convening, member pages, comments, minutes) adds to the registry."""

from django.utils.translation import gettext_lazy as _


def upcoming_card(request):
    """The home card: the next scheduled meeting of the member's cell (one query)."""
    from . import services

    if services.current_member(request.user) is None:
        return None
    return {"meeting": services.next_meeting(request.user)}


def register(registry):
    from sotay_plugins.registry import HomeCard, NoticeKind, ShellTab

    from . import services
    from .api_meetings import MeetingViewSet

    registry.add_notice_kind(NoticeKind(services.REMINDER_KIND, _("Nhắc lịch sinh hoạt chi bộ")))
    registry.add_notice_kind(NoticeKind(services.CANCELLED_KIND, _("Hủy buổi sinh hoạt chi bộ")))
    registry.add_shell_tab(ShellTab("meetings", _("Sinh hoạt"), "meetings:list", icon="▤", order=200))
    registry.add_home_card(HomeCard("meetings.upcoming", "meetings/member/_card_upcoming.html", upcoming_card,
                                    order=20))
    registry.add_api_route("meetings", MeetingViewSet, "meeting")
