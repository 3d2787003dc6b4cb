"""Wagtail admin views filtered by the scope engine.

The first half is reusable by every plugin (members, documents, meetings...):

- ``ScopedModelViewSet``: a ModelViewSet whose listing, edit, delete, inspect, history and usage
  views only reach objects the model's ``ScopePermissionPolicy`` (orgtree.permissions) lets the
  user act on; anything else answers 404. Copying is off; row links are checked per object.
- ``ScopedObjectFormView``: a form view for one custom action on one object ("move", "transfer"…):
  the object is looked up among those the user may do the action to, the form's service call may
  raise a Vietnamese ValidationError, which is shown with nothing changed.

The second half is the organisation tree's own admin: the tree browser, create/edit, move,
merge, dissolve and the unit's history; advisory bodies; role assignments.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.components import MediaContainer
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.views.generic import history, usage
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button

from . import scope, services
from .choices import OrgKind
from .forms import (
    AdvisoryBodyForm,
    DissolveForm,
    MergeForm,
    MoveForm,
    OrganisationCreateForm,
    OrganisationEditForm,
    OrganisationFilterSet,
    RoleAssignmentCreateForm,
    RoleAssignmentEditForm,
    RoleAssignmentFilterSet,
    add_validation_error,
)
from .models import AdvisoryBody, Organisation, OrgEvent, RoleAssignment
from .permissions import may_grant

#: Wagtail hook through which other plugins add an annotated column to the organisation
#: listing without orgtree importing them: ``fn() -> (name, label, expression[, url])`` where
#: ``expression`` is evaluated per unit in the same query (e.g. a Subquery count) and the
#: optional ``url(unit)`` makes the figure a link (e.g. to that unit's members).
ORG_LISTING_ANNOTATIONS_HOOK = "sotay_org_listing_annotations"


# === reusable scoped views ===================================================================


class ScopedQuerysetMixin:
    """Objects the user may act on, from the model's scope permission policy."""

    def scoped_queryset(self, actions):
        return self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, actions
        )


class ScopedIndexView(ScopedQuerysetMixin, generic.IndexView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        # No spreadsheet export by URL (``?export=csv``): exports of personal data are a
        # deliberate feature with its own capability and audit (reports), not a side door.
        self.is_export = False

    def get_base_queryset(self):
        return self.get_listing_queryset(self.scoped_queryset(self.any_permission_required))

    def get_listing_queryset(self, queryset):
        """Hook for select_related / annotations: the listing must not query per row."""
        return queryset

    def title_column(self, name, label, column_class=TitleColumn, **kwargs):
        """The first column: the object's title, linked to its page, with the row's buttons."""

        return self._get_title_column_class(column_class)(
            name, label=label, get_url=self.get_title_url, **kwargs
        )

    def get_title_url(self, instance):
        return self.get_edit_url(instance) or self.get_inspect_url(instance)

    def _can(self, action, instance):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, action, instance
        )

    def get_edit_url(self, instance):
        if self.edit_url_name and self._can("change", instance):
            return reverse(self.edit_url_name, args=(quote(instance.pk),))

    def get_inspect_url(self, instance):
        if self.inspect_url_name and (self._can("view", instance) or self._can("change", instance)):
            return reverse(self.inspect_url_name, args=(quote(instance.pk),))

    def get_delete_url(self, instance):
        if self.delete_url_name and self._can("delete", instance):
            return reverse(self.delete_url_name, args=(quote(instance.pk),))

    def get_copy_url(self, instance):
        return None


class ServiceSaveMixin:
    """Save through ``save_instance`` (a service call); a ValidationError it raises is shown on
    the form and nothing is written."""

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as exc:
            add_validation_error(form, exc)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        response = self.save_action()
        return self.run_after_hook() or response


class ScopedCreateView(ServiceSaveMixin, generic.CreateView):
    pass


