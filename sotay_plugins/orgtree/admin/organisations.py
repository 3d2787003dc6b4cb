"""The organisation tree's admin: the tree browser (indented, with per-unit buttons), founding
and editing a unit, moving it under another parent, merging it into another, dissolving it, and
the unit's restructuring history. Every action is a service call (``orgtree.services``) behind
the scope engine; the screens are built on the scoped admin layer (``orgtree.admin.scoped``).
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin

from .. import services
from ..forms import (
    DissolveForm,
    MergeForm,
    MoveForm,
    OrganisationCreateForm,
    OrganisationEditForm,
    OrganisationFilterSet,
)
from ..models import Organisation, OrgCodeChange, OrgEvent
from .scoped import (
    ObjectAction,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedModelViewSet,
    ScopedObjectFormView,
    ScopedQuerysetMixin,
    yes_no_column,
)

#: Wagtail hook through which other plugins add an annotated column to the organisation
#: listing without orgtree importing them: ``fn() -> (name, label, expression[, url])`` where
#: ``expression`` is evaluated per unit in the same query (e.g. a Subquery count) and the
#: optional ``url(unit)`` makes the figure a link (e.g. to that unit's members).
ORG_LISTING_ANNOTATIONS_HOOK = "sotay_org_listing_annotations"


def _listing_annotations():
    return [fn() for fn in hooks.get_hooks(ORG_LISTING_ANNOTATIONS_HOOK)]


def _is_active(org):
    return org.is_active


#: restructuring actions (on active units) and the unit's history, on its row and edit page
ORG_ACTIONS = (
    ObjectAction("move", gettext_lazy("Chuyển cấp trên"), "arrow-right-full", 40, _is_active),
    ObjectAction("merge", gettext_lazy("Sáp nhập"), "resubmit", 41, _is_active),
    ObjectAction("dissolve", gettext_lazy("Giải thể"), "cross", 42, _is_active),
    ObjectAction("events", gettext_lazy("Lịch sử tổ chức"), "history", 50, permission=None),
)


class IndentedTitleColumn(TitleColumn):
    """The unit's name, indented by its depth in the tree."""

    cell_template_name = "orgtree/admin/indented_title_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["indent"] = f"{instance.level * 1.5:.1f}em"
        return context


class OrganisationIndexView(ScopedIndexView):
    object_actions = ORG_ACTIONS
    default_ordering = None
    page_title = gettext_lazy("Cơ cấu tổ chức")
    list_per_page = 50

    def get_listing_queryset(self, queryset):
        queryset = queryset.select_related("parent")
        for name, _label, expression, *_url in _listing_annotations():
            queryset = queryset.annotate(**{name: expression})
        return queryset

    def order_queryset(self, queryset):
        if self.ordering:
            return super().order_queryset(queryset)
        return queryset.order_by("tree_id", "lft")

    def get_valid_orderings(self):
        return ["code", "-code", "name", "-name"]

    @cached_property
    def columns(self):
        columns = [
            self.title_column("name", _("Tên tổ chức"), IndentedTitleColumn, sort_key="name"),
            Column("code", label=_("Mã"), sort_key="code"),
            Column("kind", label=_("Loại"), accessor="get_kind_display"),
        ]
        for name, label, _expression, *url in _listing_annotations():
            columns.append(
                TitleColumn(name, label=label, get_url=url[0]) if url else Column(name, label=label)
            )
        columns.append(yes_no_column("is_active", _("Đang hoạt động")))
        return columns

    def get_title_url(self, instance):
        return super().get_title_url(instance) or reverse(
            "orgtree_organisation:events", args=[instance.pk]
        )

    def get_list_more_buttons(self, instance):
        buttons = list(super().get_list_more_buttons(instance))
        if instance.kind != "cell":
            buttons.append(
                MenuItem(
                    _("Đơn vị trực thuộc"),
                    url=reverse("orgtree_organisation:index") + f"?within={instance.pk}",
                    icon_name="folder-open-inverse",
                    priority=12,
                )
            )
        return buttons


class OrganisationCreateView(ScopedCreateView):
    page_title = gettext_lazy("Thành lập tổ chức")

    def save_instance(self):
        data = self.form.cleaned_data
        return services.create_org(
            parent=data["parent"],
            name=data["name"],
            code=data["code"],
            kind=data["kind"],
            short_name=data.get("short_name") or "",
            founded_on=data.get("founded_on"),
            actor=self.request.user,
        )

    def get_success_message(self, instance):
        return _("Đã thành lập %(org)s.") % {"org": instance.name}


