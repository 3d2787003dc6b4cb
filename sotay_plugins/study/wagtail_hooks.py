"""The study plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu

# points
from .points import admin as points_admin


# points
@hooks.register("register_admin_urls")
def register_points_admin_urls():
    namespace = "points_admin"
    return [path("", include((points_admin.urlpatterns, namespace), namespace=namespace))]


# points
@hooks.register("register_admin_menu_item")
def register_points_menu():
    items = [
        points_admin.PointsMenuItem(
            label, reverse(f"points_admin:{name}"), name=f"diem-{name}", icon_name=icon, order=n
        )
        for n, (label, name, icon) in enumerate(
            (
                (_("Bảng xếp hạng"), "boards", "list-ol"),
                (_("Sổ điểm của đảng viên"), "search", "search"),
                (_("Quy tắc tính điểm"), "rules", "cog"),
            )
        )
    ]
    return points_admin.PointsSubmenu(
        _("Điểm tích lũy"), Menu(items=items), name="diem-tich-luy", icon_name="pick", order=360
    )
