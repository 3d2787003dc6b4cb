"""Signal receivers of the meetings plugin, connected by ``MeetingsConfig.ready()``."""

from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save

from sotay_plugins import jobs, versions
from sotay_plugins.signals import points_earned

from .cards import cell_meetings_key


def meeting_changed(instance, **kwargs):
    """A meeting saved or deleted moves its cell's version stamp (the kept home card)."""
    versions.bump(cell_meetings_key(instance.audience_org_id))


# --- points: attending a meeting ---------------------------------------------------------------

#: The point rule of attending a cell meeting (registered in ``apps.py``).
ATTENDED_RULE = "meetings.attended"
AWARD_JOB = "sotay_plugins.meetings.receivers.award_attendance"


def meeting_closed(instance, update_fields=None, **kwargs):
    """A meeting whose minutes are approved (closed) has its final attendance: the members
    present or late earn the attendance rule (through an outbox job, so the approval stays one
    quick write; the ledger keeps one line per member and meeting, so a rerun earns nothing)."""
    from .models import Meeting

    if instance.state != Meeting.State.CLOSED:
        return
    if update_fields is not None and "state" not in update_fields:
        return
    try:
        with transaction.atomic():
            jobs.enqueue(
                AWARD_JOB, dedupe_key=f"meetings.points:{instance.pk}", meeting_id=instance.pk
            )
    except IntegrityError:  # one is already waiting for this meeting
        pass


def award_attendance(job, meeting_id):
    """Send ``points_earned`` for every member present or late at the closed meeting."""
    from .models import Attendance, Meeting

    meeting = Meeting.objects.filter(pk=meeting_id, state=Meeting.State.CLOSED).first()
    if meeting is None:
        return
    rows = Attendance.objects.filter(
        meeting_id=meeting_id, status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE]
    ).values_list("member_id", "checked_in_at")
    for member_id, checked_in_at in rows:
        points_earned.send(
            sender=Meeting,
            rule=ATTENDED_RULE,
            member_id=member_id,
            source=f"meetings.meeting:{meeting_id}",
            at=checked_in_at or meeting.starts_at,
        )


def meeting_titles(pks):
    from .models import Meeting

    pks = [int(pk) for pk in pks if str(pk).isdigit()]
    return dict(Meeting.objects.filter(pk__in=pks).values_list("pk", "title"))


def attendance_history(since):
    """(member_id, source, at) of every attendance at a closed meeting since ``since``."""
    from .models import Attendance, Meeting

    rows = Attendance.objects.filter(
        meeting__state=Meeting.State.CLOSED,
        meeting__starts_at__gte=since,
        status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE],
    ).values_list("member_id", "meeting_id", "checked_in_at", "meeting__starts_at")
    for member_id, meeting_id, checked_in_at, starts_at in rows.iterator():
        yield member_id, f"meetings.meeting:{meeting_id}", checked_in_at or starts_at


def connect():
    from .models import Meeting

    post_save.connect(meeting_changed, sender=Meeting, dispatch_uid="meetings.cell_version.save")
    post_delete.connect(
        meeting_changed, sender=Meeting, dispatch_uid="meetings.cell_version.delete"
    )
    post_save.connect(meeting_closed, sender=Meeting, dispatch_uid="meetings.points.closed")
