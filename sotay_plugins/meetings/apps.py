from importlib import import_module
from importlib.util import find_spec

from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig

#: Each part of the plugin registers what it adds from its own module's ``register(registry)``.
PARTS = ("register_meetings", "register_checkin", "register_materials")


class MeetingsConfig(PluginConfig):
    default = True
    name = "sotay_plugins.meetings"
    label = "meetings"
    verbose_name = _("Sinh hoạt chi bộ")
    version = "0.1"
    depends_on = ("orgtree", "members")

    def register(self, registry):
        from sotay_plugins.orgtree.roles import CELL_SECRETARY, DOCUMENT_UPLOADER, VIEWER

        from . import models as m

        registry.add_capability(
            m.VIEW_MEETING, _("Xem sinh hoạt chi bộ"), roles=[CELL_SECRETARY, VIEWER]
        )
        registry.add_capability(
            m.CONVENE, _("Triệu tập, ghi biên bản sinh hoạt chi bộ"), roles=[CELL_SECRETARY]
        )
        registry.add_capability(m.CHECK_IN, _("Điểm danh đảng viên"), roles=[CELL_SECRETARY])
        # Upper levels' materials are written by their advisory bodies' document uploaders.
        registry.add_capability(
            m.MANAGE_MATERIALS,
            _("Soạn tài liệu sinh hoạt"),
            roles=[CELL_SECRETARY, DOCUMENT_UPLOADER],
        )
        registry.add_capability(m.VIEW_REPORTS, _("Xem báo cáo sinh hoạt chi bộ"), roles=[VIEWER])
        for part in PARTS:
            if find_spec(f"{self.name}.{part}"):
                import_module(f"{self.name}.{part}").register(registry)
