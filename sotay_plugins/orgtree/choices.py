"""Code lists the scope engine filters on: kinds of unit, party positions, member groups.

Party positions and member groups are bit-mask sets (sotay_plugins.flags): append new codes at
the end, never reorder.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("Đảng bộ tỉnh, thành phố")
    DISTRICT = "district", _("Cấp huyện và tương đương")
    BASE = "base", _("Tổ chức cơ sở đảng")
    SUB = "sub", _("Đảng bộ bộ phận")
    CELL = "cell", _("Chi bộ")


#: Depth order: a unit's children must rank below it; levels may be skipped (the 2025
#: reorganisation removed the district level in many places). Cells are leaves.
KIND_RANK = {
    OrgKind.PROVINCE: 0,
    OrgKind.DISTRICT: 1,
    OrgKind.BASE: 2,
    OrgKind.SUB: 3,
    OrgKind.CELL: 4,
}


class Position(models.TextChoices):
    BI_THU_CHI_BO = "bi_thu_chi_bo", _("Bí thư chi bộ")
    PHO_BI_THU_CHI_BO = "pho_bi_thu_chi_bo", _("Phó Bí thư chi bộ")
    CHI_UY_VIEN = "chi_uy_vien", _("Chi ủy viên")
    BI_THU_DANG_UY = "bi_thu_dang_uy", _("Bí thư cấp ủy")
    PHO_BI_THU_DANG_UY = "pho_bi_thu_dang_uy", _("Phó Bí thư cấp ủy")
    UY_VIEN_BTV = "uy_vien_btv", _("Ủy viên Ban Thường vụ")
    CAP_UY_VIEN = "cap_uy_vien", _("Cấp ủy viên")
    DANG_VIEN = "dang_vien", _("Đảng viên")


class MemberGroup(models.TextChoices):
    OFFICIAL = "official", _("Cán bộ, công chức, viên chức")
    HAMLET = "hamlet", _("Ấp, khóm, thôn, tổ dân phố")
    EXEMPT = "exempt", _("Miễn sinh hoạt")
    FAR_AWAY = "far_away", _("Làm ăn xa")
    TEMP_TRANSFER = "temp_transfer", _("Chuyển sinh hoạt tạm thời")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    RETIRED = "retired", _("Hưu trí")
    STUDENT = "student", _("Học sinh, sinh viên")


class AdvisoryKind(models.TextChoices):
    TUYEN_GIAO = "tuyen_giao", _("Ban Tuyên giáo")
    TO_CHUC = "to_chuc", _("Ban Tổ chức")
    VAN_PHONG = "van_phong", _("Văn phòng")
    KIEM_TRA = "kiem_tra", _("Ủy ban Kiểm tra")
    DAN_VAN = "dan_van", _("Ban Dân vận")
    NOI_CHINH = "noi_chinh", _("Ban Nội chính")
    OTHER = "other", _("Khác")
