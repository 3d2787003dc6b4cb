"""The organisation tree in the Wagtail admin: menu group "Tổ chức đảng".

Every listing, form choice and object page answers from the scope engine through the models'
permission policies, registered when the app is ready (``OrgTreeConfig.register_policies``).
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup

from .admin.assignments import RoleAssignmentViewSet
from .admin.bodies import AdvisoryBodyViewSet
from .admin.chooser import organisation_chooser_viewset
from .admin.organisations import OrganisationViewSet


class OrgTreeAdminGroup(ViewSetGroup):
    menu_label = _("Tổ chức đảng")
    menu_icon = "site"
    menu_order = 200
    items = (OrganisationViewSet, AdvisoryBodyViewSet, RoleAssignmentViewSet)


@hooks.register("register_admin_viewset")
def register_orgtree_admin():
    return OrgTreeAdminGroup()


@hooks.register("register_admin_viewset")
def register_organisation_chooser():
    return organisation_chooser_viewset


@hooks.register("construct_help_menu")
def say_the_wagtail_guide_is_in_english(request, menu_items):
    """Wagtail's editor guide (guide.wagtail.org) exists in English only: its help-menu item says
    so, rather than leading a Vietnamese editor to an English site unannounced (issue 17)."""
    for item in menu_items:
        if getattr(item, "name", "") == "editor-guide":
            item.label = _("Hướng dẫn biên tập của Wagtail (tiếng Anh)")
