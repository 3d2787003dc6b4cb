"""Shared API pieces: pagination, the error shape, the router that plugins' routes join."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def _standard_messages():
    """DRF's own messages in Vietnamese (its catalogue has no Vietnamese for most of them)."""
    return {
        exceptions.NotAuthenticated: _(
            "Chưa đăng nhập: xin gửi kèm mã xác thực (Authorization: Token …)."
        ),
        exceptions.AuthenticationFailed: _("Mã xác thực không hợp lệ hoặc tài khoản đã bị khóa."),
        exceptions.PermissionDenied: _("Bạn không có quyền thực hiện thao tác này."),
        exceptions.NotFound: _("Không tìm thấy."),
        exceptions.MethodNotAllowed: _("Phương thức này không được hỗ trợ ở địa chỉ này."),
        exceptions.NotAcceptable: _("Không thể trả về dữ liệu theo định dạng yêu cầu."),
        exceptions.UnsupportedMediaType: _("Định dạng dữ liệu gửi lên không được hỗ trợ."),
        exceptions.ParseError: _("Dữ liệu gửi lên không đọc được (sai định dạng JSON?)."),
        exceptions.Throttled: _("Bạn đã gửi quá nhiều yêu cầu; xin thử lại sau ít phút."),
    }


def exception_handler(exc, context):
    """Every error is ``{"detail": "<Vietnamese sentence>"}``; bad fields add ``"fields"``.

    ``fields`` maps each bad field name to its messages (CONTRACT.md).
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Không tìm thấy."))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        fields = {
            key: [str(m) for m in (value if isinstance(value, list) else [value])]
            for key, value in data.items()
        }
        messages = [msg for key, msgs in fields.items() for msg in msgs]
        detail = (
            messages[0]
            if len(messages) == 1
            else _("Dữ liệu không hợp lệ, xin xem lại các trường: %(fields)s.")
            % {"fields": ", ".join(k for k in fields if k != "non_field_errors") or _("(chung)")}
        )
        response.data = {"detail": detail, "fields": fields}
    elif isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        if isinstance(exc, exceptions.APIException) and str(detail) == str(exc.default_detail):
            detail = _standard_messages().get(type(exc), detail)
        response.data = {"detail": str(detail)}
    return response


class OrgFieldsMixin(serializers.Serializer):
    """Every scoped object carries issuer_org and audience_org as organisation ids (CONTRACT.md)."""

    issuer_org = serializers.IntegerField(source="issuer_org_id", read_only=True)
    audience_org = serializers.IntegerField(source="audience_org_id", read_only=True)
