from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from . import admin


@hooks.register("register_admin_urls")
def register_search_admin_urls():
    return [path("tim-kiem/", admin.AdminSearchView.as_view(), name="search_admin")]


@hooks.register("register_admin_menu_item")
def register_search_menu_item():
    return admin.SearchMenuItem(
        _("Tìm kiếm nội dung"), reverse("search_admin"), icon_name="search", order=150
    )
