"""The organisation chooser: a modal picker of units for any admin form (a parent, a target
cell, a document's issuer...), used through ``orgtree.forms.org_chooser``.

It lists only the active units where the user holds ``?capability=`` (default
``orgtree.view_org``), optionally of ``?kind=cell,base``; choosing a unit outside them answers
404. The form field's queryset must still be scoped: the chooser only spares the user a long
select, the server-side check is the field's.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet

from .. import scope
from ..choices import OrgKind
from ..models import Organisation


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
    """The chooser widget:
    ``OrganisationChooser(capability="orgtree.manage_tree", kinds=["cell"])``."""

    def __init__(self, *, capability="orgtree.view_org", kinds=(), **kwargs):
        self.capability = capability
        self.kinds = list(kinds)
        super().__init__(**kwargs)

    def get_instance(self, value):
        """A posted value that is no id (junk, shown again with the form's errors) is no choice,
        not a ValueError out of ``objects.get(pk="xxx")`` (a 500 on every form with the chooser)."""
        try:
            return super().get_instance(value)
        except (ValueError, TypeError, ValidationError):
            return None

    def get_chooser_modal_url(self):
        params = {"capability": self.capability}
        if self.kinds:
            params["kind"] = ",".join(self.kinds)
        return f"{super().get_chooser_modal_url()}?{urlencode(params)}"

    def get_display_title(self, instance):
        return f"{instance.code} — {instance.name}"