class ScopedEditView(ServiceSaveMixin, ScopedQuerysetMixin, generic.EditView):
    def get_queryset(self):
        return self.scoped_queryset(["change"])

    @cached_property
    def can_delete(self):
        return self.user_has_permission_for_instance("delete", self.object)

    def get_copy_url(self):
        return None

    def get_side_panels(self):
        # Wagtail's status panel speaks of drafts, "Live" and reference usage, none of which
        # these records have; the change history gets a header button instead.
        return MediaContainer([])

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if history_url := self.get_history_url():
            buttons.append(
                Button(_("Lịch sử thay đổi"), url=history_url, icon_name="history", priority=35)
            )
        return buttons


class ScopedDeleteView(ScopedQuerysetMixin, generic.DeleteView):
    def get_queryset(self):
        return self.scoped_queryset(["delete"])


class ScopedInspectView(ScopedQuerysetMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(
            self.scoped_queryset(self.any_permission_required), pk=unquote(str(self.pk))
        )

    def get_edit_url(self):
        if self.edit_url_name and self.user_has_permission_for_instance("change", self.object):
            return reverse(self.edit_url_name, args=(quote(self.object.pk),))

    def get_delete_url(self):
        if self.delete_url_name and self.user_has_permission_for_instance("delete", self.object):
            return reverse(self.delete_url_name, args=(quote(self.object.pk),))


class ScopedHistoryView(ScopedQuerysetMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.scoped_queryset(self.any_permission_required)


class ScopedUsageView(ScopedQuerysetMixin, usage.UsageView):
    def get_base_object_queryset(self):
        return self.scoped_queryset(["change"])


class ScopedModelViewSet(ModelViewSet):
    """A ModelViewSet for a model with a registered ``ScopePermissionPolicy``."""

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView
    copy_view_enabled = False
    add_to_reference_index = False

    def get_permissions_to_register(self):
        # Django's model permissions mean nothing here (rights are held at organisations), so
        # they are kept out of Wagtail's group editor.
        from django.contrib.auth.models import Permission

        return Permission.objects.none()

    def object_action_path(self, route, view_class, name, **kwargs):
        """A URL for a ``ScopedObjectFormView`` (or similar) of this viewset."""
        view = self.construct_view(view_class, **kwargs)
        return path(f"{route}/<int:pk>/", view, name=name)


class ScopedObjectFormView(
    ScopedQuerysetMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, FormView
):
    """One action on one object, through a service. Subclasses set ``action`` (the policy
    action), ``form_class`` and implement ``perform(form)``, which returns a success message."""

    model = None
    action = None
    index_url_name = None
    edit_url_name = None
    template_name = "orgtree/admin/action_form.html"
    header_icon = ""
    submit_button_label = gettext_lazy("Thực hiện")
    intro = ""

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.permission_required = self.action
        self.object = get_object_or_404(self.scoped_queryset([self.action]), pk=kwargs["pk"])

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "obj": self.object}

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        items = []
        if self.index_url_name:
            items.append(
                {
                    "url": reverse(self.index_url_name),
                    "label": self.model._meta.verbose_name_plural.capitalize(),
                }
            )
        items.append({"url": "", "label": self.get_page_title(), "sublabel": str(self.object)})
        return self.breadcrumbs_items + items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object,
            action_url=self.request.path,
            intro=self.get_intro(),
            media=context["form"].media,
            submit_button_label=self.submit_button_label,
            submit_button_active_label=self.submit_button_label,
        )
        return context

    def get_intro(self):
        return self.intro

    def perform(self, form):
        raise NotImplementedError

    def get_success_url(self):
        return reverse(self.index_url_name)

    def form_valid(self, form):
        try:
            with transaction.atomic():
                message = self.perform(form)
        except ValidationError as exc:
            add_validation_error(form, exc)
            return self.form_invalid(form)
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        messages.error(self.request, _("Chưa thực hiện được: vui lòng xem lỗi bên dưới."))
        return super().form_invalid(form)


