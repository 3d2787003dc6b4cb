"""The meetings' roll: where check-ins at a cell meeting land (served by the attendance plugin)."""

from django.utils.translation import gettext_lazy as _

from sotay_plugins.attendance import rolls
from sotay_plugins.registry import Roll, RollTexts

from .models import CHECK_IN, VIEW_MEETING, Attendance, Meeting

ROLL_KEY = "meetings"

#: What check-in reads of a meeting (not its agenda, minutes or resolution texts).
MEETING_FIELDS = (
    "id",
    "title",
    "kind",
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
            model=Attendance,
            event_field="meeting",
            capability=CHECK_IN,
            view_capability=VIEW_MEETING,
            closed={
                Meeting.State.CANCELLED: (
                    "cancelled",
                    _("Buổi sinh hoạt đã bị hủy, không thể điểm danh."),
                ),
                Meeting.State.CLOSED: (
                    "closed",
                    _("Buổi sinh hoạt đã duyệt biên bản và khóa, không thể điểm danh thêm."),
                ),
            },
            texts=RollTexts(
                not_found=_("Không tìm thấy buổi sinh hoạt."),
                only_staff=_("Chỉ bí thư, phó bí thư chi bộ được điểm danh buổi sinh hoạt này."),
                forbidden=_("Đồng chí không có quyền điểm danh buổi sinh hoạt này."),
                not_expected=_("Đảng viên này không có trong danh sách sinh hoạt của chi bộ này."),
                not_expected_named=_(
                    "Đồng chí %(name)s không có trong danh sách sinh hoạt của chi bộ này."
                ),
                too_early=_("Giờ điểm danh quá sớm so với giờ bắt đầu buổi sinh hoạt."),
                locked=_("Buổi sinh hoạt đã khóa hoặc đã hủy: không điểm danh thêm được."),
                roll_title=_("Danh sách sinh hoạt"),
                empty=_("Buổi sinh hoạt chưa có danh sách đảng viên dự họp."),
            ),
            api_prefix="meetings",
            api_name="meeting",
            page_url="meetings:checkin",
            mark_url="meetings:checkin_mark",
            event_fields=MEETING_FIELDS,
        ),
    )
