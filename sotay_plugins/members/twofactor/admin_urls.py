"""The admin page of staff second factors (registered by ``members.wagtail_hooks``)."""

from django.urls import include, path
from django.utils.translation import gettext_lazy
from wagtail.admin.menu import MenuItem

from . import views

urlpatterns = [
    path("", views.StaffListView.as_view(), name="index"),
    path("<int:user_id>/dat-lai/", views.ResetView.as_view(), name="reset"),
]


def admin_urls():
    return [
        path(
            "xac-thuc-hai-buoc/",
            include((urlpatterns, "members_twofactor"), namespace="members_twofactor"),
        )
    ]


class TwoFactorMenuItem(MenuItem):
    def is_shown(self, request):
        return views.may_reset_anyone(request.user)


def menu_item():
    from django.urls import reverse

    return TwoFactorMenuItem(
        gettext_lazy("Xác thực hai bước"),
        reverse("members_twofactor:index"),
        name="xac-thuc-hai-buoc",
        icon_name="key",
        order=900,
    )