def yes_no_column(name, label):
    """A yes/no field as the words "Có" / "Không" (Wagtail's icon column reads "True" aloud)."""
    return Column(
        name, label=label, accessor=lambda obj: _("Có") if getattr(obj, name) else _("Không")
    )


# === organisations ===========================================================================


def _listing_annotations():
    return [fn() for fn in hooks.get_hooks(ORG_LISTING_ANNOTATIONS_HOOK)]


class IndentedTitleColumn(TitleColumn):
    """The unit's name, indented by its depth in the tree."""

    cell_template_name = "orgtree/admin/indented_title_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["indent"] = f"{instance.level * 1.5:.1f}em"
        return context


class OrganisationIndexView(ScopedIndexView):
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
        policy_can = self._can
        if instance.kind != "cell":
            buttons.append(
                MenuItem(
                    _("Đơn vị trực thuộc"),
                    url=reverse("orgtree_organisation:index") + f"?within={instance.pk}",
                    icon_name="folder-open-inverse",
                    priority=12,
                )
            )
        if instance.is_active:
            for action, label, icon, priority in (
                ("move", _("Chuyển cấp trên"), "arrow-right-full", 40),
                ("merge", _("Sáp nhập"), "resubmit", 41),
                ("dissolve", _("Giải thể"), "cross", 42),
            ):
                if policy_can(action, instance):
                    buttons.append(
                        MenuItem(
                            label,
                            url=reverse(f"orgtree_organisation:{action}", args=[instance.pk]),
                            icon_name=icon,
                            priority=priority,
                        )
                    )
        buttons.append(
            MenuItem(
                _("Lịch sử tổ chức"),
                url=reverse("orgtree_organisation:events", args=[instance.pk]),
                icon_name="history",
                priority=50,
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
    def get_success_message(self):
        return _("Đã lưu %(org)s.") % {"org": self.object.name}

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        user, org = self.request.user, self.object
        if org.is_active:
            for action, label, icon, priority in (
                ("move", _("Chuyển cấp trên"), "arrow-right-full", 40),
                ("merge", _("Sáp nhập"), "resubmit", 41),
                ("dissolve", _("Giải thể"), "cross", 42),
            ):
                if self.permission_policy.user_has_permission_for_instance(user, action, org):
                    buttons.append(
                        Button(
                            label,
                            url=reverse(f"orgtree_organisation:{action}", args=[org.pk]),
                            icon_name=icon,
                            priority=priority,
                        )
                    )
        buttons.append(
            Button(
                _("Lịch sử tổ chức"),
                url=reverse("orgtree_organisation:events", args=[org.pk]),
                icon_name="history",
                priority=50,
            )
        )
        return buttons


class OrgMoveView(ScopedObjectFormView):
    action = "move"
    form_class = MoveForm
    page_title = gettext_lazy("Chuyển cấp trên")
    submit_button_label = gettext_lazy("Chuyển")
    header_icon = "arrow-right-full"

    def get_intro(self):
        return _(
            "Chuyển %(org)s (cùng toàn bộ đơn vị trực thuộc) sang cấp trên mới. Cấp trên hiện nay: %(parent)s."
        ) % {
            "org": self.object.name,
            "parent": self.object.parent.name if self.object.parent_id else "—",
        }

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


class OrgMergeView(ScopedObjectFormView):
    action = "merge"
    form_class = MergeForm
    page_title = gettext_lazy("Sáp nhập tổ chức")
    submit_button_label = gettext_lazy("Sáp nhập")
    header_icon = "resubmit"

    def get_intro(self):
        return _(
            "Sáp nhập %(org)s vào một tổ chức cùng loại: đơn vị trực thuộc, cơ quan tham mưu, phân quyền và "
            "đảng viên chuyển sang tổ chức nhận; %(org)s thôi hoạt động nhưng lịch sử được giữ lại."
        ) % {"org": self.object.name}

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


class OrgDissolveView(ScopedObjectFormView):
    action = "dissolve"
    form_class = DissolveForm
    page_title = gettext_lazy("Giải thể tổ chức")
    submit_button_label = gettext_lazy("Giải thể")
    header_icon = "cross"

    def get_intro(self):
        return _(
            "Giải thể %(org)s. Chỉ giải thể được khi không còn đơn vị trực thuộc đang hoạt động và không còn "
            "đảng viên sinh hoạt; các phân quyền tại đơn vị hết hiệu lực từ hôm nay."
        ) % {"org": self.object.name}

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

    def get_urlpatterns(self):
        common = {"model": self.model, "index_url_name": self.get_url_name("index")}
        return [
            *super().get_urlpatterns(),
            self.object_action_path("chuyen", OrgMoveView, "move", **common),
            self.object_action_path("sap-nhap", OrgMergeView, "merge", **common),
            self.object_action_path("giai-the", OrgDissolveView, "dissolve", **common),
            self.object_action_path("lich-su-to-chuc", OrgEventsView, "events", **common),
        ]


# === the organisation chooser ================================================================
#
# A modal chooser of units for any admin form (a parent, a target cell, a document's issuer...).
# It lists only the active units where the user holds ``?capability=`` (default
# ``orgtree.view_org``), optionally of ``?kind=cell,base``; choosing a unit outside them answers
# 404. The form field's queryset must still be scoped: the chooser only spares the user a long
# select, the server-side check is the field's.


class OrgChooserFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=gettext_lazy("Tìm theo tên hoặc mã"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("Tìm theo tên hoặc mã")}),
    )

    def filter(self, objects):
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(
                Q(name__icontains=query)
                | Q(short_name__icontains=query)
                | Q(code__startswith=query)
            )
            self.is_searching = True
            self.search_query = query
        return objects


