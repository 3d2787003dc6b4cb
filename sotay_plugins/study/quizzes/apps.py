"""What the quizzes add to the registry, called from the study plugin's ``register`` (block
"# quizzes" of ``study/apps.py``)."""

from django.utils.translation import gettext_lazy as _


def register(registry):
    from sotay_plugins.orgtree.roles import CELL_SECRETARY, DOCUMENT_UPLOADER, VIEWER
    from sotay_plugins.registry import DemoSeeder, StatisticsProvider

    from . import reports
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
    for key, label, compute in (
        (
            "study.quiz_pass_rate",
            _("Tỷ lệ đảng viên đạt bài kiểm tra nghị quyết trong năm (%)"),
            reports.stat_pass_rate,
        ),
        (
            "study.quiz_average_score",
            _("Điểm trung bình bài kiểm tra nghị quyết trong năm (%)"),
            reports.stat_average_score,
        ),
        (
            "study.quiz_participants",
            _("Số lượt đảng viên làm bài kiểm tra nghị quyết trong năm"),
            reports.stat_participants,
        ),
    ):
        registry.add_statistic(StatisticsProvider(key, label, compute))
    registry.add_demo_seeder(DemoSeeder("study.quizzes", seed_demo, order=80))
