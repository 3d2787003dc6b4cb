"""Committees' notices in the Wagtail admin (menu "Thông báo"): compose (scoped unit chooser),
list the sent ones (scoped: those issued in the user's subtree), see delivery counts."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
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
from ..forms import AnnouncementForm
from ..models import ANNOUNCEMENT_KIND, Announcement, Notice


def _local(value):
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "—"


def _count(**where):
    rows = (
        Notice.objects.filter(dedupe_key=OuterRef("key"), **where)
        .order_by()
        .values("dedupe_key")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class AnnouncementIndexView(ScopedIndexView):
    page_title = gettext_lazy("Thông báo của cấp ủy")
    default_ordering = "-created_at"

    def get_listing_queryset(self, queryset):
        from django.db.models import CharField, Value
        from django.db.models.functions import Cast, Concat

        key = Concat(
            Value(f"{ANNOUNCEMENT_KIND}:"),
            Cast("pk", CharField()),
            output_field=CharField(),
        )
        return (
            queryset.select_related("issuer_org", "audience_org")
            .annotate(key=key)
            .annotate(n_written=_count(), n_read=_count(read_at__isnull=False))
        )

    def get_valid_orderings(self):
        return ["created_at", "-created_at", "title", "-title"]

    def order_queryset(self, queryset):
        return queryset.order_by(self.ordering or "-created_at", "-pk")

    @cached_property
    def columns(self):
        return [
            self.title_column("title", _("Tiêu đề"), sort_key="title"),
            Column("issuer", label=_("Đơn vị gửi"), accessor="issuer_org.name"),
            Column("audience", label=_("Gửi tới"), accessor="audience_org.name"),
            Column("state", label=_("Trạng thái"), accessor="get_state_display"),
            Column("when", label=_("Gửi lúc"), accessor=lambda a: _local(a.sent_at or a.send_at)),
            Column("n_written", label=_("Đã nhận")),
            Column("n_read", label=_("Đã đọc")),
        ]

    def get_title_url(self, instance):
        return self.get_inspect_url(instance)


class AnnouncementCreateView(ScopedCreateView):
    page_title = gettext_lazy("Soạn thông báo")

    def save_instance(self):
        return services.compose(self.request.user, **self.form.service_fields())

    def get_success_message(self, instance):
        if instance.state == Announcement.State.SENT:
            return _("Đã gửi “%(title)s” tới %(n)d đảng viên.") % {
                "title": instance.title,
                "n": instance.recipients,
            }
        return _("Đã hẹn gửi “%(title)s” lúc %(when)s.") % {
            "title": instance.title,
            "when": _local(instance.send_at),
        }


class AnnouncementInspectView(ScopedInspectView):
    def get_fields(self):
        return [
            "title",
            "body",
            "issuer_org",
            "audience_org",
            "audience_positions",
            "audience_groups",
            "page",
            "required",
            "state",
            "send_at",
            "sent_at",
            "recipients",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = services.delivery_counts(self.object)
        context["fields"] = [
            *context.get("fields", []),
            {"label": _("Đã vào hộp thư"), "value": counts["written"], "component": None},
            {"label": _("Đã đọc"), "value": counts["read"], "component": None},
            {"label": _("Đã đẩy lên điện thoại"), "value": counts["pushed"], "component": None},
        ]
        return context

    def get_send_at_display_value(self):
        return _local(self.object.send_at)

    def get_sent_at_display_value(self):
        return _local(self.object.sent_at)


class AnnouncementViewSet(ScopedModelViewSet):
    model = Announcement
    name = "notices_announcement"
    url_prefix = "thong-bao"
    icon = "mail"
    menu_label = gettext_lazy("Thông báo")
    menu_order = 240
    add_to_admin_menu = True
    inspect_view_enabled = True
    index_view_class = AnnouncementIndexView
    add_view_class = AnnouncementCreateView
    inspect_view_class = AnnouncementInspectView
    list_per_page = 50
    form_fields = None

    def get_form_class(self, for_update=False):
        return AnnouncementForm
