"""Wagtail admin: a panel on the dashboard telling superusers whether the publishing scheduler
runs (``editorial.publishing.health``), so a stopped worker is seen before a scheduled page is
missed. ``scheduler_panel`` is wired to ``construct_homepage_panels`` by ``wagtail_hooks``."""

from datetime import datetime

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from laces.components import Component

from ..publishing import health


class SchedulerPanel(Component):
    name = "editorial_scheduler"
    order = 50

    def render_html(self, parent_context=None):
        data = health.status()
        if data["status"] == "ok":
            state = _("Đang chạy")
        elif data["status"] == "stale":
            state = _("Đã ngừng: lần chạy cuối cách đây %(minutes)s phút") % {
                "minutes": data["age_seconds"] // 60
            }
        else:
            state = _("Chưa từng chạy")
        last = (
            date_format(localtime(datetime.fromisoformat(data["last_run"])), "d/m/Y H:i")
            if data["last_run"]
            else "—"
        )
        outbox = data["outbox"]
        return format_html(
            '<section class="w-panel" aria-labelledby="editorial-scheduler-heading">'
            '<div class="w-panel__header"><h2 class="w-panel__heading" '
            'id="editorial-scheduler-heading">{}</h2></div>'
            '<div class="w-panel__content">'
            "<p><strong>{}</strong> ({}: {})</p><p>{}</p></div></section>",
            _("Bộ lập lịch đăng bài"),
            state,
            _("lần chạy cuối"),
            last,
            _("Công việc nền đang chờ: %(waiting)s, lỗi: %(failed)s.")
            % {"waiting": outbox["pending"] + outbox["queued"], "failed": outbox["failed"]},
        )


def scheduler_panel(request, panels):
    if request.user.is_superuser:
        panels.append(SchedulerPanel())
