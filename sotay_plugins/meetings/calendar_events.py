"""The meetings' part of a member's calendar (``registry.CalendarSource``, agenda plugin): the
meetings of their own cell (the audience rule of the scope engine), one query."""

from django.urls import reverse

from sotay_plugins.registry import calendar_bounds


def events(user, start, end):
    from sotay_plugins.orgtree import scope
    from sotay_plugins.registry import CalendarEvent

    from .models import Meeting

    member = scope.subject(user)
    if member is None:
        return []
    low, high = calendar_bounds(start, end)
    rows = (
        Meeting.objects.filter(scope.audience_q(member), starts_at__gte=low, starts_at__lt=high)
        .exclude(state=Meeting.State.CANCELLED)
        .only("pk", "title", "starts_at", "ends_at", "place")
        .order_by("starts_at", "pk")
    )
    return [
        CalendarEvent(
            uid=f"meetings.meeting:{m.pk}",
            kind="meetings",
            title=m.title,
            starts_at=m.starts_at,
            ends_at=m.ends_at,
            url=reverse("meetings:detail", args=[m.pk]),
            place=m.place,
        )
        for m in rows
    ]
