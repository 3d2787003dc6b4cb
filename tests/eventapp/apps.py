from django.apps import AppConfig, apps


class EventAppConfig(AppConfig):
    """A test-only module with its own events and roll (``tests/eventapp``), registered the way a
    module registers one: a few lines in ``ready()``."""

    name = "tests.eventapp"
    label = "eventapp"
    verbose_name = "Sự kiện thử điểm danh"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        if not apps.is_installed("sotay_plugins.attendance"):
            return
        from sotay_plugins.attendance import rolls
        from sotay_plugins.orgtree.roles import CELL_SECRETARY, VIEWER
        from sotay_plugins.registry import Roll, RollTexts, registry

        from .models import TAKE_ROLL, VIEW_SESSION, SessionAttendance, StudySession

        registry.add_capability(TAKE_ROLL, "Điểm danh buổi học", roles=[CELL_SECRETARY])
        registry.add_capability(VIEW_SESSION, "Xem buổi học", roles=[CELL_SECRETARY, VIEWER])
        rolls.add(
            registry,
            Roll(
                key="eventapp",
                model=SessionAttendance,
                event_field="session",
                capability=TAKE_ROLL,
                view_capability=VIEW_SESSION,
                starts_field="opens_at",
                state_field="phase",
                closed={
                    StudySession.Phase.DONE: ("closed", "Buổi học đã xong."),
                    StudySession.Phase.DROPPED: ("cancelled", "Buổi học đã bị bỏ."),
                },
                texts=RollTexts(
                    not_found="Không tìm thấy buổi học.",
                    only_staff="Chỉ người phụ trách được điểm danh buổi học.",
                    forbidden="Không có quyền điểm danh buổi học này.",
                    not_expected="Người này không có trong danh sách buổi học.",
                    not_expected_named="%(name)s không có trong danh sách buổi học.",
                    too_early="Quá sớm so với giờ học.",
                    locked="Buổi học đã khóa.",
                    roll_title="Danh sách buổi học",
                    empty="Chưa có ai trong danh sách.",
                ),
                api_prefix="study-sessions",
                api_name="study-session",
                page_url="eventapp:scan",
                mark_url="eventapp:scan_mark",
                offline_queue="study-",
            ),
        )