class OrganisationEditView(ScopedEditView):
    object_actions = ORG_ACTIONS

    def get_success_message(self):
        return _("Đã lưu %(org)s.") % {"org": self.object.name}


class OrgActionView(ScopedObjectFormView):
    """A restructuring of one unit: its intro may name the unit and its parent."""

    def get_intro_params(self):
        parent = self.object.parent.name if self.object.parent_id else "—"
        return {"org": self.object.name, "parent": parent}


class OrgMoveView(OrgActionView):
    action = "move"
    form_class = MoveForm
    page_title = gettext_lazy("Chuyển cấp trên")
    submit_button_label = gettext_lazy("Chuyển")
    header_icon = "arrow-right-full"
    intro = gettext_lazy(
        "Chuyển %(org)s (cùng toàn bộ đơn vị trực thuộc) sang cấp trên mới. "
        "Cấp trên hiện nay: %(parent)s."
    )

    def perform(self, form):
        services.move_org(
            self.object,
            form.cleaned_data["new_parent"],
            actor=self.request.user,
            note=form.cleaned_data["note"],
        )
        return _("Đã chuyển %(org)s về %(parent)s.") % {
            "org": self.object.name,
            "parent": form.cleaned_data["new_parent"].name,
        }


class OrgMergeView(OrgActionView):
    action = "merge"
    form_class = MergeForm
    page_title = gettext_lazy("Sáp nhập tổ chức")
    submit_button_label = gettext_lazy("Sáp nhập")
    header_icon = "resubmit"
    intro = gettext_lazy(
        "Sáp nhập %(org)s vào một tổ chức cùng loại: đơn vị trực thuộc, cơ quan tham mưu, "
        "phân quyền và đảng viên chuyển sang tổ chức nhận; "
        "%(org)s thôi hoạt động nhưng lịch sử được giữ lại."
    )

    def perform(self, form):
        target = services.merge_orgs(
            self.object,
            form.cleaned_data["target"],
            actor=self.request.user,
            note=form.cleaned_data["note"],
        )
        return _("Đã sáp nhập %(org)s vào %(target)s.") % {
            "org": self.object.name,
            "target": target.name,
        }


class OrgDissolveView(OrgActionView):
    action = "dissolve"
    form_class = DissolveForm
    page_title = gettext_lazy("Giải thể tổ chức")
    submit_button_label = gettext_lazy("Giải thể")
    header_icon = "cross"
    intro = gettext_lazy(
        "Giải thể %(org)s. Chỉ giải thể được khi không còn đơn vị trực thuộc đang hoạt động "
        "và không còn đảng viên sinh hoạt; các phân quyền tại đơn vị hết hiệu lực từ hôm nay."
    )

    def perform(self, form):
        services.dissolve_org(self.object, actor=self.request.user, note=form.cleaned_data["note"])
        return _("Đã giải thể %(org)s.") % {"org": self.object.name}


class OrgEventsView(
    ScopedQuerysetMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView
):
    """The restructuring history of a unit (OrgEvent), newest first."""

    model = Organisation
    any_permission_required = ["view", "change"]
    index_url_name = None
    template_name = "orgtree/admin/events.html"
    page_title = gettext_lazy("Lịch sử tổ chức")
    header_icon = "history"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.object = get_object_or_404(
            self.scoped_queryset(self.any_permission_required), pk=kwargs["pk"]
        )

    def get_page_subtitle(self):
        return self.object.name

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": _("Cơ cấu tổ chức")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.object.name},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        context["events"] = (
            OrgEvent.objects.filter(org=self.object)
            .select_related("old_parent", "new_parent", "target", "actor")
            .order_by("-at", "-pk")[:200]
        )
        # codes follow the tree (issue 17): the unit's former codes, newest first
        context["code_changes"] = OrgCodeChange.objects.filter(org=self.object).order_by(
            "-at", "-pk"
        )[:50]
        return context


class OrganisationViewSet(ScopedModelViewSet):
    model = Organisation
    name = "orgtree_organisation"
    url_prefix = "to-chuc"
    icon = "site"
    menu_label = gettext_lazy("Cơ cấu tổ chức")
    menu_order = 100
    index_view_class = OrganisationIndexView
    add_view_class = OrganisationCreateView
    edit_view_class = OrganisationEditView
    filterset_class = OrganisationFilterSet
    list_per_page = 50

    def get_form_class(self, for_update=False):
        return OrganisationEditForm if for_update else OrganisationCreateForm

    object_action_views = (
        ("chuyen", OrgMoveView, "move"),
        ("sap-nhap", OrgMergeView, "merge"),
        ("giai-the", OrgDissolveView, "dissolve"),
        ("lich-su-to-chuc", OrgEventsView, "events"),
    )
