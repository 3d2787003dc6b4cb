"""Audit actions for member records, written to Wagtail's audit log (Reports → Site history)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = [
    ("sotay_members.create", _("Tạo hồ sơ đảng viên"), _("Đã tạo hồ sơ đảng viên")),
    ("sotay_members.view", _("Xem hồ sơ đảng viên"), _("Đã xem hồ sơ (đã che thông tin cá nhân)")),
    (
        "sotay_members.view_personal",
        _("Xem thông tin cá nhân"),
        _("Đã xem CCCD, ngày sinh, địa chỉ"),
    ),
    ("sotay_members.transfer", _("Chuyển sinh hoạt"), _("Đã chuyển sinh hoạt đảng")),
    ("sotay_members.activation_code", _("Cấp mã kích hoạt"), _("Đã cấp mã kích hoạt tài khoản")),
    ("sotay_members.activate", _("Kích hoạt tài khoản"), _("Đảng viên đã kích hoạt tài khoản")),
    (
        "sotay_members.reset_account",
        _("Đặt lại tài khoản"),
        _("Đã đặt lại tài khoản (mật khẩu và mã xác thực hết hiệu lực)"),
    ),
    ("sotay_members.import", _("Nhập từ Excel"), _("Đã cập nhật từ tệp Excel")),
    ("sotay_members.revoke_qr", _("Thu hồi thẻ QR"), _("Đã thu hồi mọi mã QR điểm danh cũ")),
    (
        "sotay_members.twofactor_reset",
        _("Đặt lại xác thực hai bước"),
        _("Đã đặt lại thiết bị xác thực hai bước (đăng ký lại khi vào quản trị)"),
    ),
]


def register(actions):
    for action, label, message in ACTIONS:
        actions.register_action(action, label, message)
