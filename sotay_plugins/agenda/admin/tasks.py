"""Tasks in the Wagtail admin (menu "Nhiệm vụ"): assign one (the unit and its assignees cut by
the scope engine), list those assigned in the user's subtree with how many assignees are late,
and open one to see who is late."""

from __future__ import annotations

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.tables import Column

from sotay_plugins.orgtree.admin.scoped import (
    ScopedCreateView,
    ScopedIndexView,
    ScopedInspectView,
    ScopedModelViewSet,
)

from .. import services
from ..forms import TaskForm
from ..models import Task


def _local(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


class TaskIndexView(ScopedIndexView):
    page_title = gettext_lazy("Nhiệm vụ đã giao")
    default_ordering = "-due_at"

    def get_listing_queryset(self, queryset):
        return services.with_counts(queryset.select_related("issuer_org"))

    def get_valid_orderings(self):
        return ["due_at", "-due_at", "title", "-title"]

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering or "-due_at", "-pk")

    @cached_property
    def columns(self):
        return [
            self.title_column("title", _("Nhiệm vụ"), sort_key="title"),
            Column("issuer", label=_("Đơn vị giao"), accessor="issuer_org.name"),
            Column("due", label=_("Hạn"), accessor=lambda t: _local(t.due_at), sort_key="due_at"),
            Column("n_assigned", label=_("Số được giao")),
            Column("n_done", label=_("Đã xong")),
            Column("n_late", label=_("Quá hạn")),
        ]

    def get_title_url(self, instance):
        return self.get_inspect_url(instance)


class TaskCreateView(ScopedCreateView):
    page_title = gettext_lazy("Giao nhiệm vụ")

    def save_instance(self):
        return services.assign(self.request.user, **self.form.service_fields())

    def get_success_message(self, instance):
        return _("Đã giao “%(title)s” cho %(n)d người, đơn vị.") % {
            "title": instance.title,
            "n": instance.assignments.count(),
        }


class TaskInspectView(ScopedInspectView):
    def get_fields(self):
        return ["title", "issuer_org", "due_at", "description", "created_at"]

    def get_due_at_display_value(self):
        return _local(self.object.due_at)

    def get_created_at_display_value(self):
        return _local(self.object.created_at)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        extra = []
        for row in services.task_rows(self.object):
            a = row["assignment"]
            state = _("Quá hạn") if row["late"] and not a.done_at else ""
            if row["late"] and a.done_at:
                state = _("Hoàn thành muộn")
            value = f"{a.percent}%"
            if state:
                value += f" — {state}"
            if a.last_report_at:
                value += " · " + _("báo cáo lúc %(when)s") % {"when": _local(a.last_report_at)}
            extra.append({"label": row["who"], "value": value, "component": None})
        context["fields"] = [*context.get("fields", []), *extra]
        return context


class TaskViewSet(ScopedModelViewSet):
    model = Task
    name = "agenda_task"
    url_prefix = "nhiem-vu"
    icon = "tasks"
    menu_label = gettext_lazy("Nhiệm vụ")
    menu_order = 250
    add_to_admin_menu = True
    inspect_view_enabled = True
    index_view_class = TaskIndexView
    add_view_class = TaskCreateView
    inspect_view_class = TaskInspectView
    list_per_page = 50
    form_fields = None

    def get_form_class(self, for_update=False):
        return TaskForm
