"""Signal receivers of the feedback plugin, connected by ``FeedbackConfig.ready()``."""

from django.utils.translation import gettext as _

from sotay_plugins import signals


def open_feedback_blocks_dissolving(org, **kwargs):
    """A unit whose receiving units still hold open feedback is not dissolved: it is forwarded
    first (the escrow moves with it)."""
    from .models import Feedback
    from .services import OPEN

    n = Feedback.objects.filter(receiver__org=org, status__in=OPEN).count()
    if n:
        return [_("Còn %(n)d góp ý chưa xử lý xong gửi đến đơn vị") % {"n": n}]
    return []


def connect():
    signals.org_dissolving.connect(
        open_feedback_blocks_dissolving, dispatch_uid="feedback.open_blocks_dissolving"
    )
