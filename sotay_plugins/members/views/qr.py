"""The member's own QR credential: the "Mã QR điểm danh" page of the member shell (a rotating
QR as inline SVG, renewed in place every minute by ``js/qr.js`` from :func:`my_qr_card`, the
card alone, without reloading the page; without JavaScript a "Làm mới mã" link reloads it) and
``GET /api/v1/me/qr/``
(:class:`MyQrView`). ``urls.py`` routes the page; the app's ``register`` adds the tab and the
API path."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import cards, credentials, services

#: The page's script renews the code this often; the token lives APP_TOKEN_SECONDS (90 s), so a
#: code on screen is always valid for at least half a minute more.
REFRESH_SECONDS = 60


@never_cache
@login_required
def my_qr(request):
    return render(request, "members/qr/my_qr.html", _qr_context(request))


@never_cache
@login_required
def my_qr_card(request):
    """The QR card alone (a fresh code), which the page's script swaps in place; 404 for an
    account without a member record."""
    context = _qr_context(request)
    if context["member"] is None:
        raise Http404(_("Tài khoản này không gắn với hồ sơ đảng viên nào."))
    return render(request, "members/qr/_card.html", context)


@never_cache
@login_required
def my_printed_card(request):
    """The code of the member's printed card (issue 18): the long-lived card token, which the
    phone keeps for check-in with no network (the app's code expires in 90 s). It is the same
    credential as the paper card: a new card (Admin → In thẻ QR) revokes both."""
    member = services.current_member(request.user)
    context = {"member": member}
    if member is not None:
        context["svg"] = cards.qr_svg(
            credentials.card_token(member),
            label=_("Mã QR trên thẻ điểm danh của %(name)s") % {"name": member.full_name},
        )
    return render(request, "members/qr/printed_card.html", context)


def _qr_context(request):
    member = services.current_member(request.user)
    context = {"member": member, "refresh": REFRESH_SECONDS}
    if member is not None:
        qr = cards.app_qr(member)
        context.update(
            qr=qr,
            svg=cards.qr_svg(
                qr["token"], label=_("Mã QR điểm danh của %(name)s") % {"name": member.full_name}
            ),
        )
    return context


class MyQrView(APIView):
    """The caller's short-lived QR token (an app token, valid 90 s) and when it expires."""

    @extend_schema(
        responses=inline_serializer(
            "MyQr",
            {
                "token": serializers.CharField(),
                "expires_at": serializers.DateTimeField(),
                "seconds": serializers.IntegerField(),
            },
        )
    )
    def get(self, request):
        member = services.current_member(request.user)
        if member is None:
            return Response(
                {"detail": _("Tài khoản này không gắn với hồ sơ đảng viên nào.")}, status=404
            )
        qr = cards.app_qr(member)
        response = Response(
            {
                "token": qr["token"],
                "expires_at": qr["expires_at"].isoformat(),
                "seconds": qr["seconds"],
            }
        )
        response["Cache-Control"] = "no-store"
        return response
