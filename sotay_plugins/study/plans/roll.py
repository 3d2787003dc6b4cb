"""The study sessions' roll: where check-ins at a study session land (served by the attendance
plugin: QR card, rotating app QR, chip-card QR, manual marking, offline queue, exactly once)."""

from django.utils.translation import gettext_lazy as _

from sotay_plugins.attendance import rolls
from sotay_plugins.registry import Roll, RollTexts

from ..resolutions.models import VIEW_STUDY
from .models import CHECK_IN_STUDY, SessionAttendance, StudySession

ROLL_KEY = "study"
API_PREFIX = "study/sessions"
API_NAME = "studysession"

#: What check-in reads of a session.
SESSION_FIELDS = (
    "id",
    "title",
    "place",
    "state",
    "starts_at",
    "ends_at",
    "issuer_org_id",
    "audience_org__id",
    "audience_org__name",
    "audience_org__kind",
    "audience_org__tree_id",
    "audience_org__lft",
    "audience_org__rght",
    "audience_org__level",
    "audience_org__parent_id",
    "audience_org__is_active",
)


def register_roll(registry):
    rolls.add(
        registry,
        Roll(
            key=ROLL_KEY,
            model=SessionAttendance,
            event_field="session",
            capability=CHECK_IN_STUDY,
            view_capability=VIEW_STUDY,
            closed={
                StudySession.State.CANCELLED: (
                    "cancelled",
                    _("Buổi học đã bị hủy, không thể điểm danh."),
                ),
            },
            texts=RollTexts(
                not_found=_("Không tìm thấy buổi học tập nghị quyết."),
                only_staff=_("Chỉ người phụ trách buổi học được điểm danh."),
                forbidden=_("Đồng chí không có quyền điểm danh buổi học này."),
                not_expected=_("Người này không có trong danh sách dự buổi học."),
                not_expected_named=_("Đồng chí %(name)s không có trong danh sách dự buổi học."),
                too_early=_("Giờ điểm danh quá sớm so với giờ bắt đầu buổi học."),
                locked=_("Buổi học đã hủy: không điểm danh được."),
                roll_title=_("Danh sách dự buổi học"),
                empty=_("Buổi học chưa có danh sách người dự."),
            ),
            api_prefix=API_PREFIX,
            api_name=API_NAME,
            page_url="study:session_checkin",
            mark_url="study:session_checkin_mark",
            offline_queue="hoc-tap-",
            event_fields=SESSION_FIELDS,
        ),
    )
