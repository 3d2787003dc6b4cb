"""The study plugin's part of a member's calendar (``registry.CalendarSource``, agenda plugin):
the study sessions and the quiz closing times whose audience holds the member (the scope
engine's audience rule), one query each."""

from django.urls import reverse
from django.utils.translation import gettext as _

from sotay_plugins.registry import calendar_bounds


def session_events(user, start, end):
    from sotay_plugins.orgtree import scope
    from sotay_plugins.registry import CalendarEvent

    from .plans.models import StudySession

    member = scope.subject(user)
    if member is None:
        return []
    low, high = calendar_bounds(start, end)
    rows = (
        StudySession.objects.filter(
            scope.audience_q(member), starts_at__gte=low, starts_at__lt=high
        )
        .exclude(state=StudySession.State.CANCELLED)
        .only("pk", "title", "starts_at", "ends_at", "place")
        .order_by("starts_at", "pk")
    )
    return [
        CalendarEvent(
            uid=f"study.session:{s.pk}",
            kind="study.sessions",
            title=s.title,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            url=reverse("study:session", args=[s.pk]),
            place=s.place,
        )
        for s in rows
    ]


def quiz_events(user, start, end):
    """The closing time of each published quiz open to the member (not one leaving them out:
    their group, or no smartphone)."""
    from sotay_plugins.orgtree import scope
    from sotay_plugins.registry import CalendarEvent

    from .quizzes.models import Quiz
    from .quizzes.services import excluded_q, member_of

    member = scope.subject(user)
    record = member_of(user)  # kept on the user for the request: no query more on a page
    if member is None or record is None:
        return []
    low, high = calendar_bounds(start, end)
    rows = (
        Quiz.objects.filter(
            scope.audience_q(member), published=True, closes_at__gte=low, closes_at__lt=high
        )
        .exclude(excluded_q(record))
        .only("pk", "title", "closes_at")
        .order_by("closes_at", "pk")
    )
    return [
        CalendarEvent(
            uid=f"study.quiz:{q.pk}",
            kind="study.quizzes",
            title=_("Hạn làm bài kiểm tra: %(title)s") % {"title": q.title},
            starts_at=q.closes_at,
            url=reverse("study:quiz", args=[q.pk]),
        )
        for q in rows
    ]
