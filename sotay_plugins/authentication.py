"""API authentication (apart from api.py: DRF imports this while it starts up)."""

from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, answering in Vietnamese."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            raise exceptions.AuthenticationFailed(
                _("Mã xác thực không hợp lệ hoặc tài khoản đã bị khóa.")
            ) from None
