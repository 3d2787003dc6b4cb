"""The member register's filters: unit (a whole subtree), group, positions, status, kind."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.choices import MemberGroup, OrgKind, Position
from sotay_plugins.orgtree.forms import OrgChoiceField, SubtreeFilter

from ..models import Member, MembershipKind, MemberStatus
from .forms import tree_order


class UnitChoiceField(OrgChoiceField):
    """Accepts any unit in scope, but lists cells only while the list stays short.

    A provincial admin manages ~5,000 cells: listing them all would add half a megabyte to
    every page of the listing. Above ``LIST_CELLS_UP_TO`` units the dropdown offers the
    committees (province, district-level, base, intermediate) plus the unit already chosen; a
    cell is reached from the tree browser's link, which sets ``?unit=<id>``.
    """

    LIST_CELLS_UP_TO = 300
    selected = None

    def keep_listed(self, value):
        """Make sure the unit already chosen stays in the dropdown."""
        self.selected = value
        self.widget.choices = self.choices

    def _get_choices(self):
        queryset = self.queryset
        if queryset.count() > self.LIST_CELLS_UP_TO:
            keep = Q(kind__in=[OrgKind.PROVINCE, OrgKind.DISTRICT, OrgKind.BASE, OrgKind.SUB])
            if self.selected and str(self.selected).isdigit():
                keep |= Q(pk=int(self.selected))
            queryset = queryset.filter(keep)
        iterator = self.iterator(self)
        iterator.queryset = queryset
        return iterator

    choices = property(_get_choices, forms.ChoiceField.choices.fset)


class UnitFilter(SubtreeFilter):
    """Any unit in the user's scope: the members of its whole subtree."""

    field_class = UnitChoiceField


class MemberFilterSet(WagtailFilterSet):
    unit = UnitFilter(label=gettext_lazy("Đơn vị"), prefix="cell")
    group = django_filters.ChoiceFilter(
        label=gettext_lazy("Nhóm đảng viên"),
        choices=MemberGroup.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    positions = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("Chức vụ đảng"),
        choices=Position.choices,
        method="filter_positions",
        widget=forms.CheckboxSelectMultiple,
    )
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("Tình trạng"),
        choices=MemberStatus.choices,
        empty_label=gettext_lazy("Tất cả"),
    )
    membership = django_filters.ChoiceFilter(
        label=gettext_lazy("Loại đảng viên"),
        choices=MembershipKind.choices,
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = Member
        fields = ["unit", "group", "positions", "status", "membership"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request else None
        self.filters["unit"].queryset = tree_order(scope.managed_orgs(user, "members.view_member"))
        self.form.fields["unit"].keep_listed(self.data.get("unit") if self.data else None)

    def filter_positions(self, queryset, name, value):
        return queryset.filter(positions__has_any=set(value)) if value else queryset
