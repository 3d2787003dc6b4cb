"""The notices plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

from wagtail import hooks

from .admin import announcements


@hooks.register("register_admin_viewset")
def register_announcement_admin():
    return announcements.AnnouncementViewSet()
