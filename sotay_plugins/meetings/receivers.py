"""Signal receivers of the meetings plugin, connected by ``MeetingsConfig.ready()``."""

from django.db.models.signals import post_delete, post_save

from sotay_plugins import versions

from .cards import cell_meetings_key


def meeting_changed(instance, **kwargs):
    """A meeting saved or deleted moves its cell's version stamp (the kept home card)."""
    versions.bump(cell_meetings_key(instance.audience_org_id))


def connect():
    from .models import Meeting

    post_save.connect(meeting_changed, sender=Meeting, dispatch_uid="meetings.cell_version.save")
    post_delete.connect(
        meeting_changed, sender=Meeting, dispatch_uid="meetings.cell_version.delete"
    )
