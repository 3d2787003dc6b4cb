"""What the plans part registers (called from the plugin's ``StudyConfig.register``)."""

from django.utils.translation import gettext_lazy as _


def register(registry):
    from sotay_plugins.orgtree.roles import CELL_SECRETARY
    from sotay_plugins.registry import StatisticsProvider

    from ..resolutions.apps import STUDY_OFFICER
    from . import reports
    from .api import ImplementationPlanViewSet, StudyPlanViewSet, StudySessionViewSet
    from .models import CHECK_IN_STUDY, RECORD_IMPLEMENTATION
    from .roll import register_roll

    registry.add_capability(
        CHECK_IN_STUDY,
        _("Điểm danh buổi học tập nghị quyết"),
        roles=[STUDY_OFFICER, CELL_SECRETARY],
    )
    registry.add_capability(
        RECORD_IMPLEMENTATION,
        _("Ghi kế hoạch thực hiện nghị quyết của đơn vị"),
        roles=[STUDY_OFFICER, CELL_SECRETARY],
    )
    registry.add_api_route("study/plans", StudyPlanViewSet, "studyplan")
    registry.add_api_route("study/sessions", StudySessionViewSet, "studysession-item")
    registry.add_api_route(
        "study/implementation-plans", ImplementationPlanViewSet, "implementationplan"
    )
    register_roll(registry)
    # Today's figure (a snapshot, computed in bulk) and the plans per unit and month.
    registry.add_statistic(
        StatisticsProvider(
            "study.without_implementation_plan",
            _("Số đơn vị chưa có kế hoạch thực hiện nghị quyết (đã quá hạn)"),
            reports.stat_without_plan,
            section="study",
            order=44,
        )
    )
    registry.add_statistic(reports.provider())
