"""Login, logout and account activation for members. The login is the CCCD."""

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView

from sotay_plugins.authentication import client_address, normalise_username

from . import services

LOCKOUT_MESSAGE = gettext_lazy(
    "Bạn đã nhập sai mật khẩu quá nhiều lần. Tài khoản tạm khóa 15 phút; "
    "nếu quên mật khẩu, xin liên hệ bí thư chi bộ để được cấp mã kích hoạt mới."
)


def lockout_response(request, *args, **kwargs):
    """What django-axes answers once a login is locked out (see sotay_plugins.authentication):
    429, in Vietnamese, through the web and the API alike."""
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        return JsonResponse({"detail": str(LOCKOUT_MESSAGE)}, status=429)
    return render(request, "members/locked_out.html", {"message": LOCKOUT_MESSAGE}, status=429)


class LoginForm(auth_views.AuthenticationForm):
    username = forms.CharField(
        label=gettext_lazy("Số CCCD"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "username", "autofocus": True}
        ),
    )
    error_messages = {
        "invalid_login": gettext_lazy("Số CCCD hoặc mật khẩu không đúng."),
        "inactive": gettext_lazy(
            "Tài khoản chưa được kích hoạt. Xin nhập mã kích hoạt do chi bộ cấp."
        ),
    }

    def clean_username(self):
        """Folded like the lockout's count (look-alike digits are the same CCCD)."""
        return normalise_username(self.cleaned_data.get("username"))


class LoginView(auth_views.LoginView):
    """Django's login: it rotates the session key on success (no session fixation)."""

    form_class = LoginForm
    template_name = "members/login.html"
    redirect_authenticated_user = True


class ActivationForm(forms.Form):
    cccd = forms.CharField(
        label=gettext_lazy("Số CCCD"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Mã kích hoạt"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocapitalize": "characters"}),
    )
    password1 = forms.CharField(
        label=gettext_lazy("Mật khẩu mới"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Nhập lại mật khẩu"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Hai mật khẩu không giống nhau."))
        return data


class ActivationView(FormView):
    form_class = ActivationForm
    template_name = "members/activate.html"

    def post(self, request, *args, **kwargs):
        """Attempts are limited per address and per CCCD typed (shared cache), before any check."""
        if not services.activation_allowed(client_address(request), request.POST.get("cccd")):
            return render(
                request,
                "members/locked_out.html",
                {"message": services.ACTIVATION_LIMIT_MESSAGE},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        from django.core.exceptions import ValidationError

        try:
            services.activate_account(
                form.cleaned_data["cccd"], form.cleaned_data["code"], form.cleaned_data["password1"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Đã kích hoạt tài khoản. Xin đăng nhập bằng số CCCD và mật khẩu mới.")
        )
        return redirect("members:login")
