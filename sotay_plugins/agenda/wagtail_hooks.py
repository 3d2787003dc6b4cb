"""The agenda plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

from wagtail import hooks

from .admin import tasks


@hooks.register("register_admin_viewset")
def register_task_admin():
    return tasks.TaskViewSet()
