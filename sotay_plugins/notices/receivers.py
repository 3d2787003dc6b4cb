"""What the notices plugin listens to: ``signals.notice_requested`` from every module."""

from sotay_plugins import signals


def connect():
    from .services import on_notice_requested

    signals.notice_requested.connect(on_notice_requested, dispatch_uid="notices-deliver")
