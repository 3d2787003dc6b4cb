"""Advisory bodies in the admin (the committees' offices that issue documents and receive
feedback): listed, founded and edited by whoever manages the tree at their unit; never deleted,
closed instead, so that their documents keep their issuer."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from ..forms import AdvisoryBodyForm
from ..models import AdvisoryBody
from .scoped import ScopedIndexView, ScopedModelViewSet, yes_no_column


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
