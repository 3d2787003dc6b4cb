"""The members plugin in the Wagtail admin: the member register (menu "Đảng viên"), its audit
actions, and the member count column of the organisation tree browser. The member's
permission policy is registered when the app is ready (``MembersConfig.register_policies``)."""

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from sotay_plugins.orgtree.admin.organisations import ORG_LISTING_ANNOTATIONS_HOOK

from . import cards_admin, import_admin, log_actions  # noqa: F401  (cards_admin, import_admin: views)
from .admin_views import MemberViewSet
from .models import Member
from .services import VISIBLE_STATUSES


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
