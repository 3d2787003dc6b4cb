"""Enrolment and verification (outside the admin, in the site's shell), and the admin page where
a higher administrator resets a lost device.

    /xac-thuc-hai-buoc/            verify: a code of the authenticator or a recovery code
    /xac-thuc-hai-buoc/dang-ky/    enrol: QR code and key, one code to confirm, recovery codes
    /quan-tri/xac-thuc-hai-buoc/               staff whose device the admin may reset
    /quan-tri/xac-thuc-hai-buoc/<id>/dat-lai/  confirm and reset (POST), recorded
"""

from base64 import b32encode

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from sotay_plugins.orgtree import scope
from sotay_plugins.orgtree.models import RoleAssignment

from . import (
    _full_admin_grants,
    authenticator,
    confirm,
    is_enrolled,
    may_reset,
    needs_two_factor,
    pending_authenticator,
    reset,
)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã xác thực"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split())


def _next(request):
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("wagtailadmin_home")


def _with_next(name, next_url):
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def _qr_svg(text):
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return mark_safe(image.to_string(encoding="unicode"))  # made here from our own text


@never_cache
@login_required
def enrol(request):
    user, next_url = request.user, _next(request)
    if not needs_two_factor(user):
        return redirect(next_url)
    if is_enrolled(user):
        return redirect(_with_next("members:twofactor_verify", next_url))
    device = pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = confirm(device)
            request.session.cycle_key()
            django_otp.login(request, device)
            return render(
                request, "members/twofactor/recovery.html", {"codes": codes, "next": next_url}
            )
        form.add_error("code", _("Mã không đúng hoặc đã hết hạn. Hãy nhập mã đang hiện."))
    return render(
        request,
        "members/twofactor/enrol.html",
        {
            "form": form,
            "next": next_url,
            "qr": _qr_svg(device.config_url),
            "secret": b32encode(device.bin_key).decode(),
        },
    )


@never_cache
@login_required
def verify(request):
    user, next_url = request.user, _next(request)
    if not needs_two_factor(user) or user.is_verified():
        return redirect(next_url)
    if not is_enrolled(user):
        return redirect(_with_next("members:twofactor_enrol", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        devices = [authenticator(user), *StaticDevice.objects.filter(user=user, confirmed=True)]
        for device in devices:
            if django_otp.verify_token(user, device.persistent_id, code):
                request.session.cycle_key()
                django_otp.login(request, device)
                return redirect(next_url)
        form.add_error("code", _("Mã không đúng hoặc đã hết hạn."))
    return render(request, "members/twofactor/verify.html", {"form": form, "next": next_url})


# --- the admin: a higher administrator resets a lost device --------------------------------


def may_reset_anyone(user):
    return scope.is_superadmin(user) or bool(_full_admin_grants(user))


def resettable(actor):
    """Staff accounts whose second factor ``actor`` may reset (``may_reset``)."""
    users = get_user_model().objects.filter(is_active=True).exclude(pk=actor.pk)
    if not scope.is_superadmin(actor):
        ranges = [(g.tree_id, g.lft, g.rght) for g in _full_admin_grants(actor)]
        if not ranges:
            return []
        below = RoleAssignment.objects.filter(scope.within(ranges, "org")).values("user_id")
        users = users.filter(pk__in=below, is_superuser=False)
    else:
        users = users.filter(
            Q(is_superuser=True) | Q(pk__in=RoleAssignment.objects.values("user_id"))
        )
    return [u for u in users.order_by("username")[:500] if may_reset(actor, u)]


class StaffListView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "members/twofactor/admin_list.html"
    page_title = gettext_lazy("Xác thực hai bước của cán bộ")

    def dispatch(self, request, *args, **kwargs):
        if not may_reset_anyone(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        accounts = resettable(self.request.user)
        enrolled = set(
            TOTPDevice.objects.filter(user__in=accounts, confirmed=True).values_list(
                "user_id", flat=True
            )
        )
        context["accounts"] = [(u, u.pk in enrolled) for u in accounts]
        return context


class ResetView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "members/twofactor/admin_reset.html"
    page_title = gettext_lazy("Đặt lại xác thực hai bước")

    def dispatch(self, request, *args, **kwargs):
        self.account = get_object_or_404(get_user_model(), pk=kwargs["user_id"])
        if not may_reset(request.user, self.account):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "account": self.account}

    def post(self, request, *args, **kwargs):
        reset(request.user, self.account)
        messages.success(
            request,
            _(
                "Đã đặt lại xác thực hai bước của %(name)s: lần vào trang quản trị tới, "
                "người này đăng ký lại ứng dụng xác thực."
            )
            % {"name": self.account.get_full_name() or self.account.get_username()},
        )
        return redirect("members_twofactor:index")
