"""The feedback plugin's part of a member's calendar (``registry.CalendarSource``, agenda
plugin): the handling deadlines of the open feedback assigned to the account, among what the
scope engine lets it handle (one query; none for an account that handles nothing)."""

from django.urls import reverse
from django.utils.translation import gettext as _


def events(user, start, end):
    from sotay_plugins.orgtree import scope
    from sotay_plugins.registry import CalendarEvent

    from .models import HANDLE, Feedback

    if not scope.can(user, HANDLE):
        return []
    rows = (
        scope.visible_to(user, Feedback.objects.all())
        .filter(assignee_id=user.pk, due_on__gte=start, due_on__lt=end)
        .exclude(status=Feedback.Status.CLOSED)
        .only("pk", "text", "due_on")
        .order_by("due_on", "pk")
    )
    return [
        CalendarEvent(
            uid=f"feedback.due:{f.pk}",
            kind="feedback",
            title=_("Hạn xử lý góp ý %(ref)s") % {"ref": f.public_ref},
            starts_at=f.due_on,
            all_day=True,
            url=reverse("feedback_admin:detail", args=[f.pk]),
        )
        for f in rows
    ]
