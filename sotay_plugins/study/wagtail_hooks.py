"""The study plugin in the Wagtail admin: every hook it registers, wired here explicitly."""

# quizzes
from wagtail import hooks  # noqa: E402


@hooks.register("register_admin_viewset")
def register_quizzes_admin():
    from .quizzes.admin.views import QuizzesGroup

    return QuizzesGroup()
