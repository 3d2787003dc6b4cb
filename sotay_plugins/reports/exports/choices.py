"""The kinds of export (no models here: the API schema names the enum from this module, which
imports safely whether or not the plugin is enabled)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportKind(models.TextChoices):
    MEMBERS = "members", _("Danh sách đảng viên")
    SUMMARY = "summary", _("Thống kê theo đơn vị trực thuộc")
    MONTHLY = "monthly", _("Báo cáo tháng của chi bộ")
