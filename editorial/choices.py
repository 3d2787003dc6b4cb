"""Choice sets of the newsroom and the library (a module without models, for the API schema)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NewsCategory(models.TextChoices):
    LEADERSHIP = "leadership", _("Hoạt động lãnh đạo")
    CURRENT = "current", _("Thời sự")
    INTERNATIONAL = "international", _("Quốc tế")
    USEFUL = "useful", _("Thông tin hữu ích")
    BULLETIN = "bulletin", _("Bản tin nội bộ")


class DocumentKind(models.TextChoices):
    RESOLUTION = "nghi_quyet", _("Nghị quyết")
    DIRECTIVE = "chi_thi", _("Chỉ thị")
    REGULATION = "quy_dinh", _("Quy định")
    CONCLUSION = "ket_luan", _("Kết luận")
    GUIDANCE = "huong_dan", _("Hướng dẫn")
    PLAN = "ke_hoach", _("Kế hoạch")
    NOTICE = "thong_bao", _("Thông báo")
    DISPATCH = "cong_van", _("Công văn")
    DECISION = "quyet_dinh", _("Quyết định")
    REPORT = "bao_cao", _("Báo cáo")
    OTHER = "khac", _("Khác")


class LinkKind(models.TextChoices):
    IMPLEMENTS = "implements", pgettext_lazy("quan hệ giữa hai văn bản", "Thực hiện")
    AMENDS = "amends", _("Sửa đổi, bổ sung")
    REPLACES = "replaces", _("Thay thế")
