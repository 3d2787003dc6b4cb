"""The members plugin in the Wagtail admin: the member register (menu "Đảng viên"), its audit
actions, and the member count column of the organisation tree browser."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from sotay_plugins.orgtree.permissions import register_scope_policy

from . import log_actions
from .models import Member
from .permissions import MemberPermissionPolicy

# Registered before any view asks Wagtail for the model's policy (see orgtree.permissions).
register_scope_policy(
    MemberPermissionPolicy(
        Member,
        {
            "view": "members.view_member",
            "add": "members.change_member",
            "change": "members.change_member",
            "transfer": "members.transfer_member",
            "issue_activation": "members.issue_activation",
            "reset_account": "members.reset_account",
            "view_personal": "members.view_personal",
            # no "delete": a member leaves the register through a status, never a deleted row
        },
    )
)

from sotay_plugins.orgtree.admin_views import ORG_LISTING_ANNOTATIONS_HOOK  # noqa: E402

from . import cards_admin, import_admin  # noqa: E402, F401  (QR cards and spreadsheet import admin views)
from .admin_views import MemberViewSet  # noqa: E402
from .services import VISIBLE_STATUSES  # noqa: E402


@hooks.register("register_log_actions")
def register_member_log_actions(actions):
    log_actions.register(actions)


@hooks.register("register_admin_viewset")
def register_member_admin():
    return MemberViewSet()


@hooks.register(ORG_LISTING_ANNOTATIONS_HOOK)
def member_count_annotation():
    """Members of each listed unit's whole subtree, counted inside the listing's one query."""
    counted = (
        Member.objects.filter(
            cell__tree_id=OuterRef("tree_id"),
            cell__lft__gte=OuterRef("lft"),
            cell__rght__lte=OuterRef("rght"),
            status__in=VISIBLE_STATUSES,
        )
        .order_by()
        .values("cell__tree_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        "member_count",
        _("Số đảng viên"),
        Coalesce(Subquery(counted, output_field=IntegerField()), 0),
        lambda unit: f"{reverse('members_member:index')}?unit={unit.pk}",
    )