class OrgChooserMixin:
    def scoped_orgs(self):
        capability = self.request.GET.get("capability") or "orgtree.view_org"
        orgs = scope.managed_orgs(self.request.user, capability).filter(is_active=True)
        kinds = [k for k in (self.request.GET.get("kind") or "").split(",") if k in OrgKind.values]
        if kinds:
            orgs = orgs.filter(kind__in=kinds)
        return orgs.order_by("tree_id", "lft")

    def get_object_list(self):
        return self.scoped_orgs()

    def get_object(self, pk):
        return self.scoped_orgs().get(pk=pk)

    def get_objects(self, pks):
        return self.scoped_orgs().filter(pk__in=pks)


class OrgChooserColumnsMixin:
    filter_form_class = OrgChooserFilterForm

    @property
    def columns(self):
        return [
            self.title_column,
            Column("code", label=_("Mã")),
            Column("kind", label=_("Loại"), accessor="get_kind_display"),
        ]


class OrgChooseView(OrgChooserMixin, OrgChooserColumnsMixin, chooser_views.ChooseView):
    pass


class OrgChooseResultsView(
    OrgChooserMixin, OrgChooserColumnsMixin, chooser_views.ChooseResultsView
):
    pass


class OrgChosenTitleMixin:
    def get_display_title(self, instance):
        return f"{instance.code} — {instance.name}"


class OrgChosenView(OrgChooserMixin, OrgChosenTitleMixin, chooser_views.ChosenView):
    pass


class OrgChosenMultipleView(OrgChooserMixin, OrgChosenTitleMixin, chooser_views.ChosenMultipleView):
    pass


class OrganisationChooserViewSet(ChooserViewSet):
    model = Organisation
    name = "orgtree_organisation_chooser"
    url_prefix = "chon-to-chuc"
    icon = "site"
    choose_one_text = gettext_lazy("Chọn tổ chức")
    choose_another_text = gettext_lazy("Chọn tổ chức khác")
    edit_item_text = gettext_lazy("Sửa")
    page_title = gettext_lazy("Chọn tổ chức")
    per_page = 20
    preserve_url_parameters = ["multiple", "capability", "kind"]
    choose_view_class = OrgChooseView
    choose_results_view_class = OrgChooseResultsView
    chosen_view_class = OrgChosenView
    chosen_multiple_view_class = OrgChosenMultipleView
    register_widget = (
        False  # the widget below carries the capability; a bare one would default to view_org
    )

    def get_urlpatterns(self):
        return [pattern for pattern in super().get_urlpatterns() if pattern.name != "create"]


