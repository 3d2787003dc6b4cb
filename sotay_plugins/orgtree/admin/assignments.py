"""Role assignments in the admin ("Phân quyền"): who holds which role at which unit (and for
which advisory body). Giving and withdrawing a role goes through ``orgtree.permissions``: nobody
hands out, or takes back, more than they hold."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..forms import RoleAssignmentCreateForm, RoleAssignmentEditForm, RoleAssignmentFilterSet
from ..models import RoleAssignment
from ..permissions import may_grant
from .scoped import ScopedCreateView, ScopedDeleteView, ScopedIndexView, ScopedModelViewSet


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
