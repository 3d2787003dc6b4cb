"""Shared API pieces: pagination, the error shape, the router that plugins' routes join."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import JSONParser as DRFJSONParser
from rest_framework.views import exception_handler as drf_exception_handler


class JSONParser(DRFJSONParser):
    """JSON whose top level is an object, as every body of this API is: an array or a bare value
    (``[null]``, ``"x"``, ``3``) is refused here with a 400 instead of reaching a view that
    calls ``request.data.get`` (it did: ``POST /api/v1/auth/token/`` with ``[]`` was a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise exceptions.ParseError(
                _(
                    "Dữ liệu gửi lên phải là một đối tượng JSON ({…}), không phải mảng hay giá trị "
                    "đơn."
                )
            )
        return data


class Pagination(PageNumberPagination):
    """``?page=`` (a positive integer or ``last``) and ``?page_size=`` (a positive integer,
    capped at 100). A malformed value answers 400 with the field's name; a page past the end 404.

    DRF itself ignores a malformed ``page_size`` and answers an unreadable ``page`` with an
    English 404; the schema says "positive integer", so both are refused here, in Vietnamese.
    """

    page_size_query_param = "page_size"
    max_page_size = 100

    def _positive(self, request, name):
        raw = request.query_params.get(name, "")
        if raw == "" or (name == self.page_query_param and raw in self.last_page_strings):
            return raw
        if raw.isascii() and raw.isdigit() and int(raw) >= 1:
            return int(raw)
        raise exceptions.ValidationError({name: [_("Phải là một số nguyên dương.")]})

    def get_page_size(self, request):
        size = self._positive(request, self.page_size_query_param)
        return min(size, self.max_page_size) if size != "" else self.page_size

    def get_page_number(self, request, paginator):
        number = self._positive(request, self.page_query_param)
        if number in self.last_page_strings:
            return paginator.num_pages
        return number or 1

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except exceptions.NotFound:
            raise exceptions.NotFound(_("Không có trang này.")) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = (
                    f"Results per page (default {self.page_size}; larger values than "
                    f"{self.max_page_size} are capped to it)."
                )
            else:
                parameter["description"] = "A page number, from 1 (or `last`)."
        return parameters


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