organisation_chooser_viewset = OrganisationChooserViewSet()


class OrganisationChooser(organisation_chooser_viewset.widget_class):
    """The chooser widget: ``OrganisationChooser(capability="orgtree.manage_tree", kinds=["cell"])``."""

    def __init__(self, *, capability="orgtree.view_org", kinds=(), **kwargs):
        self.capability = capability
        self.kinds = list(kinds)
        super().__init__(**kwargs)

    def get_chooser_modal_url(self):
        params = {"capability": self.capability}
        if self.kinds:
            params["kind"] = ",".join(self.kinds)
        return f"{super().get_chooser_modal_url()}?{urlencode(params)}"

    def get_display_title(self, instance):
        return f"{instance.code} — {instance.name}"


# === advisory bodies =========================================================================


class AdvisoryBodyIndexView(ScopedIndexView):
    def get_listing_queryset(self, queryset):
        return queryset.select_related("org")


class AdvisoryBodyViewSet(ScopedModelViewSet):
    model = AdvisoryBody
    name = "orgtree_advisorybody"
    url_prefix = "co-quan-tham-muu"
    icon = "group"
    menu_label = gettext_lazy("Cơ quan tham mưu")
    menu_order = 200
    index_view_class = AdvisoryBodyIndexView
    form_class = AdvisoryBodyForm
    list_display = [
        "name",
        "org",
        "kind",
        yes_no_column("is_active", gettext_lazy("Đang hoạt động")),
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["org__tree_id", "org__lft", "name"]

    def get_form_class(self, for_update=False):
        return AdvisoryBodyForm


# === role assignments ========================================================================


class RoleAssignmentIndexView(ScopedIndexView):
    def get_listing_queryset(self, queryset):
        return queryset.select_related("user", "role", "org", "advisory_body", "granted_by")


class RoleAssignmentCreateView(ScopedCreateView):
    def save_instance(self):
        return self.form.save_assignment(granted_by=self.request.user)

    def get_success_message(self, instance):
        return _("Đã giao vai trò %(role)s tại %(org)s cho %(user)s.") % {
            "role": instance.role.name,
            "org": instance.org.name,
            "user": instance.user.get_username(),
        }


class RoleAssignmentDeleteView(ScopedDeleteView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not may_grant(self.request.user, obj.role, obj.org):
            raise PermissionDenied
        return obj


class RoleAssignmentViewSet(ScopedModelViewSet):
    model = RoleAssignment
    name = "orgtree_roleassignment"
    url_prefix = "phan-quyen"
    icon = "key"
    menu_label = gettext_lazy("Phân quyền")
    menu_order = 300
    index_view_class = RoleAssignmentIndexView
    add_view_class = RoleAssignmentCreateView
    delete_view_class = RoleAssignmentDeleteView
    filterset_class = RoleAssignmentFilterSet
    list_display = [
        "__str__",
        "user",
        "role",
        "org",
        "advisory_body",
        "valid_from",
        "valid_until",
        "granted_by",
    ]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    search_backend_name = None
    ordering = ["org__tree_id", "org__lft", "role__name"]

    def get_form_class(self, for_update=False):
        return RoleAssignmentEditForm if for_update else RoleAssignmentCreateForm


__all__ = [
    "ScopedModelViewSet",
    "ScopedObjectFormView",
    "ScopedIndexView",
    "ScopedCreateView",
    "ScopedEditView",
    "ScopedDeleteView",
    "ScopedInspectView",
    "OrganisationViewSet",
    "AdvisoryBodyViewSet",
    "RoleAssignmentViewSet",
    "ORG_LISTING_ANNOTATIONS_HOOK",
]
