"""What the points concern adds to the study plugin, called from ``StudyConfig.register`` and
``ready`` (each in a block marked "# points")."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

#: The points' own role: a committee's officer who follows points, adjusts them and sets the
#: province's target.
POINTS_MANAGER = "points_manager"


def register(registry):
    from sotay_plugins.orgtree.roles import CELL_SECRETARY, STAFF_BASE, VIEWER
    from sotay_plugins.registry import DemoSeeder, HomeCard, PointRule

    from . import cards
    from .api import LeaderboardsView, MyPointsView
    from .models import ADJUST_POINTS, MANAGE_POINTS, VIEW_POINTS

    registry.add_role(
        POINTS_MANAGER,
        _("Quản lý điểm tích lũy"),
        _("Theo dõi điểm tích lũy và bảng xếp hạng, điều chỉnh điểm, đặt chỉ tiêu của tỉnh."),
        capabilities=STAFF_BASE,
    )
    registry.add_capability(
        VIEW_POINTS,
        _("Xem điểm tích lũy và bảng xếp hạng"),
        roles=[VIEWER, CELL_SECRETARY, POINTS_MANAGER],
    )
    registry.add_capability(ADJUST_POINTS, _("Điều chỉnh điểm tích lũy"), roles=[POINTS_MANAGER])
    registry.add_capability(
        MANAGE_POINTS, _("Đặt chỉ tiêu và quy tắc điểm của tỉnh"), roles=[POINTS_MANAGER]
    )
    # The study plugin's own rules (its resolutions, plans and quizzes send these keys).
    for rule in (
        PointRule(
            "study.read",
            _("Đọc hết nội dung nghị quyết"),
            5,
            cap_per_day=20,
            cap_per_item=5,
            order=10,
        ),
        PointRule(
            "study.completed", _("Hoàn thành học tập nghị quyết"), 10, cap_per_item=10, order=20
        ),
        PointRule(
            "study.session_attended",
            _("Dự buổi học tập nghị quyết"),
            5,
            cap_per_day=10,
            order=30,
        ),
        PointRule(
            "study.quiz_passed", _("Đạt bài kiểm tra nghị quyết"), 10, cap_per_item=10, order=40
        ),
    ):
        registry.add_point_rule(rule)
    # A home card with the way to the pages (the bottom bar keeps five tabs on a phone).
    registry.add_home_card(
        HomeCard(
            "study.points",
            "study/points/_card.html",
            cards.points_card,
            order=60,
            depends=cards.points_card_depends,
        )
    )
    registry.add_api_path("points/me/", MyPointsView, "points-me")
    registry.add_api_path("leaderboards/", LeaderboardsView, "leaderboards")
    # Points per cell and month, for the reports' roll-ups (issue 16).
    from .statistics import provider as statistics_provider

    registry.add_statistic(statistics_provider())
    registry.add_demo_seeder(DemoSeeder("study.points", seed_demo, order=90))


def seed_demo(*, scale, seed, stdout=None):
    """``seed_demo``'s step for points: the only way into ``points.demo``."""
    from .demo import seed as seed_points

    return seed_points(scale=scale, seed=seed, stdout=stdout)


def ready():
    from sotay_plugins.orgtree.admin.scoped import register_scope_policy
    from sotay_plugins.signals import points_earned

    from . import ledger, permissions

    for policy in permissions.POLICIES:
        register_scope_policy(policy)
    points_earned.connect(ledger.on_points_earned, dispatch_uid="study.points.ledger")
