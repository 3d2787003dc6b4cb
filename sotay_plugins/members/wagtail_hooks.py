"""The members plugin in the Wagtail admin, wired in one place: the member register (menu
"Đảng viên"), the spreadsheet import and the QR cards (their routes and menu items), the audit
actions, the member count column of the organisation tree browser, and the accounts that the
admin's bulk actions change (their kept pages and account go stale). The views live in
``admin/``; the permission policy is registered by the app's ``ready()``
(``MembersConfig.register_policies``)."""

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from sotay_plugins import pagecache
from sotay_plugins.orgtree.admin.organisations import ORG_LISTING_ANNOTATIONS_HOOK

from . import log_actions
from .admin import cards, imports
from .admin.members import MemberViewSet
from .models import Member
from .services import VISIBLE_STATUSES


@hooks.register("register_log_actions")
def register_member_log_actions(actions):
    log_actions.register(actions)


@hooks.register("after_bulk_action")
def touch_accounts_after_bulk_action(request, action_type, objects, action):
    """Wagtail's bulk actions on accounts (activate, deactivate, …) write with
    ``QuerySet.update``, which sends no ``post_save``: move the people's stamps on here, as
    ``services.touch_person`` does for a save."""
    user_model = get_user_model()
    people = [obj.pk for obj in objects if isinstance(obj, user_model)]
    if people:
        pagecache.touch_users(*people)


@hooks.register("register_admin_urls")
def register_twofactor_admin_urls():
    from .twofactor.admin_urls import admin_urls

    return admin_urls()


@hooks.register("register_admin_menu_item")
def register_twofactor_menu_item():
    from .twofactor.admin_urls import menu_item

    return menu_item()


@hooks.register("register_admin_viewset")
def register_member_admin():
    return MemberViewSet()


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path(
            "nhap-dang-vien/",
            include((imports.urlpatterns, "members_import"), namespace="members_import"),
        ),
        path("the-qr/", include((cards.urlpatterns, "members_cards"), namespace="members_cards")),
    ]


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return imports.menu_item()


@hooks.register("register_admin_menu_item")
def register_cards_menu_item():
    return cards.menu_item()


@hooks.register(ORG_LISTING_ANNOTATIONS_HOOK)
def member_count_annotation():
    """Members of each listed unit's whole subtree, counted inside the listing's one query.

    A correlated subquery (the unit is the outer row, not a known Organisation), so the range is
    written against ``OuterRef`` here; ``scope.within`` takes units it can read."""
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
