"""What the quizzes add to the registry, called from the study plugin's ``register`` (block
"# quizzes" of ``study/apps.py``)."""

from django.utils.translation import gettext_lazy as _


def register(registry):
    from sotay_plugins.orgtree.roles import CELL_SECRETARY, DOCUMENT_UPLOADER, VIEWER
    from sotay_plugins.registry import DemoSeeder

    from .api.quizzes import QuizViewSet
    from .demo import seed_demo
    from .models import MANAGE_QUIZZES, VIEW_QUIZ_RESULTS

    registry.add_capability(
        MANAGE_QUIZZES,
        _("Soạn ngân hàng câu hỏi và bài kiểm tra nghị quyết"),
        roles=[DOCUMENT_UPLOADER],
    )
    registry.add_capability(
        VIEW_QUIZ_RESULTS,
        _("Xem kết quả và thống kê bài kiểm tra nghị quyết"),
        roles=[DOCUMENT_UPLOADER, VIEWER, CELL_SECRETARY],
    )
    registry.add_api_route("quizzes", QuizViewSet, "quiz")
    # Attempts and passes per cell and month, for the reports' roll-ups (issue 16).
    from .statistics import provider as statistics_provider

    registry.add_statistic(statistics_provider())
    registry.add_demo_seeder(DemoSeeder("study.quizzes", seed_demo, order=80))
