from django.utils.translation import gettext_lazy as _

from sotay_plugins.plugin import PluginConfig


class AttendanceConfig(PluginConfig):
    """The one attendance service: rolls that modules register for their own events (meetings,
    study sessions), QR and chip-card check-in, manual marks, offline sync, exactly once. It
    adds no capability of its own: each roll names the capabilities of its module."""

    default = True
    name = "sotay_plugins.attendance"
    label = "attendance"
    verbose_name = _("Điểm danh")
    version = "0.1"
    depends_on = ("orgtree", "members")
